"""The part of :class:`spotui.session.facade.Session` that works from the user's own listening:
"for you" per mood cluster, their playlists (to continue one and append the result to
it) and the taste index (playlist co-occurrence) the recommender blends in.

A mixin only to keep ``session.py`` small; it uses the session's store, clusters and
Spotify client exactly as the rest of the session does, and holds no rule of its own
beyond calling the core (:mod:`spotui.session.seeds`, :mod:`spotui.analysis.recommend.taste`,
:mod:`spotui.export.append`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spotui.session.seeds import FOR_YOU, Recommendations, Seeds, for_you_groups, owned_playlist

if TYPE_CHECKING:
    from spotui.analysis.recommend.taste import Cooccurrence
    from spotui.core.progress import Progress
    from spotui.core.records import Cluster, Playlist
    from spotui.export.append import AppendResult


class DiscoverMixin:
    def taste(self) -> Cooccurrence:
        """The user's playlists and saved weeks as co-occurrence baskets; rebuilt only when
        the library changed (checked with the store's cheap pool signature)."""
        from spotui.session import recommend_store

        with self._db() as store:
            signature = store.pool_signature()
            cached = self._taste
            if cached is None or cached[0] != signature:
                cached = self._taste = (signature, recommend_store.taste(store))
        return cached[1]

    def for_you_clusters(self, progress: Progress | None = None) -> list[tuple[Cluster, int]]:
        """The mood clusters holding the user's top and recent tracks, with how many,
        the most listened-to first (a clear error when there are none)."""
        result = self._shown(progress)
        with self._db() as store:
            return [(c, len(ids)) for c, ids in for_you_groups(store, result)]

    def for_you(
        self,
        cluster_id: int | None = None,
        n: int = 10,
        new_only: bool = False,
        progress: Progress | None = None,
    ) -> list[Recommendations]:
        """ "More <mood> for you": one list per cluster of the user's top and recent tracks
        (or only ``cluster_id``), seeded by those tracks."""
        ids = [cluster_id] if cluster_id is not None else []
        if cluster_id is None:
            ids = [c.id for c, _ in self.for_you_clusters(progress)]
        return [
            self.recommend(Seeds.for_you(cid), n=n, new_only=new_only, progress=progress)
            for cid in ids
        ]

    def playlists(self, owned_only: bool = True) -> list[tuple[Playlist, int]]:
        """The user's playlists (owned ones by default) with their stored track counts."""
        with self._db() as store:
            return store.playlists(owned_only=owned_only)

    def playlist_tracks(self, playlist_id: str) -> list[str]:
        """A stored playlist's track ids, in order."""
        with self._db() as store:
            return store.playlist_track_ids(playlist_id)

    def discover_title(self, seeds: Seeds) -> str:
        """The recommendation pane's title for for-you and playlist seeds."""
        if seeds.kind == FOR_YOU:
            return f"More {self.cluster_label(seeds.cluster_id)} for you"
        with self._db() as store:
            playlist = store.get_playlist(seeds.ids[0])
        return f"More for “{playlist.name if playlist else seeds.ids[0]}”"

    def extend_playlist(
        self,
        recs: Recommendations,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
        view: int | None = None,
    ) -> AppendResult:
        """Append a playlist's recommendations (``Seeds.playlist``) to that playlist.
        ``dry_run`` returns the exact requests and sends and writes nothing; else ``view``
        (the generation the plan was confirmed on) is checked first, and the stored
        playlist's new length counts as a change for other windows."""
        from spotui.export.append import append_tracks

        if not dry_run:
            self.check_view(view, "extend")
        with self._db() as store:
            playlist, _ = owned_playlist(store, recs.playlist.id)
        track_ids = [r.track.id for r in recs.results]
        with self._spotify(needed=not dry_run) as client, self._db() as store:
            result = append_tracks(
                client, store, self.config, playlist, track_ids, dry_run, progress=progress
            )
            if not dry_run:
                self._record_change(store, "extend")
        if not dry_run:
            self.library_changed()
        return result

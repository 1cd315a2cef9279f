"""Recommendations for any seed (``session.recommendations``): the pool built once per data
change, tracks like a track, a selection, a mood, a playlist or the user's listening ("for
you"), the taste index blended in, discovery beyond the library, and "not this one".

Why one service: every list the faces show goes through :meth:`recommend`, so the rules
(no repeats of what was queued or skipped, the taste blend for playlists and "for you",
the pool rebuilt after discovery) hold the same in the TUI and the CLI.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from spotui.core.progress import CancelCheck, Progress
from spotui.session.seeds import (
    CLUSTER,
    FOR_YOU,
    PLAYLIST,
    SELECTION,
    RecommendationDetail,
    Recommendations,
    Seeds,
    for_you_groups,
    resolve,
)

if TYPE_CHECKING:
    from spotui.analysis.recommend.recommender import Recommender
    from spotui.analysis.recommend.taste import Cooccurrence
    from spotui.core.records import Cluster
    from spotui.session.context import SessionContext
    from spotui.session.discovery import DiscoveryService, SkipResult
    from spotui.session.library import LibraryService
    from spotui.session.moods import MoodsService

#: Seeds whose recommendations blend in the user's playlists by default: the two cases
#: benchmarks/hybrid.py measures (continuing a playlist; a few seeds, like "for you").
#: Not a track, selection or cluster: for one track it returns the playlist-mates the user
#: grouped with it already, and a cluster is a mood, which is about the sound.
TASTE_SEEDS = (PLAYLIST, FOR_YOU)


class RecommendationsService:
    """Recommendations, the pool and taste caches behind them, skips."""

    def __init__(
        self,
        context: SessionContext,
        moods: MoodsService,
        library: LibraryService,
        discovery: DiscoveryService,
    ) -> None:
        self._context = context
        self._moods = moods
        self._library = library
        self._discovery = discovery
        self._recommender: Recommender | None = None
        self._lock = threading.Lock()
        self._taste: tuple[tuple, Any] | None = None  # (pool signature, Cooccurrence)
        context.on_library_changed(self.invalidate)

    def recommender(self) -> Recommender:
        """The recommendation pool, built once per data change (call from a worker)."""
        with self._lock:
            if self._recommender is None:
                from spotui.session.recommend_store import recommender

                with self._context.db() as store:
                    self._recommender = recommender(store)
            return self._recommender

    def invalidate(self) -> None:
        """After a sync, import or discovery: the next recommendation rebuilds its pool."""
        with self._lock:
            self._recommender = None

    def taste(self) -> Cooccurrence:
        """The user's playlists and saved weeks as co-occurrence baskets; rebuilt only when
        the library changed (checked with the store's cheap pool signature)."""
        from spotui.session import recommend_store

        with self._context.db() as store:
            signature = store.queries.pool_signature()
            cached = self._taste
            if cached is None or cached[0] != signature:
                cached = self._taste = (signature, recommend_store.taste(store))
        return cached[1]

    def recommend(
        self,
        seeds: Seeds,
        n: int = 10,
        new_only: bool = False,
        *,
        discover: bool = False,
        diversity: float | None = None,
        artist_cap: int | None = None,
        progress: Progress | None = None,
        cancel: CancelCheck | None = None,
        taste: bool | None = None,
    ) -> Recommendations:
        """Tracks that sound like the seeds, none queued or skipped lately. ``discover``:
        rank what ReccoBeats proposes (else, saying why, library + catalog). ``diversity``/
        ``artist_cap`` None: the defaults; cap 0: no limit. ``progress``: segmenting and
        discovery. ``taste``: blend in what the user's own playlists and saved weeks keep
        with the seeds; None: for :data:`TASTE_SEEDS` only."""
        from spotui.session.discovery import recent_exclusions

        result = self._moods.shown(progress) if seeds.kind in (CLUSTER, FOR_YOU) else None
        with self._context.db() as store:
            seed_ids, cluster, playlist = resolve(seeds, store, result)
            options: dict[str, Any] = {"exclude": recent_exclusions(store)}
        options.update(self._options(seeds, seed_ids, diversity, artist_cap, taste))
        rec = self.recommender()
        first = None if cluster is not None else rec.track(rec.seed_rows(seed_ids)[0])
        found = self._discovery.find(rec, seed_ids, cancel, progress) if discover else None
        if found is not None and not found.failed:
            self.invalidate()  # the candidates joined the catalog
            rec = self.recommender()
            options["only"] = set(found.candidate_ids)
        results = rec.recommend(seed_ids, n=n, new_only=new_only, **options)
        return Recommendations(
            seeds,
            seed_ids,
            results,
            first,
            cluster,
            playlist=playlist,
            discovery=found,
            nearest=results.nearest,
            taste_weight=results.taste_weight,
            new_only=new_only,
        )

    def _options(
        self,
        seeds: Seeds,
        seed_ids: list[str],
        diversity: float | None,
        artist_cap: int | None,
        taste: bool | None,
    ) -> dict[str, Any]:
        """The recommender's options the caller chose (None: its defaults; cap 0: no cap),
        and the taste blend where it applies (:data:`TASTE_SEEDS` unless ``taste`` says)."""
        options: dict[str, Any] = {}
        if diversity is not None:
            options["diversity"] = diversity
        if artist_cap is not None:
            options["artist_cap"] = artist_cap or None
        if seeds.kind in TASTE_SEEDS if taste is None else taste:
            options["taste"] = self.taste().scores(seed_ids)
        return options

    def detail(self, recs: Recommendations, index: int) -> RecommendationDetail:
        """Result ``index`` of ``recs`` and the seed's features (seeds.recommendation_detail)."""
        from spotui.session.seeds import recommendation_detail

        with self._context.db() as store:
            features = store.tracks.get_features(recs.results[index].track.id)
            by_centre = recs.seeds.kind == CLUSTER
            seeds = [] if by_centre else store.tracks.get_features_many(recs.seed_ids).values()
        return recommendation_detail(recs, index, features, [f.as_dict() for f in seeds])

    def pane_title(self, seeds: Seeds) -> str:
        """A short title for a recommendation list, known before it is computed."""
        if seeds.kind == SELECTION:
            return "Like the map selection"
        if seeds.kind in (PLAYLIST, FOR_YOU):
            return self.discover_title(seeds)
        if seeds.kind == CLUSTER:
            return f"Like cluster {self._moods.label(seeds.cluster_id)}"
        track = self._library.tracks(seeds.ids[:1])
        return f"Like “{track[0].name}”" if track else "Recommendations"

    def discover_title(self, seeds: Seeds) -> str:
        """The recommendation pane's title for for-you and playlist seeds."""
        if seeds.kind == FOR_YOU:
            return f"More {self._moods.label(seeds.cluster_id)} for you"
        with self._context.db() as store:
            playlist = store.library.get_playlist(seeds.ids[0])
        return f"More for “{playlist.name if playlist else seeds.ids[0]}”"

    # ------------------------------------------------------------------ for you
    def for_you_clusters(self, progress: Progress | None = None) -> list[tuple[Cluster, int]]:
        """The mood clusters holding the user's top and recent tracks, with how many,
        the most listened-to first (a clear error when there are none)."""
        result = self._moods.shown(progress)
        with self._context.db() as store:
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

    # ------------------------------------------------------------------ not this one
    def skip(self, track_ids: Sequence[str]) -> SkipResult:
        """Not these: not offered again for a while (see spotui.session.discovery). The result
        names the tracks, so a message can say which ones were skipped."""
        from spotui.session.discovery import SKIPPED, SkipResult, note_recent

        with self._context.db() as store:
            ids = note_recent(store, track_ids, SKIPPED)
            return SkipResult(ids, _titles(store, ids))

    def unskip(self, track_ids: Sequence[str]) -> SkipResult:
        """Undo a skip: these tracks can be recommended again right away."""
        from spotui.session.discovery import SKIPPED, SkipResult, forget_recent

        with self._context.db() as store:
            ids = forget_recent(store, track_ids, SKIPPED)
            return SkipResult(ids, _titles(store, ids), undone=True)


def _titles(store, ids: list[str]) -> list[str]:
    from spotui.session.discovery import track_title

    known = {t.id: t for t in store.tracks.get_tracks(ids)}
    return [track_title(known.get(t), t) for t in ids]

"""Getting the user's tracks in and reading them back (``session.library``): sync from
Spotify, audio-feature lookups, CSV imports, the counts, the first read the TUI paints, and
the user's playlists.

Why these together: they are the jobs that write what Spotify or a file says into the
store, one at a time per library (the job lock, :mod:`spotui.store.lock`), sharing the
demo-mode refusals, and the reads of exactly what they wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spotui.core.errors import UserError
from spotui.core.progress import CancelCheck, Progress, no_progress
from spotui.session.records import LibrarySnapshot, SyncOutcome

if TYPE_CHECKING:
    from spotui.core.records import Playlist, Track
    from spotui.session.context import SessionContext
    from spotui.session.moods import MoodsService
    from spotui.sources.csv_import import ImportResult
    from spotui.sources.feature_providers import FeatureResult

DEMO_NOT_SYNCED = (
    "The demo library is built in and is not synced from Spotify. Run `spotui login` and then "
    "`spotui {cmd}` without --demo to use your own library."
)


class LibraryService:
    """Sync, import, feature lookups and the reads of the library."""

    def __init__(self, context: SessionContext, moods: MoodsService) -> None:
        self._context = context
        self._moods = moods

    # ------------------------------------------------------------------ reading
    def has_library(self) -> bool:
        with self._context.db() as store:
            return store.queries.has_library()

    def status(self) -> dict[str, Any]:
        """Counts of what is stored, the database and its schema version."""
        with self._context.db() as store:
            return {
                **store.queries.counts(),
                "database": str(store.path),
                "schema_version": store.schema_version,
                "demo": self._context.demo,
            }

    def snapshot(self, columns: Sequence[str]) -> LibrarySnapshot:
        """What the TUI paints first: the library's track table (``columns`` as features),
        the stored segmentation (possibly stale) and the user's playlists, from one
        connection. No numpy, no scikit-learn: it runs while Textual is being imported."""
        from spotui.session.mood_store import load_result
        from spotui.store.connection import QUICK_CHECK_MAX_BYTES

        with self._context.db() as store:
            store.verify(QUICK_CHECK_MAX_BYTES)
            self._context.prepare()
            # Read first: a change committed during the reads below makes the view look
            # older than it is (one reload too many), never newer.
            generation = store.changes.library_change().generation
            table = store.queries.library_table(columns)
            result = self._moods.result = load_result(store)
            playlists = store.library.playlists(owned_only=True)
            items = store.library.owned_playlist_items()
        self._context.watch.view = generation
        return LibrarySnapshot(table, result, playlists, items)

    def tracks(self, track_ids: Sequence[str]) -> list[Track]:
        with self._context.db() as store:
            return store.tracks.get_tracks(track_ids)

    def playlists(self, owned_only: bool = True) -> list[tuple[Playlist, int]]:
        """The user's playlists (owned ones by default) with their stored track counts."""
        with self._context.db() as store:
            return store.library.playlists(owned_only=owned_only)

    def playlist_tracks(self, playlist_id: str) -> list[str]:
        """A stored playlist's track ids, in order."""
        with self._context.db() as store:
            return store.library.playlist_track_ids(playlist_id)

    def changed(self) -> None:
        """The library changed under the session (the TUI imported a file, say): the next
        recommendation rebuilds its pool."""
        self._context.library_changed()

    # ------------------------------------------------------------------ getting tracks in
    def import_csv(
        self,
        path: str | Path,
        kind: str = "library",
        progress: Progress = no_progress,
        *,
        wait: bool = False,
    ) -> ImportResult:
        """Import a CSV, all or nothing; one import at a time per database (``wait``)."""
        from spotui.sources.csv_import import import_csv

        with self._context.job("import", wait=wait, progress=progress), self._context.db() as store:
            store.verify()  # never write into a damaged file
            result = import_csv(store, path, kind=kind, progress=progress)
        self._context.library_changed()
        return result

    def sync(
        self,
        progress: Progress = no_progress,
        cancel: CancelCheck | None = None,
        *,
        workers: int | None = None,
        features: bool = True,
        wait: bool = False,
    ) -> SyncOutcome:
        """Sync the Spotify library, then look up audio features for tracks without them.

        One sync per database at a time: another running raises
        :class:`~spotui.core.errors.JobRunningError` naming its pid, or with ``wait`` is
        waited for. Progress messages are :class:`spotui.core.progress.Step` values naming
        their phase."""
        from spotui.sources.feature_providers import default_providers, lookup_features
        from spotui.spotify.sync import DEFAULT_WORKERS, sync_library

        context = self._context
        if context.demo:
            raise UserError(DEMO_NOT_SYNCED.format(cmd="sync"))
        context.config.require_client_id()
        with (
            context.job("sync", wait=wait, progress=progress, cancel=cancel),
            context.spotify() as client,
            context.db() as store,
        ):
            store.verify()
            library = sync_library(
                store, client, progress=progress, cancel=cancel, workers=workers or DEFAULT_WORKERS
            )
            found = None
            if features:
                providers = default_providers(context.config, client)
                found = lookup_features(store, providers, progress=progress, cancel=cancel)
        context.library_changed()
        return SyncOutcome(library, found)

    @staticmethod
    def sync_phases() -> tuple[str, ...]:
        """The phases :meth:`sync` reports, in order (the ``phase`` of its progress steps)."""
        from spotui.sources.feature_providers import PHASE
        from spotui.spotify.sync import PHASES

        return (*PHASES, PHASE)

    def lookup_features(
        self, retry: bool = False, progress: Progress = no_progress, *, wait: bool = False
    ) -> FeatureResult:
        """Ask the providers about library tracks without audio features (Spotify only if
        logged in). Shares the sync's lock: a sync looks them up too."""
        from spotui.sources.feature_providers import default_providers, lookup_features

        context = self._context
        if context.demo:
            raise UserError(DEMO_NOT_SYNCED.format(cmd="features"))
        with (
            context.job("sync", wait=wait, what="spotui features", progress=progress),
            context.spotify(needed=context.logged_in()) as spotify,
            context.db() as store,
        ):
            store.verify()
            providers = default_providers(context.config, spotify)
            result = lookup_features(store, providers, retry=retry, progress=progress)
        context.library_changed()
        return result

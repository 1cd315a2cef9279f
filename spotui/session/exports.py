"""Getting tracks out (``session.exports``): export targets, a playlist export, adding
recommendations to a playlist the user owns, files.

Why these together: each turns tracks the user sees into something outside spotui, and
each carries the view it was made from (:mod:`spotui.session.changes`); only
:mod:`spotui.export` writes to the account, on an explicit action, with a dry run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from spotui.core.progress import Progress
from spotui.session.seeds import owned_playlist

if TYPE_CHECKING:
    from spotui.export import ExportResult, ExportTarget, FileResult
    from spotui.export.append import AppendResult
    from spotui.session.context import SessionContext
    from spotui.session.moods import MoodsService
    from spotui.session.seeds import Recommendations


class ExportService:
    """Every target is stamped with the view it was made from, and every write (playlist,
    file, extend) checks it first: a plan confirmed before another program changed the
    library is not carried out (:mod:`spotui.session.changes`)."""

    def __init__(self, context: SessionContext, moods: MoodsService) -> None:
        self._context = context
        self._moods = moods

    # ------------------------------------------------------------------ targets
    def cluster_target(self, cluster_id: int, name: str | None = None) -> ExportTarget:
        from spotui.export.targets import cluster_target

        return self._stamped(cluster_target(self._moods.shown(), cluster_id, name))

    def _stamped(self, target: ExportTarget) -> ExportTarget:
        return replace(target, view=self._context.watch.view)

    def selection_target(self, track_ids: Sequence[str]) -> ExportTarget:
        from spotui.export.targets import selection_target

        return self._stamped(selection_target(track_ids))

    def filtered_target(
        self,
        base: ExportTarget | None,
        what: str,
        track_ids: Sequence[str],
        query: str = "",
        *,
        as_shown: bool = False,
    ) -> ExportTarget:
        """What the user sees (``base``, or the view ``what`` names) narrowed by a filter;
        ``as_shown``: exactly ``track_ids`` in their order (a file follows the screen's sort)."""
        from spotui.export.targets import filtered_target

        return self._stamped(filtered_target(base, what, track_ids, query, as_shown=as_shown))

    def recommendations_target(
        self, recs: Recommendations, name: str | None = None, *, file: bool = False
    ) -> ExportTarget:
        from spotui.export import targets

        make = targets.recommendations_file if file else targets.recommendations_target
        return self._stamped(make(recs, name))

    def export(
        self,
        target: ExportTarget,
        *,
        public: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> ExportResult:
        """Export as a (private) Spotify playlist; the same target replaces its playlist.
        ``dry_run`` returns the planned requests and sends and writes nothing; else the
        target's view is checked first (:class:`~spotui.core.errors.StaleViewError`)."""
        from spotui.export.playlist_export import export_tracks

        if not dry_run:
            self._context.watch.check_view(target.view, "export")
        with self._context.spotify(needed=not dry_run) as client, self._context.db() as store:
            return export_tracks(
                client,
                store,
                self._context.config,
                target.key,
                target.name,
                target.description or "",
                list(target.track_ids),
                public=public,
                dry_run=dry_run,
                progress=progress,
            )

    def file_format(self, out_path: str | Path, fmt: str | None = None) -> str:
        """The format a file export writes: ``fmt`` if chosen, else the name's ending
        (a UserError naming the accepted endings when it has none of them)."""
        from spotui.export.files import file_format

        return file_format(out_path, fmt)

    def write_file(self, target: ExportTarget, fmt: str | None, out_path: str | Path) -> FileResult:
        """Write ``target``'s tracks, in its order, to a file; ``fmt`` None: the name decides
        (its view checked first, as for a playlist)."""
        from spotui.export.files import write_target

        self._context.watch.check_view(target.view, "file")
        with self._context.db() as store:
            return write_target(store, target, fmt, out_path)

    def write_cluster_files(
        self,
        fmt: str,
        out_dir: str | Path,
        arrange: Callable[[ExportTarget], ExportTarget] | None = None,
    ) -> list[FileResult]:
        """One file per cluster the user sees, in ``out_dir``; ``arrange`` reorders each
        cluster's tracks first (``session.order.ordered`` for a flow along an arc)."""
        from spotui.export.files import write_clusters

        result = self._moods.shown()
        with self._context.db() as store:
            return write_clusters(store, result, fmt, out_dir, arrange=arrange)

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

        context = self._context
        if not dry_run:
            context.watch.check_view(view, "extend")
        with context.db() as store:
            playlist, _ = owned_playlist(store, recs.playlist.id)
        track_ids = [r.track.id for r in recs.results]
        with context.spotify(needed=not dry_run) as client, context.db() as store:
            result = append_tracks(
                client, store, context.config, playlist, track_ids, dry_run, progress=progress
            )
            if not dry_run:
                context.watch.record_change(store, "extend")
        if not dry_run:
            context.library_changed()
        return result

"""Getting tracks out, the export half of :class:`spotui.session.facade.Session`: playlist targets,
playlist export, files, the queue. A mixin only to keep ``session.py`` small; the faces
still call one object, and only :mod:`spotui.export` writes to the account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from spotui.core.progress import CancelCheck, Progress

if TYPE_CHECKING:
    from spotui.config.env import Config
    from spotui.export import ExportResult, ExportTarget, FileResult, QueueResult
    from spotui.session.seeds import Recommendations


class ExportMixin:
    """Needs ``self.config``, ``self._shown()``, ``self._spotify()``, ``self._db()``,
    ``self.view`` and ``self.check_view()``.

    Every target is stamped with the view it was made from, and every write (playlist,
    file, queue) checks it first: a plan confirmed before another program changed the
    library is not carried out (:mod:`spotui.session.changes`)."""

    config: Config
    last_queued: list[str]
    view: int | None

    # ------------------------------------------------------------------ getting tracks out
    def cluster_target(self, cluster_id: int, name: str | None = None) -> ExportTarget:
        from spotui.export.targets import cluster_target

        return self._stamped(cluster_target(self._shown(), cluster_id, name))

    def _stamped(self, target: ExportTarget) -> ExportTarget:
        return replace(target, view=self.view)

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
            self.check_view(target.view, "export")
        with self._spotify(needed=not dry_run) as client, self._db() as store:
            return export_tracks(
                client,
                store,
                self.config,
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

        self.check_view(target.view, "file")
        with self._db() as store:
            return write_target(store, target, fmt, out_path)

    def write_cluster_files(self, fmt: str, out_dir: str | Path) -> list[FileResult]:
        """One file per cluster the user sees, in ``out_dir``."""
        from spotui.export.files import write_clusters

        result = self._shown()
        with self._db() as store:
            return write_clusters(store, result, fmt, out_dir)

    def ask_before_queueing(self, n_tracks: int, what: str) -> str | None:
        """The question to ask before queueing that many tracks, or None to just queue."""
        from spotui.export.queue import ask_before_queueing

        return ask_before_queueing(n_tracks, what)

    def queue(
        self,
        track_ids: Sequence[str],
        device: str | None = None,
        *,
        progress: Progress | None = None,
        cancel: CancelCheck | None = None,
        view: int | None = None,
    ) -> QueueResult:
        """Queue on the playing device (or ``device``), each track exactly once; ``view``:
        the generation of the view the tracks were chosen in (checked first)."""
        from spotui.export.queue import queue_tracks
        from spotui.session.discovery import QUEUED, note_recent

        self.check_view(view, "queue")
        with self._spotify() as client:
            result = queue_tracks(
                client, self.config, track_ids, device=device, progress=progress, cancel=cancel
            )
        self.last_queued = list(result.queued) or self.last_queued
        with self._db() as store:
            note_recent(store, result.queued, QUEUED)  # not offered again for a while
        return result

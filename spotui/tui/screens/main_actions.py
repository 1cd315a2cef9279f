"""The main screen's actions on what it shows: filter, export (playlist or file), queue,
import, quit. A mixin of :class:`spotui.tui.screens.main.MainScreen`, kept apart so the screen
module stays small; every rule (what a filtered view exports as, when to ask before
queueing) is the core's, reached through the session."""

from __future__ import annotations

from textual.widgets import Input

from spotui.tui.rows import SELECTION, source_cluster, source_playlist
from spotui.tui.widgets.track_table import TrackTable


class MainActions:
    """Needs the screen's ``source``, ``selection``, ``query_text``, ``track_id``,
    ``new_only`` and ``source_name()``."""

    def current_target(self, whole_library: bool = False):
        """What export and queue-all act on: the cluster or map selection shown, narrowed
        by the filter when one is typed; None for the whole library (unless
        ``whole_library``: a file may hold it, a playlist or the queue should not). With
        ``whole_library`` (the file export) the tracks are in the table's order: the
        file follows the sort on screen."""
        session = self.app.session
        cid = source_cluster(self.source)
        base = None
        if cid is not None and self.app.result is not None:
            base = session.exports.cluster_target(cid)
        elif self.source == SELECTION and self.selection:
            base = session.exports.selection_target(self.selection)
        whole = base is None and source_playlist(self.source) is None
        if whole and not self.query_text and not whole_library:
            return None
        ids = self.query_one(TrackTable).track_ids
        if not ids:
            return None
        return session.exports.filtered_target(
            base, self.source_name(), ids, self.query_text, as_shown=whole_library
        )

    def action_export(self) -> None:
        pid = source_playlist(self.source)
        if pid is not None and not self.query_text:
            self.app.extend_playlist(pid, self.new_only)
            return
        target = self.current_target()
        if target is None:
            self.notify(
                "Highlight a mood cluster, make a selection on the mood map (m) or filter (/) "
                "to export it as a playlist, or one of your playlists to add to it.",
                severity="warning",
                timeout=5,
            )
            return
        self.app.export(target)

    def action_export_file(self) -> None:
        target = self.current_target(whole_library=True)
        if target is None:
            self.notify("No tracks shown to export.", severity="warning", timeout=4)
            return
        from spotui.tui.screens.export_file import FileExportDialog

        self.app.push_screen(FileExportDialog(target))

    def action_undo_skip(self) -> None:
        """``u``: the recommendations pane takes its last skip back (from any pane)."""
        from spotui.tui.widgets.recommendations import RecommendationList

        self.query_one(RecommendationList).undo_skip()

    def action_import_csv(self) -> None:
        from spotui.tui.screens.welcome import ImportDialog

        self.app.push_screen(ImportDialog(), lambda ok: ok and self.app.library_changed())

    def action_quit(self) -> None:
        self.app.exit()

    def action_queue_track(self) -> None:
        self.app.queue([self.track_id] if self.track_id else [])

    def action_queue_view(self) -> None:
        target = self.current_target()
        if target is None:
            self.notify(
                "Highlight a cluster, a map selection or filter first; queueing the "
                "whole library is not what you want.",
                severity="warning",
                timeout=5,
            )
            return
        what = self.source_name() + (f" matching “{self.query_text}”" if self.query_text else "")
        self.app.queue_many(list(target.track_ids), what)

    async def action_filter(self) -> None:
        found = self.query("#filter")
        if found:
            box = found.first(Input)
        else:  # not composed up front: one widget less to build before the first paint
            box = Input(placeholder="filter by title or artist", id="filter")
            await self.query_one("#tracks-pane").mount(box, before=self.query_one(TrackTable))
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        found = self.query("#filter")
        box = found.first(Input) if found else None
        if box is None or (not box.display and not self.query_text):
            return
        box.value = ""
        box.display = False
        self.apply_filter("")
        self.query_one(TrackTable).focus()

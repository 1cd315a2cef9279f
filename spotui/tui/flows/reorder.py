"""Reordering a playlist the user owns in place, from the order preview: the dry run's
requests shown in the confirmation first, then the reorder on OK.

Why the dry run first: a reorder rewrites the user's own playlist on Spotify, and the plan
(replace the items, or move a few runs) is the session's to choose; the dialog shows the
exact requests it will send. The library generation the question was asked in goes with the
answer, so the session refuses if another program changed the library meanwhile.
"""

from __future__ import annotations

from spotui.core.errors import UserError
from spotui.tui.typed import SpotuiAppView


class ReorderFlow:
    def __init__(self, app: SpotuiAppView) -> None:
        self.app = app

    def start(self, playlist_id: str, name: str, arc: str, start: str | None = None) -> None:
        view = self.app.session.changes.view
        self.app.run_worker(
            lambda: self._plan(playlist_id, name, arc, start, view),
            thread=True,
            group="spotify",
            exit_on_error=False,
        )

    def _plan(
        self, playlist_id: str, name: str, arc: str, start: str | None, view: int | None
    ) -> None:
        try:
            plan = self.app.session.order.reorder(playlist_id, arc, start, dry_run=True)
        except UserError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), severity="error", timeout=10)
            return
        if plan.unchanged:  # nothing to ask about
            self.app.call_from_thread(self.app.notify, plan.summary(), title="Playlist")
            return
        self.app.call_from_thread(self._confirm, playlist_id, name, arc, start, view, plan)

    def _confirm(self, playlist_id, name, arc, start, view, plan) -> None:
        from spotui.tui.screens.confirm import ConfirmDialog

        def done(ok: bool | None) -> None:
            if ok:
                self.app.run_worker(
                    lambda: self._reorder(playlist_id, arc, start, view),
                    thread=True,
                    group="spotify",
                    exit_on_error=False,
                )

        dialog = ConfirmDialog(f"Reorder “{name}”", plan.summary(), "Reorder")
        self.app.push_screen(dialog, done)

    def _reorder(self, playlist_id: str, arc: str, start: str | None, view: int | None) -> None:
        result = self.app.session.order.reorder(playlist_id, arc, start, view=view)
        self.app.call_from_thread(self.app.notify, result.summary(), title="Playlist", timeout=10)
        self.app.call_from_thread(self.app.load_library)  # the playlist's order changed

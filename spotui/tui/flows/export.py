"""Exporting a cluster, a selection or a filtered view as a Spotify playlist: the dry run
shown first, the export on OK.

The plan is computed once, in a worker, for both privacy settings before the dialog opens
(the dialog only switches between them when ``p`` is pressed): it used to be computed on
the UI thread to check it could be made, and again by the dialog as it opened and at each
toggle."""

from __future__ import annotations

from spotui.core.errors import UserError
from spotui.tui.typed import SpotuiAppView


class ExportFlow:
    def __init__(self, app: SpotuiAppView) -> None:
        self.app = app

    def start(self, target) -> None:
        """Show the dry run of exporting ``target`` (an ExportTarget); export on OK."""
        self.app.run_worker(
            lambda: self._plan(target), thread=True, group="spotify", exit_on_error=False
        )

    def start_selection(self, track_ids: list[str]) -> None:
        """The mood map's selection (the session stamps it with the library generation)."""
        self.start(self.app.session.exports.selection_target(track_ids))

    def _plan(self, target) -> None:
        session = self.app.session
        try:
            plans = {public: session.exports.export(target, public=public, dry_run=True)
                     for public in (False, True)}  # fmt: skip
        except UserError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), severity="error", timeout=10)
            return
        self.app.call_from_thread(self._confirm, target, plans)

    def _confirm(self, target, plans: dict[bool, object]) -> None:
        from spotui.tui.screens.confirm import ExportDialog

        def done(public: bool | None) -> None:
            if public is not None:
                self.app.run_worker(
                    lambda: self._export(target, public),
                    thread=True,
                    group="spotify",
                    exit_on_error=False,
                )

        config = self.app.config
        outbox = config.outbox_path if config.demo else None
        self.app.push_screen(ExportDialog(plans, outbox), done)

    def _export(self, target, public: bool) -> None:
        result = self.app.session.exports.export(target, public=public)
        self.app.call_from_thread(self.app.notify, result.summary(), title="Export", timeout=8)

"""Importing a CSV into the library (from the welcome screen or ``i``): the dialog asks for
the path and shows the error under it; the import runs in the dialog's worker, all or
nothing; then the library is shown (opened, or reloaded)."""

from __future__ import annotations

from pathlib import Path

from spotui.tui.typed import SpotuiAppView


class ImportFlow:
    def __init__(self, app: SpotuiAppView) -> None:
        self.app = app

    def start(self, first: bool = False) -> None:
        """``first``: from the welcome screen, where the main screen is opened after."""
        from spotui.tui.screens.welcome import ImportDialog

        after = self.app.open_main if first else self.app.library_changed
        self.app.push_screen(ImportDialog(self.run), lambda ok: ok and after())

    def run(self, path: Path) -> str:
        """The import itself (in the dialog's worker): the core's summary of it."""
        return self.app.session.library.import_csv(path, wait=True).summary()

"""First run (no library yet): log in with Spotify, import a CSV, or open the demo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, Static

from spotui.tui import messages
from spotui.tui.actions import bindings_for
from spotui.tui.screens.path_dialog import PathDialog
from spotui.tui.typed import spotui_app
from spotui.tui.widgets.key_bar import KeyBar
from spotui.tui.widgets.path_input import PathInput

INTRO = (
    "spotui groups your Spotify library into mood clusters, recommends tracks that sound "
    "alike, and exports clusters as private playlists. Nothing is in your library yet."
)


class WelcomeScreen(Screen):
    spotui_app = property(spotui_app)
    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("welcome",)
    BINDINGS = bindings_for(*SCOPES)

    def compose(self) -> ComposeResult:
        with Center(id="welcome"), Vertical(id="welcome-box") as box:
            box.border_title = "Welcome to spotui"
            yield Static(Text("♫ spotui", style="bold"), id="welcome-title")
            yield Static(INTRO, id="welcome-intro")
            yield Button("Log in with Spotify  (l)", id="login", variant="primary")
            yield Button("Import a CSV  (i)", id="import")
            yield Button("Open the demo library  (d)", id="demo")
            yield Static(
                "Exportify / Kaggle CSVs with audio features work best. ? lists every key.",
                classes="hint",
            )
        yield KeyBar()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        {"login": self.action_login, "import": self.action_import_csv, "demo": self.action_demo}[
            event.button.id
        ]()

    def action_login(self) -> None:
        """Without a client id, the setup steps first; then the login, then a sync."""
        from spotui.tui.screens.login import LoginScreen
        from spotui.tui.screens.setup import SetupScreen

        app = self.spotui_app

        def logged_in(ok: bool | None) -> None:
            if ok:
                app.action_sync()

        def set_up(ok: bool | None) -> None:
            if ok:
                app.push_screen(LoginScreen(), logged_in)

        if app.session.config.client_id:
            set_up(True)
        else:
            app.push_screen(SetupScreen(), set_up)

    def action_import_csv(self) -> None:
        self.post_message(messages.ImportRequested(first=True))

    def action_demo(self) -> None:
        self.spotui_app.use_demo()


class CsvPath(Validator):
    def validate(self, value: str) -> ValidationResult:
        from spotui.sources.csv_import import path_problem

        path = Path(value.strip()).expanduser()
        if not value.strip():
            return self.failure("Type the path of a CSV file.")
        problem = path_problem(path)
        return self.failure(f"{path}: {problem}.") if problem else self.success()


class ImportDialog(PathDialog):
    """A path input with validation; ``importer(path)`` (the import flow's, returning the core's
    summary) runs in a worker, all or nothing."""

    DONE_TITLE = "Import"
    WORKING = "Importing…"
    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("import_dialog",)
    BINDINGS = bindings_for(*SCOPES)

    def __init__(self, importer: Callable[[Path], str]) -> None:
        super().__init__()
        self.importer = importer

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = "Import a CSV"
            yield Label(
                "Path of an Exportify, Kaggle or plain CSV file (or a .gz, or a .zip of CSVs)"
            )
            yield PathInput(
                placeholder="~/Downloads/liked_songs.csv  (→ completes a name)",
                id="path",
                suffixes=(".csv", ".csv.gz", ".zip"),
                validators=[CsvPath()],
                validate_on=["changed", "submitted"],
            )
            yield Label("", classes="error", id="path-error")
            with Horizontal(classes="buttons"):
                yield Button("Import", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#path", PathInput).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        result = event.validation_result
        ok = result is None or result.is_valid or not event.value
        self.show_error("" if ok else result.failure_descriptions[0])

    def job(self):
        box = self.query_one("#path", PathInput)
        result = box.validate(box.value)
        if result is not None and not result.is_valid:
            return result.failure_descriptions[0]
        path, importer = Path(box.value.strip()).expanduser(), self.importer
        return lambda: importer(path)

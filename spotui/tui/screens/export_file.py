"""``x``: write the tracks shown to a CSV (Exportify layout), M3U or JSON file.

No account is needed and nothing is sent anywhere; the core writes the file atomically
(:func:`spotui.export.files.write_target` through the session), so this dialog only
collects a format and a path."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from spotui.errors import UserError
from spotui.tui.actions import bindings_for
from spotui.tui.widgets.path_input import PathInput


class FileExportDialog(ModalScreen[bool]):
    """Dismisses with True once the file is written, False when cancelled."""

    BINDINGS = bindings_for("file_dialog")

    def __init__(self, target) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        from spotui.export.files import FORMATS, slug

        name = self.target.name
        n = len(self.target.track_ids)
        with Vertical(id="dialog") as box:
            box.border_title = "Export to a file"
            yield Static(f"{n:,} track{'s' if n != 1 else ''}: {name}", id="file-what")
            yield Label("Format")
            yield Select([(f.upper(), f) for f in FORMATS], value="csv", allow_blank=False,
                         id="format")  # fmt: skip
            yield Label("File (→ completes a name; relative to the folder spotui started in)")
            yield PathInput(value=f"{slug(name.removeprefix('spotui · '))}.csv", id="out",
                            suffixes=tuple(f".{f}" for f in FORMATS))  # fmt: skip
            yield Static("", classes="error", id="file-error")
            with Horizontal(classes="buttons"):
                yield Button("Write", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#out", PathInput).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        """A new format renames the file's extension if it was one of the formats'."""
        from spotui.export.files import FORMATS

        box = self.query_one("#out", PathInput)
        path = Path(box.value)
        if path.suffix.lstrip(".").lower() in FORMATS:
            box.value = str(path.with_suffix(f".{event.value}"))

    def on_input_submitted(self) -> None:
        self._start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._start()
        else:
            self.dismiss(False)

    def _start(self) -> None:
        out = self.query_one("#out", PathInput).value.strip()
        if not out:
            self.query_one("#file-error", Static).update("Type the name of the file to write.")
            return
        self.query_one("#file-error", Static).update("Writing…")
        self.write(str(self.query_one("#format", Select).value), out)

    @work(thread=True, exclusive=True, group="file-export", exit_on_error=False)
    def write(self, fmt: str, out: str) -> None:
        try:
            result = self.app.session.write_file(
                self.target, fmt, Path(out).expanduser().absolute()
            )
        except UserError as exc:
            self.app.call_from_thread(self.query_one("#file-error", Static).update, str(exc))
            return
        self.app.call_from_thread(self._written, result.summary())

    def _written(self, summary: str) -> None:
        self.notify(summary, title="Export", timeout=10)
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

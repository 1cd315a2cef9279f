"""``x``: write the tracks shown to a CSV (Exportify layout), M3U or JSON file.

No account is needed and nothing is sent anywhere; the core writes the file atomically
(:func:`spotui.export.files.write_target` through the session), so this dialog only
collects a format and a path."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Select, Static

from spotui.tui.actions import bindings_for
from spotui.tui.screens.path_dialog import PathDialog
from spotui.tui.widgets.path_input import PathInput
from spotui.untrusted import inert


class FileExportDialog(PathDialog):
    """Dismisses with True once the file is written, False when cancelled."""

    DONE_TITLE = "Export"
    WORKING = "Writing…"
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
            # the name is a cluster's or playlist's: inert text, never markup
            what = f"{n:,} track{'s' if n != 1 else ''}: {inert(name)}"
            yield Static(Text(what), id="file-what")
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

    def job(self):
        out = self.query_one("#out", PathInput).value.strip()
        if not out:
            return "Type the name of the file to write."
        fmt = str(self.query_one("#format", Select).value)
        target, session = self.target, self.app.session
        return lambda: session.write_file(target, fmt, Path(out).expanduser().absolute()).summary()

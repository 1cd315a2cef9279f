"""``x``: write the tracks shown to a CSV (Exportify layout), M3U or JSON file.

No account is needed and nothing is sent anywhere; the core writes the file atomically
(:func:`spotui.export.files.write_target` through the session), so this dialog only
collects a format and a path. The format starts as "from the file name" (``mix.m3u`` is
M3U); picking one overrides the name's ending and renames it to match."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Select, Static

from spotui.core.text import count
from spotui.core.untrusted import inert
from spotui.tui.actions import bindings_for
from spotui.tui.screens.path_dialog import PathDialog
from spotui.tui.typed import spotui_app
from spotui.tui.widgets.path_input import PathInput

#: The format picker's first choice: the file name's ending decides (the core's rule).
FROM_NAME = "name"


class FileExportDialog(PathDialog):
    """Dismisses with True once the file is written, False when cancelled."""

    DONE_TITLE = "Export"
    WORKING = "Writing…"
    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("file_dialog",)
    BINDINGS = bindings_for(*SCOPES)
    spotui_app = property(spotui_app)

    def __init__(self, target) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        from spotui.export.files import EXTENSIONS, FORMATS, slug

        name = self.target.name
        n = len(self.target.track_ids)
        with Vertical(id="dialog") as box:
            box.border_title = "Export to a file"
            # the name is a cluster's or playlist's: inert text, never markup
            yield Static(Text(f"{count(n, 'track')}: {inert(name)}"), id="file-what")
            yield Label("Format")
            choices = [("From the file name", FROM_NAME)] + [(f.upper(), f) for f in FORMATS]
            yield Select(choices, value=FROM_NAME, allow_blank=False, id="format")
            yield Label("File (→ completes a name; relative to the folder spotui started in)")
            yield PathInput(value=f"{slug(name.removeprefix('spotui · '))}.csv", id="out",
                            suffixes=tuple(EXTENSIONS))  # fmt: skip
            yield Static("", classes="error", id="file-error")
            with Horizontal(classes="buttons"):
                yield Button("Write", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#out", PathInput).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        """A chosen format renames the file's ending if it was another format's, so the
        name and the contents agree (``mix.m3u8`` stays as it is for M3U)."""
        from spotui.export.files import EXTENSIONS

        if event.value == FROM_NAME:
            return
        box = self.query_one("#out", PathInput)
        path = Path(box.value)
        now = EXTENSIONS.get(path.suffix.lower())
        if now is not None and now != event.value:
            box.value = str(path.with_suffix(f".{event.value}"))

    def job(self):
        out = self.query_one("#out", PathInput).value.strip()
        if not out:
            return "Type the name of the file to write."
        chosen = str(self.query_one("#format", Select).value)
        fmt = None if chosen == FROM_NAME else chosen
        target, session = self.target, self.spotui_app.session
        return lambda: session.exports.write_file(
            target, fmt, Path(out).expanduser().absolute()
        ).summary()

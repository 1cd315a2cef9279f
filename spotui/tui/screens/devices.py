"""The device picker (``d``): the user's Spotify devices; choosing one moves playback there.

Opened by ``d`` to switch, and instead of an error toast when a queue action finds no
active device (the tracks are then queued on the chosen one). The device list is read
once when it opens (``r`` reads it again): no polling, the quota is the user's.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from spotui.core.errors import UserError
from spotui.core.untrusted import inert
from spotui.tui.actions import bindings_for
from spotui.tui.typed import spotui_app

NONE_ONLINE = (
    "No Spotify device is online. Open Spotify on your phone or computer, or the web player "
    "(open.spotify.com), then press r to look again."
)


class DevicePicker(ModalScreen[str | None]):
    """Dismisses with the chosen device's id, or None."""

    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("devices",)
    BINDINGS = bindings_for(*SCOPES)
    spotui_app = property(spotui_app)

    def __init__(self, devices: list | None = None, note: str = "") -> None:
        super().__init__()
        self.devices = devices
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="devices") as box:
            box.border_title = "Play on which device?"
            box.border_subtitle = "enter chooses · r reloads · esc cancels"
            yield Static(Text(inert(self.note, multiline=True)), id="devices-note", classes="hint")
            yield OptionList(id="device-list")

    def on_mount(self) -> None:
        self.query_one("#devices-note").display = bool(self.note)
        if self.devices is None:
            self.action_reload()
        else:
            self.show(self.devices)

    def show(self, devices: list) -> None:
        self.devices = devices
        options = self.query_one("#device-list", OptionList)
        options.clear_options()
        for d in devices:
            # anyone can name a device: its name is inert text, never markup
            mark = "▶ " if d.is_active else "  "
            label = Text(mark + inert(d.label()), style="bold" * d.is_active)
            if d.is_restricted:
                label.append("  (Spotify allows no remote control)", style="dim")
            options.add_option(Option(label, id=d.id, disabled=d.is_restricted or not d.id))
        if not devices:
            options.add_option(Option(Text(NONE_ONLINE, style="italic"), disabled=True))
        options.focus()
        active = next((i for i, d in enumerate(devices) if d.is_active), 0)
        options.highlighted = active if devices else None

    @work(thread=True, exclusive=True, group="devices", exit_on_error=False)
    def load(self) -> None:
        try:
            devices = self.spotui_app.session.player.devices()
        except UserError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self.show, devices)

    def _failed(self, message: str) -> None:
        note = self.query_one("#devices-note", Static)
        note.update(Text(inert(message, multiline=True), style="bold red"))
        note.display = True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_reload(self) -> None:
        self.query_one("#device-list", OptionList).clear_options()
        self.query_one("#device-list", OptionList).add_option(Option("Looking…", disabled=True))
        self.load()

    def action_cancel(self) -> None:
        self.dismiss(None)

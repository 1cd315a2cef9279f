"""The playback line: active device, what plays, what spotui queued last.

Filled on demand (start-up, ``R``, after queueing or switching device), never polled: it
watches the app's ``playback``, which the devices flow sets (:mod:`spotui.tui.flows.devices`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from spotui.core.untrusted import inert

#: What the line says while the request is under way.
ASKING = "asking Spotify…"


@dataclass(frozen=True, slots=True)
class PlaybackProblem:
    """The line's answer when Spotify could not say where playback is (its message)."""

    message: str


@dataclass(frozen=True, slots=True)
class RadioLine:
    """What the radio says ("Radio: Calm Acoustic · next: ... · ▶ ..."), already inert;
    ``active`` False: its last word (why it stopped)."""

    text: str
    active: bool = True


class PlaybackLine(Static):
    DEFAULT_CSS = """
    PlaybackLine { width: auto; max-width: 65%; height: 1; padding: 0 1; color: $text-muted;
                   background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    #: a radio plays: its line stays until it stops (a device read in between is older news)
    radio_active = False

    def on_mount(self) -> None:
        self.watch(self.app, "playback", self._changed, init=False)

    def _changed(self, playback: object) -> None:
        """A Playback, a PlaybackProblem, a RadioLine, or a line of its own ("asking
        Spotify…")."""
        if isinstance(playback, RadioLine):
            self.radio_active = playback.active
            self.update(Text(inert(playback.text), no_wrap=True, overflow="ellipsis"))
        elif self.radio_active:
            return
        elif isinstance(playback, PlaybackProblem):
            self.problem(playback.message)
        elif isinstance(playback, str):
            self.update(playback)
        elif playback is not None:
            self.show(playback)

    def show(self, state) -> None:
        """``state``: a :class:`spotui.export.player.Playback`."""
        # in --demo the device names say so ("Demo player (spotui --demo)")
        # device and track names are anybody's text (anyone can name a device)
        self.update(Text(inert(state.summary()), no_wrap=True, overflow="ellipsis"))

    def problem(self, message: str) -> None:
        self.update(
            Text(inert(f"playback: {message}"), style="dim", no_wrap=True, overflow="ellipsis")
        )

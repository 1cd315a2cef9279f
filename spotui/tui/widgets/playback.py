"""The playback line: active device, what plays, what spotui queued last.

Filled on demand (start-up, ``R``, after queueing or switching device), never polled.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from spotui.core.untrusted import inert


class PlaybackLine(Static):
    DEFAULT_CSS = """
    PlaybackLine { width: auto; max-width: 65%; height: 1; padding: 0 1; color: $text-muted;
                   background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def show(self, state) -> None:
        """``state``: a :class:`spotui.export.player.Playback`."""
        # in --demo the device names say so ("Demo player (spotui --demo)")
        # device and track names are anybody's text (anyone can name a device)
        self.update(Text(inert(state.summary()), no_wrap=True, overflow="ellipsis"))

    def problem(self, message: str) -> None:
        self.update(
            Text(inert(f"playback: {message}"), style="dim", no_wrap=True, overflow="ellipsis")
        )

"""Messages widgets post upwards; the screen or app routes them (widgets never reach into
each other)."""

from __future__ import annotations

from textual.message import Message


class SourceHighlighted(Message):
    """The cluster list's highlight moved: "all", "unanalysed", "selection" or "c<id>"."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source


class TrackHighlighted(Message):
    """The track table's cursor is on ``track_id`` (None: the table is empty)."""

    def __init__(self, track_id: str | None) -> None:
        super().__init__()
        self.track_id = track_id


class TrackChosen(Message):
    """Enter on a track: select it and look at its recommendations."""

    def __init__(self, track_id: str) -> None:
        super().__init__()
        self.track_id = track_id


class RegionSelected(Message):
    """The mood map's rectangle selection closed over ``track_ids``."""

    def __init__(self, track_ids: list[str]) -> None:
        super().__init__()
        self.track_ids = track_ids


class MapCursorMoved(Message):
    """The mood map's cursor or rectangle changed (the screen updates its side panel)."""

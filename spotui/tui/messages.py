"""Messages widgets and screens post upwards; the screen or app routes them.

Two kinds. View messages (a highlight moved, a region was selected) are answered by the
screen that shows them. Requests (``...Requested``) start a flow: the app hands each to
its flow in :mod:`spotui.tui.flows`, so a widget says what the user asked for and never
reaches into the app, another widget or a screen it would have to import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from spotui.tui.source import Source

if TYPE_CHECKING:
    from spotui.export.targets import ExportTarget
    from spotui.session.seeds import Recommendations, Seeds


class SourceHighlighted(Message):
    """The cluster list's highlight moved to ``source``."""

    def __init__(self, source: Source) -> None:
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


# ---------------------------------------------------------------------- requests (flows)
class QueueRequested(Message):
    """Queue ``track_ids`` on Spotify. With ``what`` (the list's name, "these
    recommendations"), the session may ask first; ``view``: the library generation they were
    chosen in (None: the one shown now)."""

    def __init__(
        self, track_ids: list[str], what: str | None = None, view: int | None = None
    ) -> None:
        super().__init__()
        self.track_ids = list(track_ids)
        self.what = what
        self.view = view


class SkipRequested(Message):
    """Not this recommendation: do not offer ``track_id`` again for a while."""

    def __init__(self, track_id: str) -> None:
        super().__init__()
        self.track_id = track_id


class UnskipRequested(Message):
    """Take the skip of ``track_id`` back."""

    def __init__(self, track_id: str) -> None:
        super().__init__()
        self.track_id = track_id


class ExportRequested(Message):
    """Show the plan of exporting ``target`` as a playlist; export on OK."""

    def __init__(self, target: ExportTarget) -> None:
        super().__init__()
        self.target = target


class SelectionExportRequested(Message):
    """Export the mood map's selection (the session makes its target, off the UI thread)."""

    def __init__(self, track_ids: list[str]) -> None:
        super().__init__()
        self.track_ids = list(track_ids)


class ExtendRequested(Message):
    """Recommend for the user's playlist ``playlist_id`` and offer to add them to its end."""

    def __init__(self, playlist_id: str, new_only: bool = False) -> None:
        super().__init__()
        self.playlist_id = playlist_id
        self.new_only = new_only


class DeviceChoiceRequested(Message):
    """Let the user choose the device to play on (``d``)."""


class PlaybackRefreshRequested(Message):
    """Ask Spotify once more where playback is (``R``)."""


class ImportRequested(Message):
    """Open the CSV import; after an import, show the library (``first``: from the welcome
    screen, where there is no main screen to reload yet)."""

    def __init__(self, first: bool = False) -> None:
        super().__init__()
        self.first = first


class RecDetailRequested(Message):
    """Open recommendation ``index`` of ``answer`` in full (its reason, its features)."""

    def __init__(self, answer: Recommendations, index: int) -> None:
        super().__init__()
        self.answer = answer
        self.index = index


class ReorderRequested(Message):
    """Put the user's playlist ``playlist_id`` (called ``name``) itself in ``arc``'s order
    (first ``start`` if given): the dry run shown first, then the reorder on OK."""

    def __init__(self, playlist_id: str, name: str, arc: str, start: str | None = None) -> None:
        super().__init__()
        self.playlist_id = playlist_id
        self.name = name
        self.arc = arc
        self.start = start


class RadioRequested(Message):
    """The radio key: start a radio on ``seeds`` (None: nothing to start from), or stop
    the one playing."""

    def __init__(self, seeds: Seeds | None, discover: bool = False) -> None:
        super().__init__()
        self.seeds = seeds
        self.discover = discover


class RadioStopRequested(Message):
    """esc with no filter open: stop the radio, if one plays."""


class RadioSkipRequested(Message):
    """The user skipped the radio's playing track (``track_id``: only if it is that one)."""

    def __init__(self, track_id: str | None = None) -> None:
        super().__init__()
        self.track_id = track_id

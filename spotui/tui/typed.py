"""The app as screens, widgets and flows see it: a typed view of :class:`SpotuiApp`.

Why a Protocol and not an import of the app: the app imports every screen, and a screen
importing the app back (even under ``TYPE_CHECKING``, which the layer checks count) is the
cycle issue 21 removed. So this module states what the faces read of the app, the app
satisfies it, and ``self.spotui_app`` (``spotui_app = property(spotui_app)`` on a class,
or :func:`spotui_app` on a node) is that type instead of Textual's untyped ``App``.
Anything a widget wants *done* is a message (:mod:`spotui.tui.messages`), not a method here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.geometry import Size
    from textual.notifications import SeverityLevel
    from textual.screen import Screen
    from textual.worker import Worker

    from spotui.analysis.moods.result import SegmentResult
    from spotui.config.env import Config
    from spotui.config.user_file import UiSettings
    from spotui.core.errors import UserError
    from spotui.session.facade import Session
    from spotui.tui.rows import LibraryRows


class SpotuiAppView(Protocol):
    """What the app holds for the faces (the library on screen, settings, the session), and
    the few Textual calls they make through it."""

    config: Config
    session: Session
    ui: UiSettings
    keymap: dict[str, str]
    #: The library's rows for the track table (None until the first read).
    rows: LibraryRows | None
    #: The user's own playlists ``(Playlist, track count)`` and their track ids.
    playlists: list
    playlist_items: dict[str, list[str]]
    #: Tracks that joined a mood since the user last looked at it.
    news: set[str]
    map_selection: list[str]
    library_shown: threading.Event
    background_status: str
    #: Where playback is (a Playback, a PlaybackProblem or a line of its own); watched.
    playback: object
    size: Size

    @property
    def result(self) -> SegmentResult | None: ...

    # ---- what the faces read
    def news_by_mood(self) -> dict[int, int]: ...
    def is_new(self, track_id: str) -> bool: ...
    def color_of(self, track_id: str) -> str | None: ...
    def can_play(self) -> bool: ...
    def key_for(self, action_id: str) -> str: ...

    # ---- what changes the view state the app keeps
    def remember(self, **changes: Any) -> None: ...
    def mark_seen(self, track_ids: list[str]) -> None: ...
    def start_segment(self, choice: tuple[int | None, str] | None = None) -> None: ...
    def load_library(self, *args: Any, **kwargs: Any) -> Worker[None]: ...
    def library_changed(self) -> None: ...
    def refresh_playback(self) -> None: ...
    def fail(self, error: UserError) -> None: ...
    def open_main(self) -> None: ...
    def use_demo(self) -> None: ...
    def action_sync(self) -> None: ...

    # ---- Textual's App, as the faces call it
    def call_from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any: ...
    def push_screen(self, screen: Screen[Any], callback: Any = None) -> Any: ...
    def run_worker(self, work: Any, *args: Any, **kwargs: Any) -> Worker[Any]: ...
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...
    def exit(self, *args: Any, **kwargs: Any) -> None: ...


def spotui_app(node: DOMNode) -> SpotuiAppView:
    """``node.app`` typed as the spotui app it always is."""
    return cast("SpotuiAppView", node.app)

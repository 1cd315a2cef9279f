"""The progress/cancel protocol every long core call takes.

Core functions accept ``progress(done, total, message)`` and ``cancel()`` (returns True
when the user wants to stop) so the TUI can drive a progress bar and the CLI a rich
progress line from the same code, without the core knowing which face it serves.
"""

from __future__ import annotations

from collections.abc import Callable

from spotui.errors import Cancelled

Progress = Callable[[int, int, str], None]
CancelCheck = Callable[[], bool]


def no_progress(done: int, total: int, message: str) -> None:
    """Default progress callback: ignore."""


def never_cancel() -> bool:
    return False


def check_cancel(cancel: CancelCheck | None) -> None:
    """Raise :class:`Cancelled` if the user asked to stop."""
    if cancel is not None and cancel():
        raise Cancelled("cancelled by user")

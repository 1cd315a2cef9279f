"""The progress/cancel protocol every long core call takes.

Core functions accept ``progress(done, total, message)`` and ``cancel()`` (returns True
when the user wants to stop) so the TUI can drive a progress bar and the CLI a rich
progress line from the same code, without the core knowing which face it serves.

A message may be a :class:`Step`: still a plain string for whoever prints it, but it also
says which phase of a multi-phase job it belongs to, so a face that lists the phases
(the TUI's sync screen) reads ``step.phase`` instead of parsing message prefixes.
"""

from __future__ import annotations

from collections.abc import Callable

from spotui.core.errors import Cancelled

Progress = Callable[[int, int, str], None]
CancelCheck = Callable[[], bool]


class Step(str):
    """A progress message that names its phase (and a detail within it)."""

    phase: str
    detail: str

    def __new__(cls, phase: str, detail: str = "", text: str | None = None) -> Step:
        if text is None:
            text = f"{phase} ({detail})" if detail else phase
        step = super().__new__(cls, text)
        step.phase = phase
        step.detail = detail
        return step


def no_progress(done: int, total: int, message: str) -> None:
    """Default progress callback: ignore."""


def check_cancel(cancel: CancelCheck | None) -> None:
    """Raise :class:`Cancelled` if the user asked to stop."""
    if cancel is not None and cancel():
        raise Cancelled("cancelled by user")

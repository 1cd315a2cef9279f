"""A rich progress line driven by the core's ``progress(done, total, message)`` callback."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any


class RichProgress:
    """Context manager; calling the instance reports progress. Silent when disabled.

    ``console`` makes the rich console to draw on (called once, on entering, when
    enabled): handed in by :func:`spotui.cli.progress_bar`, so this module does not import
    the CLI package that imports it.
    """

    def __init__(self, description: str, enabled: bool = True, *, console: Callable[[], Any]):
        self.description = description
        self.enabled = enabled
        self._console = console
        self._progress = None
        self._task = None

    def __enter__(self) -> RichProgress:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                # the message names what is being fetched (a playlist): text, not markup
                TextColumn("{task.fields[message]}", markup=False),
                TimeElapsedColumn(),
                console=self._console(),
                transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task(self.description, total=None, message="")
        return self

    def __call__(self, done: int, total: int, message: str = "") -> None:
        if self._progress is not None:
            from spotui.core.untrusted import inert

            self._progress.update(
                self._task, completed=done, total=total or None, message=inert(message)
            )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.__exit__(exc_type, exc, tb)

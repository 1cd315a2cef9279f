"""Driving the TUI in tests: run a Pilot test, wait for a condition (never for a fixed
time), and read what the main screen shows.

Why waits are conditions: a fixed ``pilot.pause(0.2)`` is too short on a loaded CI machine
(the test fails for nothing) and too long everywhere else (the suite waits for nothing).
:func:`wait_for` polls until the condition holds and fails naming what it waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spotui.tui.screens.main import MainScreen

#: How often :func:`wait_for` looks again (seconds of the app running in between).
POLL = 0.02


def sync(test):
    """Run an async Pilot test without an async pytest plugin."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


async def ready(pilot) -> MainScreen:
    """Wait until the main screen shows the library, its clusters and recommendations."""
    from spotui.tui.screens.main import MainScreen

    app = pilot.app
    await settle(pilot)
    assert isinstance(app.screen, MainScreen)
    return app.screen


def view_ids(screen: MainScreen) -> list[str]:
    """The track ids the track table lists, in its order."""
    from spotui.tui.widgets.track_table import TrackTable

    return screen.query_one(TrackTable).track_ids


async def idle(pilot) -> None:
    """Let what a key press started finish: its messages handled, its workers done and
    their answers shown (what a fixed pause used to hope for)."""
    await pilot.pause()
    await workers_done(pilot.app)
    await pilot.pause()


async def workers_done(app) -> None:
    """Wait for every worker of the app; one cancelled on the way (a newer cursor move
    replaced it) is done too, where ``workers.wait_for_complete`` raised. A failed one
    still fails the test."""
    from textual.worker import WorkerCancelled

    for worker in list(app.workers):
        with contextlib.suppress(WorkerCancelled):
            await worker.wait()


async def settle(pilot) -> None:
    """Wait until the app shows the library and its background workers are done."""
    app = pilot.app
    await wait_for(
        pilot,
        lambda: app.library_shown.is_set() and app.result is not None,
        what="the library shown with a segmentation (app.library_shown set, app.result)",
        timeout=10.0,
    )
    for _ in range(2):  # a worker's answer may start another (a re-segment, then its recs)
        await workers_done(app)
        await wait_for(
            pilot,
            lambda: recs_settled(app) or _main(app) is None,
            what="the main screen's recommendations settled",
        )
        await pilot.pause()
    await workers_done(app)
    await pilot.pause()


async def wait_for(pilot, predicate, timeout: float = 20.0, what: str = "") -> None:
    """Let the app run until ``predicate()`` holds (workers finish, screens open).

    Fails with ``what`` (or the predicate's source line) when it does not hold in time, so
    a test that waited for nothing says what it waited for.
    """
    for _ in range(int(timeout / POLL)):
        if predicate():
            return
        await pilot.pause(POLL)
    if predicate():
        return
    raise AssertionError(f"not reached in {timeout:g} s: {what or _describe(predicate)}")


def _describe(predicate) -> str:
    import inspect

    try:
        return inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)


def recs_settled(app) -> bool:
    """The main screen's recommendations are for what is highlighted now (its rest delay
    passed) and no recommendation worker is still running."""
    screen = _main(app)
    if screen is None:
        return False
    target = screen.rec_target()
    if target is not None and screen._rec_key != (target, screen.new_only, screen.discover):
        return False
    return not any(w.group == "recs" and not w.is_finished for w in app.workers)


def export_summary(app) -> str:
    """The export dialog's summary once it is shown ("" until then)."""
    found = app.screen.query("#export-summary")
    text = str(found.first().render()) if found else ""
    return text if "Action" in text else ""


def _main(app):
    """The main screen (it recommends), wherever it is in the stack, or None."""
    return next((s for s in reversed(app.screen_stack) if hasattr(s, "rec_target")), None)

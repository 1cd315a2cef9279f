"""Snapshot tests of the TUI on the demo library (pytest-textual-snapshot).

Update after an intended change with ``pytest tests/test_tui_snapshots.py --snapshot-update``
and look at the SVGs under tests/__snapshots__/ before committing them.
"""

from __future__ import annotations

from tests.conftest import settle


def steps(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.05)
        await settle(pilot)

    return run_before


def test_main_screen_120x40(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(120, 40), run_before=steps("down", "down"))


def test_main_screen_80x24(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=steps("down"))


def test_cluster_recommendations(snap_compare, demo_app):
    assert snap_compare(
        demo_app, terminal_size=(120, 40), run_before=steps("shift+tab", "down", "down")
    )


def test_mood_map(snap_compare, demo_app):
    keys = ("m", "space", "shift+right", "shift+right", "shift+down", "space")
    assert snap_compare(demo_app, terminal_size=(120, 40), run_before=steps(*keys))


def test_help(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(120, 40), run_before=steps("question_mark"))


def test_discovery_on(snap_compare, demo_app):
    async def run_before(pilot) -> None:
        await steps("down", "D")(pilot)
        await pilot.pause(0.8)  # discovery waits for the cursor to rest
        await settle(pilot)
        pilot.app.clear_notifications()  # the toggle's toast: gone after 3 s anyway
        await pilot.pause()

    assert snap_compare(demo_app, terminal_size=(120, 40), run_before=run_before)

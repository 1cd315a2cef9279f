"""Snapshot tests of the TUI on the demo library (pytest-textual-snapshot).

Update after an intended change with ``pytest tests/test_tui_snapshots.py --snapshot-update``
and look at the SVGs under tests/__snapshots__/ before committing them.
"""

from __future__ import annotations

import shutil

import pytest

from spotui.analysis.segment import segment
from spotui.config import load as load_config
from spotui.store import Store
from spotui.tui.app import SpotuiApp


@pytest.fixture(scope="session")
def segmented_demo_snap(_demo_db_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("tui-snap") / "demo.sqlite3"
    shutil.copy(_demo_db_file, path)
    with Store.open(path) as store:
        segment(store)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def demo_app(segmented_demo_snap, isolated_env, tmp_path):
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    shutil.copy(segmented_demo_snap, data / "demo.sqlite3")
    return SpotuiApp(load_config(demo=True))


async def settle(pilot) -> None:
    app = pilot.app
    for _ in range(200):
        await pilot.pause(0.05)
        if app.library_shown.is_set() and app.result is not None:
            break
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
    await app.workers.wait_for_complete()
    await pilot.pause()


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
    assert snap_compare(demo_app, terminal_size=(120, 40),
                        run_before=steps("shift+tab", "down", "down"))


def test_mood_map(snap_compare, demo_app):
    keys = ("m", "space", "shift+right", "shift+right", "shift+down", "space")
    assert snap_compare(demo_app, terminal_size=(120, 40), run_before=steps(*keys))


def test_help(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(120, 40), run_before=steps("question_mark"))

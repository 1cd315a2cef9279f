"""Snapshots at 80x24 of the first-run setup screen and the device picker (demo devices)."""

from __future__ import annotations

from spotui.config.env import load as load_config
from spotui.tui.app import SpotuiApp
from tests.tui.test_snapshots import steps


def test_setup_screen_80x24(snap_compare, isolated_env):
    app = SpotuiApp(load_config())  # no library, no client id: the welcome screen
    assert snap_compare(app, terminal_size=(80, 24), press=["l"])


def test_device_picker_80x24(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=steps("d"))

"""Snapshot tests of the TUI on the demo library (pytest-textual-snapshot).

Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and look at the SVGs under tests/__snapshots__/ before committing them.
"""

from __future__ import annotations

from pathlib import Path

from tests.tui.pilot import idle, recs_settled, settle, wait_for


def steps(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await idle(pilot)
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


def test_main_screen_160x45_sorted(snap_compare, demo_app):
    """Wide: the cluster pane fits its labels; sorting shows the top of the sort."""
    keys = ("shift+tab", "j", "j", "tab", "ctrl+d", "6")
    assert snap_compare(demo_app, terminal_size=(160, 45), run_before=steps(*keys))


def test_main_screen_80x24_sorted_by_valence(snap_compare, demo_app):
    """Narrow: the arrow follows its letter in the folded feature column; ^p stays."""
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=steps("j", "j", "4"))


def test_recommendation_detail_80x24(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=steps("enter", "j", "enter"))


def test_export_dialog_80x24(snap_compare, demo_app, monkeypatch):
    """The export dialog fits an 80x24 terminal, with the demo outbox path (a fixed one
    here: the real one is under pytest's temporary directory; and a fixed export id, which
    is random per library and shows in the playlist description's marker)."""
    import secrets

    from spotui.config.env import Config

    monkeypatch.setattr(secrets, "token_hex", lambda n=8: "5" * (2 * n))
    shown = Path("~/.local/share/spotui/demo-outbox.jsonl")
    monkeypatch.setattr(Config, "outbox_path", property(lambda self: shown))
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=steps("h", "j", "e"))


def test_unanalysed_track_80x24(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=steps("h", "G", "l"))


def test_help_80x24(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=steps("question_mark"))


def test_discovery_on(snap_compare, demo_app):
    async def run_before(pilot) -> None:
        await steps("down", "D")(pilot)
        # discovery waits for the cursor to rest, then asks in a worker
        await wait_for(pilot, lambda: recs_settled(pilot.app), what="recommendations settled")
        await settle(pilot)
        pilot.app.clear_notifications()  # the toggle's toast: gone after 3 s anyway
        await pilot.pause()

    assert snap_compare(demo_app, terminal_size=(120, 40), run_before=run_before)


def test_order_preview_80x24(snap_compare, demo_app):
    """``o`` on a playlist, the build arc: the arcs, the curve over the arc, the numbers and
    the steps with BPM and Camelot key fit 80x24."""
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=steps("h", "end", "o", "2"))

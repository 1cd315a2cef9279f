"""The main screen and the mood map at 80x24, read off the painted screen.

At 80x24 every mood is either on screen (whole label, wrapped if need be) or counted by the
clusters pane's scroll indicator; the highlighted recommendation's whole reason is under the
list; the first line of "why" is in the detail pane without focusing or scrolling it; the
status line is whole; the map's legend shows every label whole.
"""

from __future__ import annotations

import re
import shutil

import pytest

from spotui.store import Store
from spotui.tui.screens.main import MainScreen
from spotui.tui.widgets.cluster_list import ClusterList
from spotui.tui.widgets.recommendations import RecommendationList
from tests.conftest import app_on
from tests.tui.pilot import settle, sync, wait_for

SIZE = (80, 24)
_SCROLLBAR = "▁▂▃▄▅▆▇█ "


@pytest.fixture(scope="module")
def eight_moods(_demo_db_file, tmp_path_factory):
    """The demo library in 8 moods (`spotui --demo segment --k 8`): more than 80x24 has rows."""
    from spotui.session.mood_store import segment

    path = tmp_path_factory.mktemp("k8") / "demo.sqlite3"
    shutil.copy(_demo_db_file, path)
    with Store.open(path) as s:
        segment(s, k=8)
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def app8(eight_moods, isolated_env, tmp_path):
    return app_on(eight_moods, tmp_path)


def painted(app) -> list[str]:
    """The screen as lines of characters (every cell here is one character wide)."""
    strips = app.screen._compositor.render_strips()
    return ["".join(segment.text for segment in strip) for strip in strips]


def area(app, widget, inner: bool = True) -> list[str]:
    """The painted lines of ``widget`` (inside its border when ``inner``)."""
    r = widget.region
    lines = [line[r.x : r.x + r.width] for line in painted(app)[r.y : r.y + r.height]]
    return [line[1:-1] for line in lines[1:-1]] if inner else lines


def flat(lines: list[str]) -> str:
    """The lines as one text, wrapping undone (whitespace collapsed)."""
    return " ".join(" ".join(lines).split())


def legend_entries(lines: list[str]) -> list[str]:
    """Labels of "██ Label  size" rows whose label may wrap onto lines of its own below;
    an entry cut at the bottom comes out incomplete (and so matches no label)."""
    entries: list[list[str]] = []
    for line in lines:
        text = line.rstrip(_SCROLLBAR) if not line.startswith("██") else line
        text = text.rstrip().rstrip(_SCROLLBAR).rstrip()
        if text.startswith("██ "):
            label = re.sub(r"\s+[\d,]+$", "", text[3:].strip())
            entries.append([label])
        elif text.startswith("   ") and entries and text.strip():
            entries[-1].append(text.strip())
        else:
            entries.append([]) if entries and entries[-1] else None
    return [" ".join(e) for e in entries if e]


async def _ready(pilot) -> MainScreen:
    await settle(pilot)
    assert isinstance(pilot.app.screen, MainScreen)
    return pilot.app.screen


@sync
async def test_every_mood_is_on_screen_or_counted_at_80x24(app8):
    async with app8.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        labels = [c.label for c in pilot.app.result.clusters]
        assert len(labels) == 8
        pane = screen.query_one("#clusters-pane")
        clusters = screen.query_one(ClusterList)
        shown = [e for e in legend_entries(area(pilot.app, pane)) if e in labels]
        hidden = [lab for lab in labels if lab not in shown]
        assert hidden, "8 moods in 7 rows: some are out of view"
        bottom = area(pilot.app, pane, inner=False)[-1]
        assert f"↓ {len(hidden)} more moods" in bottom
        # at the end of the list the indicator counts the moods above instead
        clusters.focus()
        await pilot.press("G")
        await pilot.pause()
        shown = [e for e in legend_entries(area(pilot.app, pane)) if e in labels]
        above = len(labels) - len(shown)
        bottom = area(pilot.app, pane, inner=False)[-1]
        assert f"↑ {above} moods above" in bottom


@sync
async def test_the_highlighted_recommendations_whole_reason_is_under_the_list(app8):
    async with app8.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        recs = screen.query_one(RecommendationList)
        pane = screen.query_one("#recs-pane")
        first = recs.current
        assert first is not None and len(first.reason) > 40  # longer than a row has room for
        text = flat(area(pilot.app, pane))
        assert f"1. {first.reason}" in text
        recs.focus()
        await pilot.press("down")
        await pilot.pause()
        second = recs.current
        assert f"2. {second.reason}" in flat(area(pilot.app, pane))
        # rows are one line each at this width: six recommendations in view, not three
        assert (
            sum(1 for line in area(pilot.app, recs, inner=False) if re.match(r" ?\d\. ", line)) >= 5
        )


@sync
async def test_the_first_why_line_is_visible_without_focus_at_80x24(app8):
    async with app8.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        detail_scroll = screen.query_one("#detail-scroll")
        assert screen.focused is not detail_scroll and detail_scroll.scroll_y == 0
        detail = pilot.app.session.moods.track_detail(screen.track_id)
        first = detail.why[0]
        assert first.startswith(("Sits ", "A borderline track", "Nearer the typical sound"))
        assert first in flat(area(pilot.app, detail_scroll))


@sync
async def test_the_status_line_is_whole_at_80x24(app8):
    async with app8.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        await pilot.press("3", "a")  # sort by energy; queue one (the playback line grows)
        await settle(pilot)
        status = painted(pilot.app)[screen.query_one("#status").region.y]
        assert "8 moods (kmeans) · sorted by Energy ▼" in status
        assert status.rstrip().endswith("■ Demo player (spotui --demo) · q…")  # cut on its side


def side_lines(app) -> list[str]:
    """The mood map's side panel as painted ([] before the map screen is up)."""
    found = app.screen.query("#map-side")
    return area(app, found.first()) if found else []


@sync
async def test_the_map_legend_shows_every_label_whole_at_80x24(app8):
    async with app8.run_test(size=SIZE) as pilot:
        await _ready(pilot)
        await pilot.press("m")
        await wait_for(pilot, lambda: "Under cursor" in flat(side_lines(pilot.app)), what="legend")
        side = pilot.app.screen.query_one("#map-side")
        labels = [c.label for c in pilot.app.result.clusters]
        lines = [line[1:] for line in area(pilot.app, side)]  # its padding
        assert legend_entries(lines) == labels

"""The TUI on a library whose names are terminal commands and markup tags: it starts,
renders and filters, and what it paints holds the names visibly and nothing a terminal
would act on (spotui.core.untrusted)."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace

import pytest

from spotui.core.untrusted import inert
from spotui.store import Store
from spotui.tui.screens.main import MainScreen
from spotui.tui.widgets.track_table import TrackTable
from tests.tui.pilot import sync, wait_for, workers_done

HOSTILE = [
    "[/]",
    "\x1b[2J",
    "\x1b]0;pwned\x07",
    "\x1b[6n",
    "\x9b",
    "\u202e",
    "[link=https://evil]x[/link]",
]
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile_app(segmented_demo, isolated_env, tmp_path):
    """The app on the segmented demo library, its first rows (title order: "!" sorts
    first), their artists and a playlist named with the hostile names."""
    from spotui.config.env import load as load_config
    from spotui.tui.app import SpotuiApp

    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    shutil.copy(segmented_demo, data / "demo.sqlite3")
    with Store.open(data / "demo.sqlite3") as s:
        tracks = s.tracks.get_tracks(scope="all")
        s.tracks.upsert_tracks(
            replace(t, name=f"!{HOSTILE[i % 7]} {i}", artists=(HOSTILE[(i + 3) % 7],))
            for i, t in enumerate(tracks[:200])
        )
        playlist = s.library.playlists()[0][0]
        s.library.upsert_playlists([replace(playlist, name="[/]\x1b]0;pwned\x07")])
    return SpotuiApp(load_config(demo=True))


def painted(app) -> str:
    """Every character the screen would write to the terminal (the text of its segments;
    the style codes around them are Textual's own)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def shown(pilot) -> MainScreen:
    app = pilot.app
    await wait_for(pilot, lambda: app.library_shown.is_set() and app.result is not None)
    await workers_done(app)
    await pilot.pause()
    assert isinstance(app.screen, MainScreen)
    return app.screen


@sync
async def test_hostile_first_rows_render_inert(hostile_app):
    async with hostile_app.run_test(size=(120, 40)) as pilot:
        screen = await shown(pilot)
        table = screen.query_one(TrackTable)
        first = table.get_row_at(0)[1].plain
        assert first.startswith("!") and FORBIDDEN.search(first) is None
        await pilot.press("down", "down", "down")  # detail, recommendations and their title
        await workers_done(pilot.app)
        await pilot.pause()
        text = painted(pilot.app)
        assert FORBIDDEN.findall(text) == []
        assert "␛[2J" in text and "␛]0;pwned␇" in text and "␛[6n" in text
        assert "[link=https://evil]x[/link]" in text or "[link=https://evil]" in text
        assert "[/]␛]0;pwned␇" in text  # the playlist, in the clusters pane
        assert not pilot.app._exception


@sync
async def test_markup_typed_into_the_filter_is_text(hostile_app):
    async with hostile_app.run_test(size=(120, 40)) as pilot:
        screen = await shown(pilot)
        await pilot.press("slash", "left_square_bracket", "slash", "right_square_bracket")
        await wait_for(pilot, lambda: screen.query_text == "[/]")
        table = screen.query_one(TrackTable)
        await wait_for(pilot, lambda: 0 < table.view_size == table.loaded)  # all rows filled
        # the title or the artist holds "[/]": rows i = 0 and 4 (mod 7), shown inert
        expected = [inert(f"!{HOSTILE[i % 7]} {i}") for i in range(200) if i % 7 in (0, 4)]
        assert sorted(table.get_row_at(r)[1].plain for r in range(table.view_size)) == sorted(
            expected
        )
        await pilot.pause()
        text = painted(pilot.app)
        assert f"{table.view_size} matching “[/]”" in text
        assert FORBIDDEN.findall(text) == []
        assert not pilot.app._exception

"""Settings remembered across restarts and keys remapped in config.toml (pilot tests)."""

from __future__ import annotations

import shutil
import tomllib

import pytest
from rich.console import Console

from spotui.config.env import load as load_config
from spotui.tui.app import SpotuiApp
from spotui.tui.screens.help import HelpScreen, help_table
from spotui.tui.screens.main import MainScreen
from spotui.tui.screens.map import MapScreen
from spotui.tui.widgets.track_table import TrackTable
from tests.tui.pilot import settle, sync, wait_for


@pytest.fixture
def make_app(segmented_demo, isolated_env, tmp_path):
    """``make_app(config_text=None)``: a fresh demo app (a restart) on the same dirs."""
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    shutil.copy(segmented_demo, data / "demo.sqlite3")
    cdir = tmp_path / "config"
    cdir.mkdir(exist_ok=True)

    def make(config_text: str | None = None) -> SpotuiApp:
        if config_text is not None:
            (cdir / "config.toml").write_text(config_text)
        return SpotuiApp(load_config(demo=True))

    make.config_path = cdir / "config.toml"
    return make


def notes(app) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


@sync
async def test_sort_new_only_and_theme_survive_a_restart(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3", "3")  # energy, then reversed (ascending)
        await pilot.press("n")
        app.theme = "nord"
        await pilot.pause()
    saved = tomllib.loads(make_app.config_path.read_text())["ui"]
    assert saved == {"theme": "nord", "sort": "energy", "sort_descending": False, "new_only": True}

    again = make_app()
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = again.screen
        assert isinstance(screen, MainScreen)
        assert (screen.sort_key, screen.descending, screen.new_only) == ("energy", False, True)
        assert again.theme == "nord"
        rows = again.rows
        expected = [rows.ids[i] for i in rows.view(None, "", "energy", False)]
        assert screen.query_one(TrackTable).track_ids == expected
        assert "sorted by Energy ▲" in str(screen.query_one("#status").render())


@sync
async def test_pane_sizes_are_remembered(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = app.screen.query_one("#clusters-pane").outer_size.width
        await pilot.press("greater_than_sign", "greater_than_sign", "minus")
        await pilot.pause()
        assert app.screen.query_one("#clusters-pane").outer_size.width == before + 8
    ui = tomllib.loads(make_app.config_path.read_text())["ui"]
    assert ui["clusters_width"] == before + 8
    assert 20 <= ui["bottom_height"] <= 80

    again = make_app()
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert again.screen.query_one("#clusters-pane").outer_size.width == before + 8
        rows = again.screen.query_one("#bottom").outer_size.height
        assert rows == int(again.screen.size.height * ui["bottom_height"] / 100)


@sync
async def test_a_remapped_key_works_and_the_old_one_does_not(make_app):
    app = make_app('[keys]\n"main.mood_map" = "w"\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, MapScreen))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=200, record=True)
        console.print(help_table(app.keymap))
        line = next(x for x in console.export_text().splitlines() if " Mood map " in x)
        assert line.split()[:3] == ["w", "Mood", "map"]
        assert line.rstrip().endswith("[main.mood_map]")
        assert notes(app) == ""  # nothing to complain about


@sync
async def test_unknown_ids_and_clashes_are_reported_at_start(make_app):
    app = make_app('[keys]\n"main.nope" = "x"\n"main.export" = "r"\n"tracks.select" = "j"\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = notes(app)
        assert "[keys] 'main.nope' is not an action id (? lists them)" in text
        assert "[keys] main.export and main.resegment both use r; only one of them will work" in (
            text
        )
        assert "[keys] 'tracks.select' is handled by the pane itself; not remapped" in text


@sync
async def test_bad_ui_values_are_a_notification_not_a_crash(make_app):
    app = make_app('[ui]\ntheme = "no-such-theme"\nsort = 5\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        text = notes(app)
        assert "[ui] theme 'no-such-theme' is not installed; using the default" in text
        assert "[ui] sort = 5 is not one of" in text


def test_action_ids_are_unique_and_bound_as_binding_ids():
    from spotui.tui.actions import ACTIONS, bindings_for

    ids = [a.id for a in ACTIONS]
    assert len(ids) == len(set(ids))
    assert "main.sort_energy" in ids and "main.clusters_wider" in ids
    assert {b.id for b in bindings_for("main")} == {
        a.id for a in ACTIONS if a.scope == "main" and a.bind
    }


def test_keymap_check_swaps_and_scopes():
    from spotui.tui.keymap import check_keymap

    # swapping two keys is no clash; "?" is normalised to Textual's key name
    usable, problems = check_keymap({"main.export": "r", "main.resegment": "e", "app.help": "?"})
    assert usable == {"main.export": "r", "main.resegment": "e", "app.help": "question_mark"}
    assert problems == []
    # panes are never focused together; the map screen is never on at the same time as main
    assert check_keymap({"tracks.choose": "x", "map.zoom_next": "n"})[1] == [
        "[keys] 'tracks.choose' is handled by the pane itself; not remapped"
    ]
    # an app-wide key clashes with a dialog's key (both live while the dialog is open)
    assert check_keymap({"app.sync": "y"})[1] == [
        "[keys] app.sync and confirm.confirm both use y; only one of them will work"
    ]

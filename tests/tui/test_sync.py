"""Pilot tests of the TUI against the fake Spotify: first run, sync progress, errors."""

from __future__ import annotations

import pytest

from spotui.config.env import load as load_config
from spotui.tui.app import SpotuiApp
from spotui.tui.screens.main import MainScreen
from spotui.tui.screens.sync import SyncScreen
from spotui.tui.screens.welcome import WelcomeScreen
from tests.fakes.reccobeats import FakeReccoBeats
from tests.fakes.spotify import FakeSpotify
from tests.tui.pilot import sync, wait_for


@pytest.fixture
def fakes(isolated_env, monkeypatch):
    with FakeSpotify(latency=0.01) as spotify, FakeReccoBeats() as recco:
        ids = spotify.add_tracks(120)
        spotify.save(ids[:100])
        spotify.add_playlist("Mine", ids[60:120])
        recco.know(ids)
        for key, value in spotify.env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("SPOTUI_RECCOBEATS_URL", recco.url)
        yield spotify, ids


@sync
async def test_first_run_sync_shows_progress_then_the_library(fakes):
    spotify, ids = fakes
    config = load_config()
    spotify.write_token(config.token_path)
    app = SpotuiApp(config)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        await wait_for(pilot, lambda: screen.finished)
        assert screen.state["Liked songs"][0] == "done"
        assert screen.state["Playlists"][0] == "done"
        assert screen.state["Audio features"][0] == "done"
        assert screen.history[0] == "Account"
        assert any(m.startswith("Liked songs") for m in screen.history)
        assert any(m.startswith("Playlist Mine") for m in screen.history)
        assert any(m.startswith("Audio features") for m in screen.history)
        message = str(screen.query_one("#sync-message").render())
        assert "Liked songs: 100 added" in message, message
        await pilot.press("escape")  # close
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen) and app.rows is not None)
        assert len(app.rows) == 120


@sync
async def test_sync_cancel_keeps_what_was_done(fakes):
    spotify, ids = fakes
    spotify.latency = 0.2
    config = load_config()
    spotify.write_token(config.token_path)
    app = SpotuiApp(config)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await wait_for(
            pilot,
            lambda: any(s == "running" for s, _ in getattr(app.screen, "state", {}).values()),
            what="the sync under way",
        )
        screen = app.screen
        await pilot.press("escape")  # cancel
        await wait_for(pilot, lambda: screen.finished)
        assert "Cancelled; everything synced so far is kept." in str(
            screen.query_one("#sync-message").render()
        )
        assert any("Cancelled" in n.message for n in app._notifications)


@sync
async def test_not_logged_in_is_a_notification_not_a_traceback(fakes):
    app = SpotuiApp(load_config())
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        screen = app.screen
        await wait_for(pilot, lambda: screen.finished)
        messages = [n.message for n in app._notifications]
        assert any("not logged in" in m and "spotui login" in m for m in messages), messages
        assert app.is_running

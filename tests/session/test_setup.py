"""First-run setup: the dashboard steps, the pasted client id, the login URL and its copy
key, the login against the fake accounts service; and ``spotui login`` printing the steps."""

from __future__ import annotations

import socket
import tomllib
import webbrowser

import pytest
import requests

from spotui.config.env import load as load_config
from spotui.config.user_file import setup_steps
from spotui.tui.app import SpotuiApp
from spotui.tui.screens.login import LoginScreen
from spotui.tui.screens.setup import SetupScreen
from spotui.tui.screens.sync import SyncScreen
from spotui.tui.screens.welcome import WelcomeScreen
from tests.fakes.reccobeats import FakeReccoBeats
from tests.fakes.spotify import FakeSpotify
from tests.tui.pilot import sync, wait_for

CLIENT_ID = "0123456789abcdef0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fakes(isolated_env, monkeypatch, tmp_path):
    """A fake Spotify whose app has CLIENT_ID, and no client id configured yet."""
    with FakeSpotify(client_id=CLIENT_ID) as spotify, FakeReccoBeats() as recco:
        ids = spotify.add_tracks(30)
        spotify.save(ids)
        recco.know(ids)
        monkeypatch.setenv("SPOTUI_API_URL", spotify.api_url)
        monkeypatch.setenv("SPOTUI_ACCOUNTS_URL", spotify.accounts_url)
        monkeypatch.setenv("SPOTUI_RECCOBEATS_URL", recco.url)
        monkeypatch.setenv("SPOTUI_REDIRECT_PORT", str(free_port()))
        yield spotify


@sync
async def test_first_run_wizard_stores_the_client_id_and_logs_in(fakes, tmp_path, monkeypatch):
    opened: list[str] = []

    def browser(url: str) -> bool:  # plays the user's browser: log in, get redirected back
        opened.append(url)
        return False

    monkeypatch.setattr(webbrowser, "open", browser)
    app = SpotuiApp(load_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
        steps = str(app.screen.query_one("#setup-steps Static").render())
        for step in setup_steps(app.config.redirect_uri):
            assert step.split(":")[0] in " ".join(steps.split())
        await pilot.press(*"abc123", "enter")
        error = str(app.screen.query_one("#client-id-error").render())
        assert error.startswith("A Spotify client id is 32 characters 0-9 and a-f")
        assert not app.config.config_path.exists()  # nothing stored
        app.screen.query_one("#client-id").value = ""
        await pilot.press(*CLIENT_ID.upper(), "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        saved = tomllib.loads(app.config.config_path.read_text())
        assert saved == {"client_id": CLIENT_ID}
        screen = app.screen
        await wait_for(pilot, lambda: bool(screen.url))
        assert screen.url.startswith(f"{fakes.accounts_url}/authorize?client_id={CLIENT_ID}")
        url_box = screen.query_one("#login-url")
        lines = [strip.text for strip in url_box.render_lines(url_box.region.reset_offset)]
        assert "".join(ln.rstrip() for ln in lines) == screen.url  # whole, folded, on screen
        assert len([ln for ln in lines if ln.strip()]) > 1  # at 80 columns it takes lines
        await pilot.press("c")
        assert app.clipboard == screen.url  # sent as OSC 52
        # the browser logs in; the callback arrives; the token is stored; the sync starts
        assert opened == [screen.url]
        requests.get(opened[0], timeout=10)
        await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen))
        assert app.config.token_path.exists()
    assert load_config().client_id == CLIENT_ID  # the next start needs nothing


@sync
async def test_wizard_is_skipped_when_a_client_id_is_set(fakes, monkeypatch):
    monkeypatch.setenv("SPOTUI_CLIENT_ID", CLIENT_ID)
    monkeypatch.setattr(webbrowser, "open", lambda url: False)
    app = SpotuiApp(load_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WelcomeScreen))


@sync
async def test_wizard_cancel_stores_nothing(fakes):
    app = SpotuiApp(load_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
        await pilot.press(*CLIENT_ID, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        assert not app.config.config_path.exists()


def test_cli_login_prints_the_same_steps(cli):
    proc = cli("login")
    assert proc.returncode == 2
    for i, step in enumerate(setup_steps("http://127.0.0.1:8888/callback"), 1):
        assert f"  {i}. {step}\n" in proc.stderr
    assert "spotui login --client-id <Client ID>" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_login_stores_a_valid_client_id_only(cli, tmp_path):
    proc = cli("login", "--client-id", "not-a-client-id")
    assert proc.returncode == 2
    assert "error: A Spotify client id is 32 characters" in proc.stderr
    assert not (tmp_path / "config" / "config.toml").exists()
    port = str(free_port())
    proc = cli(
        "login", "--client-id", CLIENT_ID, "--no-browser", "--timeout", "0.3",
        env={"SPOTUI_REDIRECT_PORT": port},
    )  # fmt: skip
    assert f"Client ID stored in {tmp_path / 'config' / 'config.toml'}." in proc.stdout
    assert f"client_id={CLIENT_ID}" in proc.stderr  # the printed login URL uses it
    assert "No login answer arrived within 0.3 s" in proc.stderr
    text = (tmp_path / "config" / "config.toml").read_text()
    assert tomllib.loads(text) == {"client_id": CLIENT_ID}

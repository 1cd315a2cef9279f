"""Arguments and answers that must not lie (issue 13, failure 8): ports and timeouts are
checked by argparse (exit 2, one error line, no traceback); a login answer with the wrong
``state`` is called rejected in the browser too; ``queue`` never claims an outbox entry it
did not write."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import requests

from spotui.spotify.auth import login
from spotui.spotify.errors import LoginError
from tests.fakes import fake_config
from tests.spotify.test_auth import free_port


def _usage_error(res, line: str) -> None:
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert res.stderr.splitlines()[-1] == line
    assert res.stdout == ""


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("70000", "must be between 1024 and 65535, got 70000"),
        ("-1", "must be between 1024 and 65535, got -1"),
        ("80", "must be between 1024 and 65535, got 80"),
        ("http", "must be a whole number, got 'http'"),
    ],
)
def test_login_port_must_be_1024_to_65535(cli, value, why):
    res = cli("login", "--port", value, env={"SPOTUI_CLIENT_ID": "x"})
    _usage_error(res, f"spotui login: error: argument --port: {why}")


@pytest.mark.parametrize("value", ["nan", "-1", "0", "inf", "-inf"])
def test_login_timeout_must_be_finite_and_positive(cli, value):
    res = cli("login", f"--timeout={value}", env={"SPOTUI_CLIENT_ID": "x"})
    _usage_error(
        res,
        "spotui login: error: argument --timeout: must be a finite number of seconds, more "
        f"than 0; got {value!r}",
    )


def test_redirect_port_from_the_environment_is_checked_too(cli):
    res = cli("login", env={"SPOTUI_CLIENT_ID": "x", "SPOTUI_REDIRECT_PORT": "70000"})
    assert (res.returncode, res.stderr.strip()) == (
        2,
        "error: redirect_port (SPOTUI_REDIRECT_PORT) must be between 1024 and 65535, got 70000",
    )


def test_sync_workers_must_be_positive(cli):
    res = cli("sync", "--workers", "0")
    _usage_error(res, "spotui sync: error: argument --workers: must be at least 1")


class Browser:
    """Plays the browser (the fake /authorize redirects to the callback) and keeps the page."""

    def __init__(self) -> None:
        self.page = ""
        self.done = threading.Event()

    def __call__(self, url: str) -> None:
        self.page = requests.get(url, timeout=10).text
        self.done.set()


def test_wrong_state_page_says_rejected_not_received(tmp_path, fake):
    """Before: the browser tab said "Login received" while the terminal said rejected."""
    config = fake_config(tmp_path, fake, redirect_port=free_port())
    fake.authorize_state_override = "stale-state-from-an-old-tab"
    browser = Browser()
    with pytest.raises(LoginError) as info:
        login(config, opener=browser)
    assert "state mismatch" in str(info.value) and "nothing was saved" in str(info.value)
    assert browser.done.wait(10)
    page = browser.page
    assert "Login received" not in page
    assert (
        "This login answer does not belong to the login spotui is waiting for (it is stale or "
        "forged), so it was rejected and nothing was saved. Run `spotui login` again."
    ) in page.replace("&#x27;", "'")
    assert not config.token_path.exists()


def test_right_state_page_still_says_received(tmp_path, fake):
    config = fake_config(tmp_path, fake, redirect_port=free_port())
    browser = Browser()
    login(config, opener=browser)
    assert browser.done.wait(10)
    assert "Login received. You can close this tab" in browser.page


def test_demo_queue_of_an_invalid_id_is_an_error_and_writes_nothing(cli, demo_data_dir):
    """Before: "Demo mode: written to the demo outbox" with nothing written, exit 1."""
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir)}
    res = cli("--demo", "queue", "nope", env=env)
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr.strip() == (
        "error: nope: not a Spotify track id. Nothing was queued: give Spotify track ids, "
        "spotify:track: URIs or open.spotify.com/track links."
    )
    assert not (demo_data_dir / "demo-outbox.jsonl").exists()


def test_demo_queue_writes_exactly_the_valid_ids(cli, demo_data_dir):
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir)}
    good = "4uLU6hMCjMI75M1A2tKUQC"
    res = cli("--demo", "queue", good, "nope", env=env)
    assert res.returncode == 1  # one was not queued
    assert "not queued: nope: not a Spotify track id" in res.stdout
    outbox = demo_data_dir / "demo-outbox.jsonl"
    assert res.stdout.splitlines()[0] == "Queued 1 of 2 tracks on Demo player (spotui --demo)."
    assert res.stdout.splitlines()[-1] == (
        f"Demo mode: written to {outbox}, nothing was sent to Spotify."
    )
    assert res.stdout.count(str(outbox)) == 1 and "Demo outbox:" not in res.stdout
    lines = (demo_data_dir / "demo-outbox.jsonl").read_text().splitlines()
    assert [json.loads(line)["uris"] for line in lines] == [[f"spotify:track:{good}"]]


def test_db_timeout_comes_from_the_environment_or_config_toml(isolated_env, monkeypatch, tmp_path):
    from spotui.config.env import DEFAULT_DB_TIMEOUT
    from spotui.config.env import load as load_config

    assert load_config().db_timeout == DEFAULT_DB_TIMEOUT
    config_dir = Path(isolated_env["SPOTUI_CONFIG_DIR"])
    config_dir.mkdir(parents=True)
    (config_dir / "config.toml").write_text("db_timeout = 0\n")
    assert load_config().db_timeout == 0  # never wait
    monkeypatch.setenv("SPOTUI_DB_TIMEOUT", "2.5")
    assert load_config().db_timeout == 2.5


def test_one_track_and_one_request_agree_and_the_cli_groups_thousands(cli, demo_data_dir):
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir)}
    res = cli("--demo", "queue", "4uLU6hMCjMI75M1A2tKUQC", env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == "Queued 1 track on Demo player (spotui --demo)."
    res = cli("--demo", "status", env=env)
    assert res.returncode == 0, res.stderr
    rows = {line[:20].strip(): line[20:].strip() for line in res.stdout.splitlines()}
    assert rows["Library tracks"] == "2,000"  # as the app shows it (was 2000)
    assert rows["Catalog tracks"] == "1,000"

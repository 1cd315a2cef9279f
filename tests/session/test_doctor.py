"""``spotui doctor`` against the fakes: every line OK, or a fix."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.conftest import run_cli
from tests.fakes.reccobeats import FakeReccoBeats
from tests.fakes.spotify import FakeSpotify


@pytest.fixture
def setup(tmp_path):
    with FakeSpotify() as sp, FakeReccoBeats() as rb:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTUI_")}
        env.update(sp.env())
        env.update(
            SPOTUI_RECCOBEATS_URL=rb.url,
            SPOTUI_DATA_DIR=str(tmp_path / "d"),
            SPOTUI_CONFIG_DIR=str(tmp_path / "c"),
        )
        yield sp, rb, env


def doctor(env: dict, *args: str) -> subprocess.CompletedProcess:
    return run_cli("doctor", *args, env=env, timeout=60)


def checks(done: subprocess.CompletedProcess) -> dict[str, dict]:
    return {c["name"]: c for c in json.loads(done.stdout)["checks"]}


def test_all_ok(setup, tmp_path):
    sp, rb, env = setup
    sp.write_token(tmp_path / "c" / "token.json")
    done = doctor(env, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    c = checks(done)
    assert list(c) == [
        "Client id",
        "Token",
        "Account",
        "Premium",
        "Features: Spotify",
        "Features: ReccoBeats",
        "Database",
    ]
    assert all(x["ok"] for x in c.values())
    assert c["Account"]["detail"] == "logged in as Alice (alice)"
    assert "not available" in c["Features: Spotify"]["detail"]
    assert str(tmp_path / "d" / "library.sqlite3") in c["Database"]["detail"]
    text = doctor(env)
    assert text.returncode == 0
    assert all(line.startswith(("OK ", " ")) for line in text.stdout.splitlines())


def test_not_premium_and_no_reccobeats(setup, tmp_path):
    sp, rb, env = setup
    sp.write_token(tmp_path / "c" / "token.json")
    sp.premium = False
    rb.fail_next(503, times=10)
    done = doctor(env, "--json")
    assert done.returncode == 1
    c = checks(done)
    assert c["Premium"]["ok"] is False
    assert "not Premium" in c["Premium"]["detail"] and "export" in c["Premium"]["fix"]
    assert c["Features: ReccoBeats"]["ok"] is False
    assert c["Account"]["ok"] is True
    text = doctor(env)
    assert "FIX   Premium" in text.stdout and "-> export clusters as playlists" in text.stdout


def test_not_logged_in_and_no_client_id(setup):
    sp, rb, env = setup
    del env["SPOTUI_CLIENT_ID"]
    done = doctor(env, "--json")
    assert done.returncode == 1
    c = checks(done)
    assert c["Client id"]["ok"] is False and "SPOTUI_CLIENT_ID" in c["Client id"]["fix"]
    assert c["Token"] == {
        "name": "Token",
        "ok": False,
        "detail": "not logged in",
        "fix": "run `spotui login`",
        "skipped": False,
        "status": "FIX",
    }
    assert "Account" not in c
    assert c["Features: Spotify"]["status"] == "SKIP"
    text = doctor(env)
    assert "SKIP  Features: Spotify     not checked (not logged in)" in text.stdout.splitlines()
    assert "OK    Features: Spotify" not in text.stdout


def test_revoked_login_and_loose_token_mode(setup, tmp_path):
    sp, rb, env = setup
    path = tmp_path / "c" / "token.json"
    sp.write_token(path)
    path.chmod(0o644)
    done = doctor(env, "--json")
    c = checks(done)
    assert c["Token"]["ok"] is False and f"chmod 600 {path}" == c["Token"]["fix"]
    path.chmod(0o600)
    sp.expire_tokens()
    sp.revoke_refresh_tokens()
    c = checks(doctor(env, "--json"))
    assert c["Account"]["ok"] is False
    assert "run `spotui login`" in c["Account"]["fix"]


def test_demo_mode(cli):
    done = cli("--demo", "doctor", "--json")
    assert done.returncode == 0
    assert [c["name"] for c in json.loads(done.stdout)["checks"]] == ["Mode", "Database"]

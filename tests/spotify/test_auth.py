"""PKCE login end to end against the fake accounts service, logout, token file safety."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from spotui.config.env import SCOPES
from spotui.spotify.auth import login, logout
from spotui.spotify.client import SpotifyClient
from spotui.spotify.errors import LoginError
from tests import paths
from tests.conftest import run_cli
from tests.fakes import fake_config

REPO = paths.REPO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def config(tmp_path, fake):
    """Overrides the shared logged-in config: logged out, on a free callback port."""
    return fake_config(tmp_path, fake, redirect_port=free_port())


def browser(url: str) -> None:
    """Plays the user's browser: the fake /authorize redirects to our callback."""
    requests.get(url, timeout=10)


def test_login_end_to_end_with_pkce(fake, config):
    seen = []
    info = login(config, announce=seen.append, opener=browser, timeout=10)
    # the authorize request carried an S256 challenge of the verifier sent at code exchange
    ((_m, _p, auth_q, _b),) = fake.calls("/authorize")
    ((_m, _p, _q, token_body),) = fake.calls("/api/token")
    digest = hashlib.sha256(token_body["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).decode().rstrip("=") == auth_q["code_challenge"]
    assert auth_q["code_challenge_method"] == "S256"
    assert auth_q["redirect_uri"] == f"http://127.0.0.1:{config.redirect_port}/callback"
    assert set(auth_q["scope"].split()) == set(SCOPES)
    assert len(auth_q["state"]) >= 16
    assert token_body["grant_type"] == "authorization_code" and "client_secret" not in token_body
    assert seen == [seen[0]] and seen[0].startswith(f"{fake.accounts_url}/authorize?")
    # token stored in spotipy's format, 0600
    token = json.loads(config.token_path.read_text())
    assert {"access_token", "refresh_token", "scope", "expires_at", "token_type"} <= set(token)
    assert oct(config.token_path.stat().st_mode & 0o777) == "0o600"
    assert info["missing_scopes"] == []
    assert token["access_token"] not in json.dumps(info)
    # and the client can use it
    assert SpotifyClient(config).get("me")["id"] == "alice"


def test_state_mismatch_is_rejected(fake, config):
    fake.authorize_state_override = "forged-state"
    with pytest.raises(LoginError) as exc:
        login(config, opener=browser, timeout=10)
    assert "state mismatch" in str(exc.value)
    assert not config.token_path.exists()
    assert fake.calls("/api/token") == []  # the code was never exchanged


def test_wrong_verifier_is_refused_by_the_fake(fake, config, monkeypatch):
    from spotipy.oauth2 import SpotifyPKCE

    original = SpotifyPKCE.get_access_token

    def tampered(self, code=None, check_cache=True):
        self.code_verifier = "not-the-verifier-" + "x" * 40
        return original(self, code=code, check_cache=check_cache)

    monkeypatch.setattr(SpotifyPKCE, "get_access_token", tampered)
    with pytest.raises(LoginError) as exc:
        login(config, opener=browser, timeout=10)
    assert "code_verifier was incorrect" in str(exc.value)
    assert not config.token_path.exists()


def test_denied_login(fake, config):
    fake.authorize_error = "access_denied"
    with pytest.raises(LoginError) as exc:
        login(config, opener=browser, timeout=10)
    assert "did not grant access (access_denied)" in str(exc.value)


def test_login_times_out_with_a_clear_message(config):
    start = time.monotonic()
    with pytest.raises(LoginError) as exc:
        login(config, opener=lambda url: None, timeout=0.5)
    assert time.monotonic() - start < 5
    assert str(exc.value).startswith(
        "No login answer arrived within 0.5 s. Run `spotui login` again"
    )
    assert config.redirect_uri in str(exc.value)


def test_stray_requests_do_not_end_the_login(fake, config):
    def noisy_browser(url: str) -> None:
        base = f"http://127.0.0.1:{config.redirect_port}"
        assert requests.get(base + "/favicon.ico", timeout=5).status_code == 404
        browser(url)

    login(config, opener=noisy_browser, timeout=10)
    assert config.token_path.exists()


def test_busy_port_gives_a_fix(config):
    with socket.socket() as s:
        s.bind(("127.0.0.1", config.redirect_port))
        s.listen()
        with pytest.raises(LoginError) as exc:
            login(config, opener=browser, timeout=2)
    assert "SPOTUI_REDIRECT_PORT" in str(exc.value)


def listening_sockets() -> str | None:
    """``ss -ltn``'s listing of listening TCP sockets, or None where it cannot be had."""
    try:
        done = subprocess.run(["ss", "-ltn"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 and done.stdout.strip() else None


def test_callback_listens_on_loopback_only(config):
    result = {}

    def probe(url: str) -> None:
        result["state"] = parse_qs(urlparse(url).query)["state"][0]
        result["ss"] = listening_sockets()

    with pytest.raises(LoginError):
        login(config, opener=probe, timeout=1)
    if result.get("ss") is None:
        pytest.skip("cannot list listening sockets here (`ss -ltn` missing or failed)")
    lines = [ln for ln in result["ss"].splitlines() if f":{config.redirect_port} " in ln]
    assert lines, f"nothing listens on port {config.redirect_port}:\n{result['ss']}"
    assert all("127.0.0.1:" in ln for ln in lines), lines


def test_logout_removes_token_keeps_library(fake, config):
    fake.write_token(config.token_path)
    config.data_dir.mkdir(parents=True)
    db = config.db_path
    db.write_bytes(b"")
    assert logout(config) is True
    assert not config.token_path.exists()
    assert db.exists()
    assert logout(config) is False


def test_cli_login_prints_url_and_never_the_token(tmp_path, fake):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTUI_")}
    env.update(fake.env())
    env.update(SPOTUI_DATA_DIR=str(tmp_path / "d"), SPOTUI_CONFIG_DIR=str(tmp_path / "c"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spotui",
            "login",
            "--no-browser",
            "--port",
            str(port),
            "--timeout",
            "20",
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if line.strip().startswith(f"{fake.accounts_url}/authorize?"):
            url = line.strip()
            break
    assert url, "".join(lines)
    threading.Thread(target=browser, args=(url,), daemon=True).start()
    out, rest = proc.communicate(timeout=30)
    assert proc.returncode == 0, rest
    token = json.loads((tmp_path / "c" / "token.json").read_text())
    assert "Logged in." in out
    for secret in (token["access_token"], token["refresh_token"]):
        assert secret not in out + rest + "".join(lines)
    assert oct((tmp_path / "c" / "token.json").stat().st_mode & 0o777) == "0o600"
    done = run_cli("logout", env=env, timeout=30)
    assert done.returncode == 0 and "Logged out" in done.stdout
    assert not (tmp_path / "c" / "token.json").exists()


# ---------------------------------------------------------------------- token file's expiry
#: ``expires_at`` as spotipy writes it is an int; these came from hand edits or other tools.
#: "missing" drops the key. Each crashed sync and doctor (issue 20) with a TypeError or
#: KeyError from spotipy's ``is_token_expired``.
UNUSABLE_EXPIRY = {
    "string number": "1700000000",
    "non-numeric string": "soon",
    "null": None,
    "missing": ...,
    "NaN": float("nan"),
}


def _write_token_with_expiry(fake, path: Path, expiry: object, **kw) -> dict:
    info = fake.write_token(path, **kw)
    if expiry is ...:
        del info["expires_at"]
    else:
        info["expires_at"] = expiry
    path.write_text(json.dumps(info))
    return info


def _cli_env(tmp_path: Path, fake) -> dict[str, str]:
    env = dict(fake.env())
    env.update(SPOTUI_DATA_DIR=str(tmp_path / "d"), SPOTUI_CONFIG_DIR=str(tmp_path / "c"))
    return env


@pytest.mark.parametrize("expiry", UNUSABLE_EXPIRY.values(), ids=UNUSABLE_EXPIRY.keys())
def test_unusable_expires_at_counts_as_expired_and_is_refreshed(fake, tmp_path, expiry):
    """sync and doctor refresh with the refresh token, store a numeric expiry and go on."""
    env = _cli_env(tmp_path, fake)
    token_path = tmp_path / "c" / "token.json"
    old = _write_token_with_expiry(fake, token_path, expiry)
    done = run_cli("doctor", "--json", env=env, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    c = {x["name"]: x for x in json.loads(done.stdout)["checks"]}
    assert c["Token"]["ok"] and c["Account"]["detail"] == "logged in as Alice (alice)"
    assert [b["grant_type"] for _m, _p, _q, b in fake.calls("/api/token")] == ["refresh_token"]
    assert fake.calls("/api/token")[0][3]["refresh_token"] == old["refresh_token"]
    new = json.loads(token_path.read_text())
    assert new["access_token"] != old["access_token"]
    assert isinstance(new["expires_at"], int) and new["expires_at"] > time.time() + 3000
    _write_token_with_expiry(fake, token_path, expiry)
    done = run_cli("sync", env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Liked songs: 0 added, 0 removed, 0 unchanged")
    assert len(fake.calls("/api/token")) == 2


def test_a_float_expiry_in_the_future_is_used_as_it_is(fake, tmp_path):
    env = _cli_env(tmp_path, fake)
    token_path = tmp_path / "c" / "token.json"
    _write_token_with_expiry(fake, token_path, time.time() + 3600.5)
    done = run_cli("sync", env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert fake.calls("/api/token") == []  # not refreshed: it is still valid
    _write_token_with_expiry(fake, token_path, time.time() - 10.5)  # a float in the past
    assert run_cli("sync", env=env, timeout=60).returncode == 0
    assert len(fake.calls("/api/token")) == 1


@pytest.mark.parametrize("expiry", ["soon", None], ids=["string", "null"])
def test_unusable_expiry_without_a_refresh_token_asks_to_log_in(fake, tmp_path, expiry):
    env = _cli_env(tmp_path, fake)
    token_path = tmp_path / "c" / "token.json"
    info = _write_token_with_expiry(fake, token_path, expiry)
    del info["refresh_token"]
    token_path.write_text(json.dumps(info))
    done = run_cli("sync", env=env, timeout=60)
    assert (done.returncode, done.stderr.strip()) == (
        2,
        "error: Your Spotify login expired; run `spotui login`. Your library is kept.",
    )
    done = run_cli("doctor", "--json", env=env, timeout=60)
    c = {x["name"]: x for x in json.loads(done.stdout)["checks"]}
    assert c["Account"] == {
        "name": "Account",
        "ok": False,
        "status": "FIX",
        "skipped": False,
        "detail": "login no longer valid",
        "fix": "Your Spotify login expired; run `spotui login`. Your library is kept.",
    }
    assert fake.calls("/api/token") == []

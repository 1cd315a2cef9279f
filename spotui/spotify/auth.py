"""Spotify login (Authorization Code with PKCE) and the access token the client uses.

Why our own callback server instead of spotipy's: spotipy's ``handle_request()`` waits for
one request with no timeout, falls back to ``input()`` (which breaks a TUI) and only checks
``state`` when asked. Here the callback server listens on ``127.0.0.1`` only, ignores stray
requests (favicon), rejects a wrong ``state``, and gives up after a timeout with a message.

spotipy's :class:`~spotipy.oauth2.SpotifyPKCE` is still used for the parts it does well:
building the authorize URL with the S256 challenge, the code exchange and the refresh, so
the token file stays in spotipy's cache format (``access_token``, ``refresh_token``,
``scope``, ``expires_at``...). The file is written by :class:`SecureCacheFileHandler`:
created 0600 from the start and replaced atomically (spotipy writes then chmods, which
leaves a window where the token is world-readable and a torn file on a crash).

Secrets are never printed or logged: spotipy logs token request bodies at DEBUG, so its
logger is capped at WARNING here.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import math
import os
import secrets
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import requests
from spotipy.cache_handler import CacheFileHandler
from spotipy.oauth2 import SpotifyOauthError, SpotifyPKCE

from spotui.config.env import SCOPES, Config
from spotui.core.errors import Cancelled
from spotui.core.progress import CancelCheck
from spotui.spotify.errors import (
    LOGIN_EXPIRED,
    NOT_LOGGED_IN,
    LoginError,
    OfflineError,
    SpotifyAuthError,
)

# spotipy logs token request bodies (refresh token, code verifier) at DEBUG.
logging.getLogger("spotipy").setLevel(logging.WARNING)

DEFAULT_LOGIN_TIMEOUT = 300.0
TOKEN_TIMEOUT = 15


class SecureCacheFileHandler(CacheFileHandler):
    """spotipy's file cache, but written atomically with mode 0600 from the first byte."""

    def __init__(self, cache_path: Path):
        super().__init__(cache_path=str(cache_path))
        self.path = Path(cache_path)

    def get_cached_token(self) -> dict | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError:
            return None
        try:
            info = json.loads(text)
        except ValueError:
            return None
        return info if isinstance(info, dict) else None

    def save_token_to_cache(self, token_info: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".token-", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(token_info, fh)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def make_auth_manager(config: Config) -> SpotifyPKCE:
    """A PKCE auth manager pointed at ``config.accounts_url`` and the token file."""
    auth = SpotifyPKCE(
        client_id=config.require_client_id(),
        redirect_uri=config.redirect_uri,
        scope=list(SCOPES),
        cache_handler=SecureCacheFileHandler(config.token_path),
        open_browser=False,
        requests_timeout=TOKEN_TIMEOUT,
        requests_session=requests.Session(),
    )
    auth.OAUTH_AUTHORIZE_URL = f"{config.accounts_url}/authorize"
    auth.OAUTH_TOKEN_URL = f"{config.accounts_url}/api/token"
    return auth


#: Seconds before ``expires_at`` at which a token counts as expired (spotipy's margin).
EXPIRY_MARGIN = 60


def expires_at(token_info: dict) -> float | None:
    """When the access token expires (seconds since the epoch), or None when the file does
    not say so as a number.

    Why not spotipy's ``is_token_expired``: it subtracts without looking, so a token file
    edited by hand, or written by another tool, with ``"expires_at": "1700000000"``,
    ``null`` or no such key crashed every command that talks to Spotify, ``doctor``
    included (issue 20). A string, even one of digits, is not trusted as a time.
    """
    value = token_info.get("expires_at")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def is_expired(token_info: dict) -> bool:
    """Whether the access token must be refreshed before use. An unknown expiry counts
    as expired: one refresh costs a request, using a dead token costs a 401 and a retry."""
    at = expires_at(token_info)
    return at is None or at - time.time() < EXPIRY_MARGIN


def missing_scopes(token_info: dict) -> list[str]:
    granted = set(str(token_info.get("scope") or "").split())
    return [s for s in SCOPES if s not in granted]


class TokenManager:
    """Hands out a valid access token; refreshes it (once, under a lock) when needed.

    Thread-safe: sync workers share one manager, and a 401 seen by several workers at the
    same time leads to a single refresh (``force_refresh`` compares the token that failed
    with the current one).
    """

    def __init__(self, config: Config, auth: SpotifyPKCE | None = None):
        self.config = config
        self._auth = auth
        self._lock = threading.Lock()
        self._cached: dict | None = None

    @property
    def auth(self) -> SpotifyPKCE:
        if self._auth is None:
            self._auth = make_auth_manager(self.config)
        return self._auth

    def token_info(self) -> dict | None:
        return SecureCacheFileHandler(self.config.token_path).get_cached_token()

    def access_token(self) -> str:
        with self._lock:
            info = self._cached or self.token_info()
            if not info or "access_token" not in info:
                raise SpotifyAuthError(NOT_LOGGED_IN)
            missing = missing_scopes(info)
            if missing:
                raise SpotifyAuthError(
                    "Your Spotify login lacks permissions spotui now needs "
                    f"({', '.join(missing)}); run `spotui login` again."
                )
            if is_expired(info):
                info = self._refresh(info)
            self._cached = info
            return info["access_token"]

    def force_refresh(self, failed_token: str) -> None:
        """Called after a 401: refresh unless another thread already did."""
        with self._lock:
            info = self._cached or self.token_info()
            if not info:
                raise SpotifyAuthError(NOT_LOGGED_IN)
            if info.get("access_token") != failed_token:
                return
            self._cached = self._refresh(info)

    def _refresh(self, info: dict) -> dict:
        refresh = info.get("refresh_token")
        if not refresh:
            raise SpotifyAuthError(LOGIN_EXPIRED)
        try:
            return self.auth.refresh_access_token(refresh)
        except SpotifyOauthError as exc:
            if exc.error == "invalid_grant":
                raise SpotifyAuthError(LOGIN_EXPIRED) from None
            raise SpotifyAuthError(
                f"Refreshing your Spotify login failed ({exc.error or 'unknown error'}); "
                "run `spotui login`."
            ) from None
        except requests.RequestException as exc:
            raise OfflineError(
                f"Could not reach Spotify's login server ({type(exc).__name__}). "
                "Check your connection; nothing was lost."
            ) from None


# ---------------------------------------------------------------------- interactive login
@dataclass
class _Callback:
    code: str | None = None
    state: str | None = None
    error: str | None = None


class _CallbackServer(HTTPServer):
    result: _Callback | None
    done: threading.Event
    #: The ``state`` of this login attempt: an answer without it is stale or forged.
    expected_state: str


#: What the browser tab says, by outcome; the terminal says the same with the details.
_PAGES = {
    "ok": "Login received. You can close this tab and return to the terminal.",
    "state": "This login answer does not belong to the login spotui is waiting for (it is "
    "stale or forged), so it was rejected and nothing was saved. Run `spotui login` again.",
    "error": "Login did not complete. Return to the terminal for details.",
}


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _CallbackServer

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        url = urlparse(self.path)
        if url.path != "/callback":
            self.send_error(404)
            return
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        if self.server.result is None:
            self.server.result = _Callback(q.get("code"), q.get("state"), q.get("error"))
        if q.get("state") != self.server.expected_state:
            outcome = "state"
        elif q.get("code") and not q.get("error"):
            outcome = "ok"
        else:
            outcome = "error"
        body = f"<html><body><h2>spotui</h2><p>{html.escape(_PAGES[outcome])}</p></body></html>"
        body = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.done.set()

    def log_message(self, format: str, *args: object) -> None:  # the query holds the code
        pass


def login(
    config: Config,
    *,
    announce: Callable[[str], None] = lambda url: None,
    open_browser: bool = True,
    opener: Callable[[str], object] | None = None,
    timeout: float = DEFAULT_LOGIN_TIMEOUT,
    cancel: CancelCheck | None = None,
) -> dict:
    """Run the PKCE login and store the token; returns non-secret facts about it.

    ``announce(url)`` is called with the authorize URL before the browser is opened so the
    face can print it for copy-paste. ``opener`` replaces :func:`webbrowser.open` (tests
    use it to play the browser). ``cancel()`` returning True stops waiting at once
    (:class:`~spotui.core.errors.Cancelled`) and closes the callback server.
    """
    auth = make_auth_manager(config)
    state = secrets.token_urlsafe(24)
    url = auth.get_authorize_url(state=state)
    server = _listen(config, state)
    try:
        announce(url)
        if opener is not None:
            threading.Thread(target=opener, args=(url,), daemon=True).start()
        elif open_browser:
            with contextlib.suppress(webbrowser.Error):
                webbrowser.open(url)
        result = _wait(server, config, timeout, cancel)
    finally:
        server.shutdown()
        server.server_close()
    _exchange(auth, result, state)
    info = SecureCacheFileHandler(config.token_path).get_cached_token() or {}
    return {
        "token_path": str(config.token_path),
        "scope": info.get("scope", ""),
        "expires_at": info.get("expires_at"),
        "missing_scopes": missing_scopes(info),
    }


def _listen(config: Config, state: str) -> _CallbackServer:
    """The one-off callback server on 127.0.0.1, already serving in a thread."""
    try:
        server = _CallbackServer(("127.0.0.1", config.redirect_port), _CallbackHandler)
    except OSError as exc:
        raise LoginError(
            f"Cannot listen on 127.0.0.1:{config.redirect_port} for the login callback ({exc.strerror}). "
            "Close whatever uses that port, or set SPOTUI_REDIRECT_PORT to a free port and add "
            f"http://127.0.0.1:<port>/callback as a redirect URI of your Spotify app."
        ) from None
    server.result = None
    server.done = threading.Event()
    server.expected_state = state
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()
    return server


def _wait(
    server: _CallbackServer, config: Config, timeout: float, cancel: CancelCheck | None
) -> _Callback:
    """The browser's answer; gives up after ``timeout`` or as soon as ``cancel()``."""
    deadline = time.monotonic() + timeout
    while not server.done.wait(min(0.1, max(0.0, deadline - time.monotonic()))):
        if cancel is not None and cancel():
            raise Cancelled("login cancelled")
        if time.monotonic() >= deadline:
            raise LoginError(
                f"No login answer arrived within {timeout:g} s. Run `spotui login` again and "
                "finish the login in the browser (check that the Spotify app's redirect URI is "
                f"exactly {config.redirect_uri})."
            )
    return server.result or _Callback()


def _exchange(auth: SpotifyPKCE, result: _Callback, state: str) -> None:
    """Check the answer belongs to this login and trade its code for a stored token."""
    if result.state != state:
        raise LoginError(
            "The login answer did not belong to this login attempt (state mismatch), so it was "
            "rejected and nothing was saved. Run `spotui login` again."
        )
    if result.error or not result.code:
        raise LoginError(
            f"Spotify did not grant access ({result.error or 'no code'}). "
            "Run `spotui login` again and choose Agree."
        )
    try:
        auth.get_access_token(code=result.code, check_cache=False)
    except SpotifyOauthError as exc:
        raise LoginError(
            f"Spotify refused the login code ({exc.error or 'error'}: "
            f"{exc.error_description or ''}). Run `spotui login` again."
        ) from None
    except requests.RequestException as exc:
        raise OfflineError(
            f"Could not reach Spotify's login server ({type(exc).__name__}); try again."
        ) from None


def logout(config: Config) -> bool:
    """Delete the stored token. Returns whether there was one. The library is untouched."""
    try:
        config.token_path.unlink()
        return True
    except FileNotFoundError:
        return False


def token_status(config: Config) -> dict:
    """Non-secret facts about the stored token, for ``spotui doctor``."""
    info = SecureCacheFileHandler(config.token_path).get_cached_token()
    if info is None:
        return {"present": config.token_path.exists(), "readable": False}
    mode = config.token_path.stat().st_mode & 0o777
    at = expires_at(info)
    return {
        "present": True,
        "readable": True,
        "mode": oct(mode),
        "expires_in": None if at is None else int(at - time.time()),  # None: refreshed at next use
        "has_refresh_token": bool(info.get("refresh_token")),
        "missing_scopes": missing_scopes(info),
    }

"""Where spotui keeps things and which servers it talks to.

Everything that differs between a user's machine, a test run and CI is read here, from
environment variables first and ``config.toml`` second, so the rest of the code never
touches ``os.environ`` or hard-codes a URL.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

from spotui.core.errors import ConfigError

APP_NAME = "spotui"

DEFAULT_API_URL = "https://api.spotify.com/v1"
DEFAULT_ACCOUNTS_URL = "https://accounts.spotify.com"
DEFAULT_RECCOBEATS_URL = "https://api.reccobeats.com/v1"
DEFAULT_REDIRECT_PORT = 8888
#: Ports a user may choose for the login callback (below 1024 needs root).
PORT_RANGE = (1024, 65535)
#: Seconds to wait for a database another program is writing (``SPOTUI_DB_TIMEOUT``).
DEFAULT_DB_TIMEOUT = 60.0

#: Scopes spotui asks for at login; kept constant because spotipy treats a changed scope
#: as an invalid token and would silently start a new interactive login.
SCOPES = (
    "user-library-read",
    "playlist-read-private",
    "playlist-read-collaborative",
    "playlist-modify-private",
    "playlist-modify-public",
    "user-top-read",
    "user-read-recently-played",
    "user-read-playback-state",
    "user-modify-playback-state",
)


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None


def _app_dir(override: str, xdg: str, platform_default) -> Path:
    """``$override`` if set, else ``$xdg/spotui``, else the platform's usual place."""
    path = _env_path(override)
    if path:
        return path
    base = _env_path(xdg)
    if base:
        return base / APP_NAME
    return Path(platform_default(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """The directory for the database (honours ``SPOTUI_DATA_DIR`` and ``XDG_DATA_HOME``)."""
    return _app_dir("SPOTUI_DATA_DIR", "XDG_DATA_HOME", user_data_dir)


def config_dir() -> Path:
    """The directory for ``config.toml`` and the token (``SPOTUI_CONFIG_DIR``, ``XDG_CONFIG_HOME``)."""
    return _app_dir("SPOTUI_CONFIG_DIR", "XDG_CONFIG_HOME", user_config_dir)


def _read_toml(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"{path}: cannot read config file: {exc}. Fix that line, or move the file away "
            "to start with the defaults (nothing else is lost)."
        ) from exc


@dataclass(frozen=True)
class Config:
    """Resolved settings for one run of spotui."""

    data_dir: Path
    config_dir: Path
    client_id: str | None = None
    api_url: str = DEFAULT_API_URL
    accounts_url: str = DEFAULT_ACCOUNTS_URL
    reccobeats_url: str = DEFAULT_RECCOBEATS_URL
    redirect_port: int = DEFAULT_REDIRECT_PORT
    demo: bool = False
    db_timeout: float = DEFAULT_DB_TIMEOUT
    extra: dict = field(default_factory=dict)

    @property
    def db_path(self) -> Path:
        """The demo library lives in its own file so it never mixes with the real one."""
        return self.data_dir / ("demo.sqlite3" if self.demo else "library.sqlite3")

    @property
    def token_path(self) -> Path:
        return self.config_dir / "token.json"

    @property
    def config_path(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def outbox_path(self) -> Path:
        """Demo mode writes queue/export actions here instead of calling Spotify."""
        return self.data_dir / "demo-outbox.jsonl"

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.redirect_port}/callback"

    def require_client_id(self) -> str:
        if not self.client_id:
            raise ConfigError(
                "No Spotify client id. Create an app at https://developer.spotify.com/dashboard, "
                f'then set SPOTUI_CLIENT_ID or add client_id = "..." to {self.config_path}.'
            )
        return self.client_id


def check_port(value: object) -> int:
    """A login callback port, 1024-65535 (ValueError saying what is wrong otherwise)."""
    try:
        port = int(str(value).strip())
    except ValueError:
        raise ValueError(f"must be a whole number, got {value!r}") from None
    low, high = PORT_RANGE
    if not low <= port <= high:
        raise ValueError(f"must be between {low} and {high}, got {port}")
    return port


def check_seconds(value: object, allow_zero: bool = False) -> float:
    """A finite, positive number of seconds (0 too with ``allow_zero``); ValueError otherwise."""
    try:
        seconds = float(str(value).strip())
    except ValueError:
        raise ValueError(f"must be a number of seconds, got {value!r}") from None
    if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not allow_zero):
        least = "0 or more" if allow_zero else "more than 0"
        raise ValueError(f"must be a finite number of seconds, {least}; got {value!r}")
    return seconds


def load(demo: bool = False) -> Config:
    """Build the configuration from the environment and ``config.toml``."""
    cdir = config_dir()
    file_cfg = _read_toml(cdir / "config.toml")
    spotify = file_cfg.get("spotify", {}) if isinstance(file_cfg.get("spotify"), dict) else {}

    def pick(env: str, key: str, default):
        return os.environ.get(env) or file_cfg.get(key) or spotify.get(key) or default

    port_raw = pick("SPOTUI_REDIRECT_PORT", "redirect_port", DEFAULT_REDIRECT_PORT)
    try:
        port = check_port(port_raw)
    except ValueError as exc:
        raise ConfigError(f"redirect_port (SPOTUI_REDIRECT_PORT) {exc}") from exc
    # not pick(): 0 ("never wait") is a valid setting, not a missing one
    timeout_raw = os.environ.get("SPOTUI_DB_TIMEOUT") or file_cfg.get(
        "db_timeout", DEFAULT_DB_TIMEOUT
    )
    try:
        db_timeout = check_seconds(timeout_raw, allow_zero=True)
    except ValueError as exc:
        raise ConfigError(f"db_timeout (SPOTUI_DB_TIMEOUT) {exc}") from exc
    return Config(
        data_dir=data_dir(),
        config_dir=cdir,
        client_id=pick("SPOTUI_CLIENT_ID", "client_id", None),
        api_url=str(pick("SPOTUI_API_URL", "api_url", DEFAULT_API_URL)).rstrip("/"),
        accounts_url=str(pick("SPOTUI_ACCOUNTS_URL", "accounts_url", DEFAULT_ACCOUNTS_URL)).rstrip(
            "/"
        ),
        reccobeats_url=str(
            pick("SPOTUI_RECCOBEATS_URL", "reccobeats_url", DEFAULT_RECCOBEATS_URL)
        ).rstrip("/"),
        redirect_port=port,
        demo=demo,
        db_timeout=db_timeout,
        extra=file_cfg,
    )

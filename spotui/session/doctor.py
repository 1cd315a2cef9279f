"""``spotui doctor``: is everything in place to talk to Spotify, and if not, what to do.

Each check is a line with a status and, when it fails, a fix the user can carry out. The
checks make only cheap read-only calls (``/me``, ``/me/player/devices``, one feature
lookup per provider). Premium cannot be read from ``/me`` any more (``product`` was removed
for new apps), so it is inferred from the player API answering 403 ``PREMIUM_REQUIRED``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from spotui.config.env import Config
from spotui.core.text import count, number
from spotui.http import ServiceError
from spotui.spotify.errors import PremiumRequired, SpotifyAuthError

#: Used to probe feature providers when the library is still empty.
SAMPLE_TRACK_ID = "4uLU6hMCjMI75M1A2tKUQC"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    #: not checked (nothing is wrong, nothing was confirmed either): shown as SKIP, never OK
    skipped: bool = False

    @property
    def status(self) -> str:
        """What the line starts with: OK, FIX or SKIP."""
        return "SKIP" if self.skipped else ("OK" if self.ok else "FIX")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"status": self.status}


def run_checks(config: Config, store: Any, *, client: Any = None) -> list[Check]:
    """Run every check; ``client`` (a SpotifyClient) is built from ``config`` if not given."""
    if config.demo:
        return [
            Check("Mode", True, "demo library: Spotify is not used, login checks skipped"),
            _database(store),
        ]
    has_id = bool(config.client_id)
    checks = [_client_id(config)]
    token = _token(config)
    checks.append(token)
    account_ok = False
    if has_id and token.ok:
        if client is None:
            from spotui.spotify.client import SpotifyClient

            client = SpotifyClient(config, retries=1, backoff=0.2)
        account = _account(client)
        checks.append(account)
        account_ok = account.ok
        if account_ok:
            checks.append(_premium(client))
    checks.extend(_providers(config, store, client if account_ok else None))
    checks.append(_database(store))
    return checks


def _client_id(config: Config) -> Check:
    if config.client_id:
        return Check("Client id", True, "set")
    return Check(
        "Client id",
        False,
        "missing",
        "Create an app at https://developer.spotify.com/dashboard, then set "
        f'SPOTUI_CLIENT_ID or add client_id = "..." to {config.config_path}',
    )


def _token(config: Config) -> Check:
    """OK only for a readable token, private to the user, with every scope spotui asks for."""
    from spotui.spotify.auth import token_status

    tok = token_status(config)
    if not tok["present"]:
        return Check("Token", False, "not logged in", "run `spotui login`")
    if not tok["readable"]:
        return Check("Token", False, f"{config.token_path} is unreadable", "run `spotui login`")
    problems = []
    fixes = []
    if tok["mode"] != "0o600":
        problems.append(f"file mode {tok['mode']} (should be 0600)")
        fixes.append(f"chmod 600 {config.token_path}")
    if tok["missing_scopes"]:
        problems.append("missing permissions: " + ", ".join(tok["missing_scopes"]))
        fixes.append("run `spotui login` again")
    if problems:
        return Check("Token", False, "; ".join(problems), "; ".join(fixes))
    return Check("Token", True, f"stored at {config.token_path} (mode 0600, all scopes)")


def _account(client: Any) -> Check:
    try:
        me = client.me()
    except SpotifyAuthError as exc:
        return Check("Account", False, "login no longer valid", str(exc))
    except ServiceError as exc:
        return Check("Account", False, str(exc), "check your connection and try again")
    name = me.get("display_name") or me.get("id")
    return Check("Account", True, f"logged in as {name} ({me.get('id')})")


def _premium(client: Any) -> Check:
    """Premium is not in ``/me`` any more: the player API answering says it."""
    try:
        body = client.get("me/player/devices") or {}
    except PremiumRequired:
        return Check(
            "Premium",
            False,
            "the account is not Premium: queueing to a device will not work",
            "export clusters as playlists instead (or use a Premium account)",
        )
    except ServiceError as exc:
        return Check("Premium", False, f"player API: {exc}", "try again later")
    n = len(body.get("devices") or [])
    return Check("Premium", True, f"player API answers ({count(n, 'device')} visible)")


def _providers(config: Config, store: Any, client: Any) -> list[Check]:
    from spotui.sources.feature_providers import (
        SPOTIFY,
        ReccoBeatsFeatures,
        SpotifyAudioFeatures,
        reccobeats_http,
    )

    ids = store.tracks.track_ids("library")[:1] or [SAMPLE_TRACK_ID]
    out = []
    state = store.tracks.get_provider_state(SPOTIFY)
    if state is not None and not state[0]:
        out.append(
            Check("Features: Spotify", True, f"not available ({state[1]}); ReccoBeats is used")
        )
    elif client is None:
        out.append(Check("Features: Spotify", True, "not checked (not logged in)", skipped=True))
    else:
        prov = SpotifyAudioFeatures(client)
        try:
            prov.http.get(*prov.request(ids))
            store.tracks.set_provider_state(SPOTIFY, True, None)
            out.append(Check("Features: Spotify", True, "answers"))
        except ServiceError as exc:
            reason = prov.unavailable(exc)
            if reason:
                store.tracks.set_provider_state(SPOTIFY, False, reason)
                out.append(
                    Check(
                        "Features: Spotify", True, f"not available ({reason}); ReccoBeats is used"
                    )
                )
            else:
                out.append(Check("Features: Spotify", False, str(exc), "try again later"))
    rb = ReccoBeatsFeatures(reccobeats_http(config, retries=1, backoff=0.2))
    try:
        rb.http.get(*rb.request(ids))
        out.append(Check("Features: ReccoBeats", True, f"answers ({config.reccobeats_url})"))
    except ServiceError as exc:
        out.append(
            Check(
                "Features: ReccoBeats",
                False,
                str(exc),
                "check your connection; tracks without features are looked up again by "
                "`spotui features`",
            )
        )
    return out


def _database(store: Any) -> Check:
    c = store.queries.counts()
    detail = (
        f"{store.path}: {count(c['library_tracks'], 'library track')}, "
        f"{number(c['with_features'])} with features, {count(c['playlists'], 'playlist')}"
    )
    if store.notice:
        return Check(
            "Database", False, detail + f"; {store.notice.message}", "see the message above"
        )
    return Check("Database", True, detail)

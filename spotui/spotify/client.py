"""The Spotify Web API client: the shared HTTP client (:mod:`spotui.http`) with the user's
token, and Spotify's error answers mapped to typed errors.

spotipy is still used for OAuth (authorize URL, code exchange, refresh, token file format,
see :mod:`spotui.spotify.auth`); the requests themselves go through :class:`HttpClient`
for the reasons in :mod:`spotui.http` (no blind POST retries, per-thread sessions, a
shared rate budget).
"""

from __future__ import annotations

from typing import Any

from spotui.config.env import Config
from spotui.http import HttpClient, RateBudget, ServiceError
from spotui.spotify.errors import (
    NoActiveDevice,
    PremiumRequired,
    SpotifyAuthError,
    SpotifyHTTPError,
)


class SpotifyClient(HttpClient):
    """The Web API at ``config.api_url`` with the user's token (refreshed as needed)."""

    def __init__(
        self,
        config: Config,
        *,
        tokens: Any = None,
        budget: RateBudget | None = None,
        **kwargs: Any,
    ):
        if tokens is None:
            from spotui.spotify.auth import TokenManager

            tokens = TokenManager(config)
        self.tokens = tokens
        super().__init__(
            config.api_url,
            service="Spotify",
            token=tokens.access_token,
            refresh=tokens.force_refresh,
            budget=budget,
            **kwargs,
        )

    def error_for(
        self, status: int, reason: str | None, message: str, method: str, path: str
    ) -> ServiceError:
        """Spotify's answers that callers act on get their own types."""
        if status == 401:
            return SpotifyAuthError()
        kind = SpotifyHTTPError
        if status == 403 and reason == "PREMIUM_REQUIRED":
            kind = PremiumRequired
        elif status == 404 and reason == "NO_ACTIVE_DEVICE":
            kind = NoActiveDevice
        return kind(status, reason, message, method=method, path=path, service=self.service)

    def me(self) -> dict:
        """The current user; a 403 here means the app itself is not usable by this account."""
        try:
            return self.get("me")
        except SpotifyHTTPError as exc:
            if exc.status != 403:
                raise
            raise SpotifyHTTPError(
                403,
                exc.reason,
                f"{exc.message or 'Forbidden'}. A Development Mode app only works when its "
                "owner has Spotify Premium and your account is listed under Users Management "
                "in the app's dashboard (https://developer.spotify.com/dashboard)",
                method="GET",
                path=exc.path,
            ) from None

    # ------------------------------------------------------------------ the player
    def devices(self) -> list[dict]:
        """The user's Spotify Connect devices (``GET /me/player/devices``)."""
        body = self.get("me/player/devices") or {}
        return [d for d in body.get("devices") or [] if isinstance(d, dict)]

    def playback(self) -> dict | None:
        """What is playing and where (``GET /me/player``); None when nothing is (204)."""
        return self.get("me/player") or None

    def transfer_playback(self, device_id: str, play: bool = False) -> None:
        """Move playback to ``device_id`` (``PUT /me/player``; safe to resend: same result)."""
        self.request(
            "PUT", "me/player", json={"device_ids": [device_id], "play": play}, idempotent=True
        )

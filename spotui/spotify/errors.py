"""Typed Spotify errors, each with a message written for the user.

Why typed: the CLI prints ``str(exc)`` and the TUI shows it as a notification, but callers
also need to act on the kind (a queue call offers to pick a device on
:class:`NoActiveDevice`, sync stops cleanly on :class:`RateLimited`, anything on
:class:`SpotifyAuthError` points at ``spotui login``). All are :class:`~spotui.errors.UserError`
so an unhandled one still ends as a clear message and exit code 2, never a traceback.
"""

from __future__ import annotations

from spotui.errors import UserError

LOGIN_EXPIRED = "Your Spotify login expired; run `spotui login`. Your library is kept."
NOT_LOGGED_IN = "You are not logged in to Spotify; run `spotui login`."


class SpotifyError(UserError):
    """Base class for everything that went wrong talking to Spotify (or ReccoBeats)."""


class SpotifyAuthError(SpotifyError):
    """No usable login: never logged in, refresh token expired/revoked, or scopes changed."""

    def __init__(self, message: str = LOGIN_EXPIRED):
        super().__init__(message)


class LoginError(SpotifyError):
    """The interactive login did not complete (timeout, denied, state mismatch, port busy)."""


class RateLimited(SpotifyError):
    """A 429 we will not sit out: a quota lock or a Retry-After longer than our cap."""

    def __init__(self, retry_after: float, reason: str | None = None, service: str = "Spotify"):
        self.retry_after = retry_after
        self.reason = reason
        wait = _human_seconds(retry_after)
        if reason == "QUOTA_EXCEEDED":
            msg = (
                f"{service} says the developer quota of your app is used up (QUOTA_EXCEEDED) "
                f"and asks to wait {wait}. Try again later; everything synced so far is kept."
            )
        else:
            msg = (
                f"{service} is rate limiting spotui and asks to wait {wait}. "
                "Try again later; everything synced so far is kept."
            )
        super().__init__(msg)


class SpotifyHTTPError(SpotifyError):
    """Spotify answered with an error status that is not one of the special cases below."""

    def __init__(
        self,
        status: int,
        reason: str | None = None,
        message: str = "",
        *,
        method: str = "",
        path: str = "",
        service: str = "Spotify",
    ):
        self.status = status
        self.reason = reason
        self.message = message
        self.method = method
        self.path = path
        where = f" for {method} {path}" if method else ""
        detail = f": {message}" if message else ""
        super().__init__(f"{service} answered {status}{where}{detail}")


class PremiumRequired(SpotifyHTTPError):
    """Player commands (queue, transfer) need Spotify Premium."""

    def __str__(self) -> str:
        return (
            "This needs Spotify Premium: Spotify only lets Premium accounts control playback "
            "(queueing included). Export the tracks as a playlist instead."
        )


class NoActiveDevice(SpotifyHTTPError):
    """No Spotify app is currently playing or recently active."""

    def __str__(self) -> str:
        return (
            "No active Spotify device: start playing something in a Spotify app "
            "(phone, desktop or web player), then try again."
        )


class OfflineError(SpotifyError):
    """The server could not be reached at all (after retrying where that was safe)."""


def _human_seconds(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds / 3600:.1f} h"

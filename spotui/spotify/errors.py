"""Typed Spotify errors, each with a message written for the user.

Why typed: the CLI prints ``str(exc)`` and the TUI shows it as a notification, but callers
also need to act on the kind (a queue call offers to pick a device on
:class:`NoActiveDevice`, anything on :class:`SpotifyAuthError` points at ``spotui login``).
Being offline or rate limited is not special to Spotify: those kinds live in
:mod:`spotui.http` (re-exported here) and ReccoBeats raises them too, but never a
:class:`SpotifyError`. All are :class:`~spotui.core.errors.UserError`, so an unhandled one still
ends as a clear message and exit code 2, never a traceback.
"""

from __future__ import annotations

from spotui.http import HTTPStatusError, OfflineError, RateLimited, ServiceError

__all__ = [
    "LOGIN_EXPIRED",
    "NOT_LOGGED_IN",
    "LoginError",
    "NoActiveDevice",
    "OfflineError",
    "PremiumRequired",
    "RateLimited",
    "SpotifyAuthError",
    "SpotifyError",
    "SpotifyHTTPError",
]

LOGIN_EXPIRED = "Your Spotify login expired; run `spotui login`. Your library is kept."
NOT_LOGGED_IN = "You are not logged in to Spotify; run `spotui login`."


class SpotifyError(ServiceError):
    """Base class for what went wrong talking to Spotify in particular."""


class SpotifyAuthError(SpotifyError):
    """No usable login: never logged in, refresh token expired/revoked, or scopes changed."""

    def __init__(self, message: str = LOGIN_EXPIRED):
        super().__init__(message)


class LoginError(SpotifyError):
    """The interactive login did not complete (timeout, denied, state mismatch, port busy)."""


class SpotifyHTTPError(HTTPStatusError, SpotifyError):
    """Spotify answered with an error status that is not one of the special cases below."""


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

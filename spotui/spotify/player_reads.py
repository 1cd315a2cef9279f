"""What the player is doing right now, read the way the radio needs it: one request each.

Why next to the client and not in :mod:`spotui.export.player`: these are plain reads of
Spotify's answers (``GET /me/player/currently-playing``, ``GET /me/player/queue``) that
the radio, the simulated demo player and the tests' fake all agree on, so the records
live in the lowest layer that knows Spotify's JSON. Nothing here writes to the account.

Why ``currently-playing`` and not ``GET /me/player``: it carries everything the radio acts
on (the track, ``progress_ms``, ``is_playing``, the context) and is documented as the
cheap "now playing" read; a 204 means nothing plays (no active device, or stopped).
Errors are the client's typed ones: :class:`~spotui.spotify.errors.PremiumRequired`,
:class:`~spotui.spotify.errors.NoActiveDevice`, :class:`~spotui.http.RateLimited` (a
429 longer than the client sits out), :class:`~spotui.http.OfflineError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spotui.spotify.ids import parse_track_id


@dataclass(frozen=True, slots=True)
class PlayingTrack:
    """A track as the player reports it; names are outside text (show them through
    :func:`spotui.core.untrusted.inert`)."""

    id: str
    name: str = ""
    artists: tuple[str, ...] = ()
    duration_ms: int = 0

    @classmethod
    def from_api(cls, item: Any) -> PlayingTrack | None:
        """The track of an ``item`` object; None for an episode, a local file or garbage."""
        if not isinstance(item, dict) or item.get("type", "track") != "track":
            return None
        tid = parse_track_id(item.get("id") or item.get("uri") or "")
        if tid is None:
            return None
        artists = tuple(
            str(a.get("name") or "") for a in item.get("artists") or [] if isinstance(a, dict)
        )
        duration = item.get("duration_ms")
        return cls(
            id=tid,
            name=str(item.get("name") or ""),
            artists=tuple(a for a in artists if a),
            duration_ms=int(duration) if isinstance(duration, (int, float)) else 0,
        )

    def title(self) -> str:
        """ "Title — Artists" (raw: the caller makes it inert)."""
        if not self.artists:
            return self.name or self.id
        return f"{self.name or self.id} — {', '.join(self.artists)}"


@dataclass(frozen=True, slots=True)
class NowPlaying:
    """One ``currently-playing`` answer. ``track`` None: something that is not a track
    (an episode, an ad) plays."""

    track: PlayingTrack | None
    progress_ms: int
    is_playing: bool
    context_uri: str | None = None

    @property
    def track_id(self) -> str | None:
        return self.track.id if self.track else None

    @property
    def remaining_s(self) -> float:
        """Seconds until the track ends at normal speed (0 when unknown)."""
        if self.track is None or not self.track.duration_ms:
            return 0.0
        return max(0.0, (self.track.duration_ms - self.progress_ms) / 1000)

    @classmethod
    def from_api(cls, body: Any) -> NowPlaying | None:
        if not isinstance(body, dict):
            return None
        context = body.get("context")
        progress = body.get("progress_ms")
        return cls(
            track=PlayingTrack.from_api(body.get("item")),
            progress_ms=int(progress) if isinstance(progress, (int, float)) else 0,
            is_playing=bool(body.get("is_playing")),
            context_uri=str(context.get("uri")) if isinstance(context, dict) else None,
        )


@dataclass(frozen=True, slots=True)
class PlayerQueue:
    """``GET /me/player/queue``: what plays and what comes next (Spotify lists the user's
    queue first, then the context's next tracks; about 20 in all)."""

    current: PlayingTrack | None
    upcoming: tuple[PlayingTrack, ...] = ()

    @property
    def upcoming_ids(self) -> list[str]:
        return [t.id for t in self.upcoming]

    @classmethod
    def from_api(cls, body: Any) -> PlayerQueue:
        body = body if isinstance(body, dict) else {}
        items = [PlayingTrack.from_api(i) for i in body.get("queue") or []]
        return cls(
            current=PlayingTrack.from_api(body.get("currently_playing")),
            upcoming=tuple(t for t in items if t is not None),
        )


def currently_playing(client) -> NowPlaying | None:
    """What plays, with its progress (one request); None when nothing plays (204)."""
    return NowPlaying.from_api(client.get("me/player/currently-playing"))


def player_queue(client) -> PlayerQueue:
    """The playing track and the queue after it (one request)."""
    return PlayerQueue.from_api(client.get("me/player/queue"))

"""The fake Spotify's player, playing in time: ``currently-playing`` whose ``progress_ms``
advances with a clock the test controls, ``GET``/``POST /me/player/queue``, skips, a
device that goes away and comes back, and the user playing something else.

Written independently of spotui's own simulated player (``spotui.export.sim_player``), so
a test of the radio against it is not the radio's code agreeing with itself. Attach it
with :meth:`tests.fakes.spotify.FakeSpotify.attach_player`; the fake's other player
endpoints keep working as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from tests.fakes._base import Request, Response, error


class FakeClock:
    """Time that passes only when told: ``sleep`` advances it (the radio's clock port).
    ``at(when, action)`` runs ``action()`` as the clock passes ``when`` (a device lost
    mid-track, the user playing something else), in the sleeping thread."""

    def __init__(self, start: float) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.slept = 0.0
        self._actions: list[tuple[float, Callable[[], None]]] = []

    def now(self) -> float:
        with self._lock:
            return self._now

    def at(self, when: float, action: Callable[[], None]) -> None:
        self._actions.append((when, action))
        self._actions.sort(key=lambda a: a[0])

    def sleep(self, seconds: float) -> None:
        end = self.now() + max(0.0, seconds)
        while self._actions and self._actions[0][0] <= end:
            when, action = self._actions.pop(0)
            with self._lock:
                self._now = max(self._now, when)
            action()
        with self._lock:
            self._now = max(self._now, end)
            self.slept += max(0.0, seconds)

    advance = sleep


@dataclass
class Played:
    track_id: str
    started: float
    ended: float
    skipped: bool


class FakePlayback:
    """Playback on the fake's active device. ``skip(track_id) -> seconds or None`` decides
    when a track that starts is skipped (None: played to the end)."""

    def __init__(
        self,
        fake,
        clock: FakeClock,
        *,
        playing: str,
        context: list[str] | None = None,
        context_uri: str | None = "spotify:playlist:start",
        skip: Callable[[str], float | None] | None = None,
    ) -> None:
        self.fake = fake
        self.clock = clock
        self.skip = skip or (lambda tid: None)
        self.context_uri = context_uri
        self.context = list(context or [])
        self.queue: list[str] = []
        self.history: list[Played] = []
        self.queued_log: list[str] = []  # every POST /me/player/queue that was carried out
        self.queued_at: list[float] = []  # and when (the clock's time)
        self.current: str | None = None
        self._started = 0.0
        self._play_for = 0.0
        self._lost_at: float | None = None
        self._start(playing, clock.now())

    # ---------------------------------------------------------------- knobs
    def lose_device(self) -> None:
        """Every device goes offline; the track stands still until it is back."""
        self._advance()
        self._lost_at = self.clock.now()
        for d in self.fake.devices:
            d["is_active"] = False

    def restore_device(self) -> None:
        if self._lost_at is not None:
            self._started += self.clock.now() - self._lost_at
            self._lost_at = None
        self.fake.devices[0]["is_active"] = True

    def play_other(self, track_id: str, context_uri: str | None = "spotify:album:other") -> None:
        """The user starts something else (the queue stays, as in Spotify)."""
        self._advance()
        self.context_uri = context_uri
        self.context = []
        self._start(track_id, self.clock.now())

    # ---------------------------------------------------------------- the model
    def _duration(self, tid: str) -> float:
        return self.fake.tracks[tid]["duration_ms"] / 1000

    def _start(self, tid: str, at: float) -> None:
        self.current = tid
        self._started = at
        length = self._duration(tid)
        cut = self.skip(tid)
        self._play_for = length if cut is None else min(length, max(0.0, cut))

    def _advance(self) -> None:
        if self._lost_at is not None:
            return
        now = self.clock.now()
        while self.current is not None and now >= self._started + self._play_for:
            end = self._started + self._play_for
            skipped = self._play_for < self._duration(self.current)
            self.history.append(Played(self.current, self._started, end, skipped))
            nxt = (
                self.queue.pop(0) if self.queue else (self.context.pop(0) if self.context else None)
            )
            if nxt is None:
                self.current = None
            else:
                self._start(nxt, end)

    def _progress_ms(self) -> int:
        at = self._lost_at if self._lost_at is not None else self.clock.now()
        return int((at - self._started) * 1000)

    # ---------------------------------------------------------------- HTTP
    def handle(self, req: Request, rest: list[str]) -> Response | None:
        """The answer for a player endpoint, or None to leave it to the fake."""
        self._advance()
        active = any(d["is_active"] for d in self.fake.devices)
        m = req.method
        if rest in (["currently-playing"], []) and m == "GET":
            if not active or self.current is None:
                return Response(204)
            body = {
                "timestamp": int(self.clock.now() * 1000),
                "context": {"uri": self.context_uri, "type": self.context_uri.split(":")[1]}
                if self.context_uri
                else None,
                "progress_ms": self._progress_ms(),
                "is_playing": True,
                "currently_playing_type": "track",
                "item": self.fake.tracks[self.current],
            }
            if not rest:
                body["device"] = next(d for d in self.fake.devices if d["is_active"])
            return Response(200, body)
        if rest == ["queue"] and m == "GET":
            if not active:
                return Response(200, {"currently_playing": None, "queue": []})
            upcoming = (self.queue + self.context)[:20]
            return Response(
                200,
                {
                    "currently_playing": self.fake.tracks.get(self.current or ""),
                    "queue": [self.fake.tracks[t] for t in upcoming],
                },
            )
        if rest == ["queue"] and m == "POST":
            if not active:
                return error(
                    404, "Player command failed: No active device found", "NO_ACTIVE_DEVICE"
                )
            uri = req.query.get("uri", "")
            tid = uri.split(":")[-1]
            if not uri.startswith("spotify:track:") or tid not in self.fake.tracks:
                return error(400, "Invalid uri")
            self.queue.append(tid)
            self.queued_log.append(tid)
            self.queued_at.append(self.clock.now())
            return Response(204)
        return None

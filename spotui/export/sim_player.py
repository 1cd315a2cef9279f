"""A simulated Spotify player for ``--demo`` and tests: it plays its queue on its own clock.

Why: the radio's whole loop (read at the track's end, keep N ahead, learn from skips) can
be watched in ``spotui --demo`` and tested without an account or a network. The player
keeps time on a clock it is handed (:class:`SimClock` runs ``speed`` times faster than
the wall clock, so a 3-minute track passes in a second at 180x); every track it is asked
to queue is written to the demo outbox like the demo's other queue actions, so the user
can read what would have been sent. Skips are optional and seeded: with ``skip_chance``
a track stops somewhere between 5% and 40% of its length and the next one starts, the way
a listener's "next" looks to the radio. It answers with the records of
:mod:`spotui.spotify.player_reads`, exactly as the real player port does.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from spotui.config.env import Config
from spotui.export.outbox import write_outbox
from spotui.spotify.ids import track_uri
from spotui.spotify.player_reads import NowPlaying, PlayerQueue, PlayingTrack

#: What a track whose length is unknown lasts in the simulation.
DEFAULT_DURATION_MS = 180_000
#: The simulated device's name (in the outbox, and in what the radio says).
SIM_DEVICE = "Demo player (spotui --demo)"


class SimClock:
    """Simulated time: ``speed`` seconds pass per wall-clock second, from ``start``
    (default: now, so the store's "last 24 hours" windows mean what they say).

    ``sleep`` waits the wall-clock share of the simulated seconds and can be cut short
    with :meth:`interrupt` (the radio's stop key)."""

    def __init__(self, speed: float = 1.0, start: float | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._start = time.time() if start is None else start
        self._t0 = time.monotonic()
        self._wake = threading.Event()

    def now(self) -> float:
        return self._start + (time.monotonic() - self._t0) * self.speed

    def sleep(self, seconds: float) -> None:
        if seconds > 0 and not self._wake.wait(seconds / self.speed):
            return
        self._wake.clear()

    def interrupt(self) -> None:
        self._wake.set()


@dataclass(frozen=True, slots=True)
class SimPlay:
    """One track the simulation played: when, for how long, and whether it was skipped."""

    track_id: str
    started: float
    ended: float
    duration_s: float
    skipped: bool


class SimPlayer:
    """The radio's player port over a simulated device (see the module docstring).

    ``tracks(ids)`` names and times tracks (the session's store in ``--demo``); ``now``
    is the clock. ``playing`` is what plays at the start, ``context`` what plays after the
    queue runs out (nothing: playback stops, as when an album ends)."""

    def __init__(
        self,
        config: Config | None,
        tracks: Callable[[Sequence[str]], dict[str, PlayingTrack]],
        now: Callable[[], float],
        *,
        playing: str | None = None,
        context: Sequence[str] = (),
        context_uri: str | None = "spotify:playlist:demo",
        skip_chance: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.config = config
        self._tracks = tracks
        self._now = now
        self._rng = random.Random(seed)
        self.skip_chance = skip_chance
        self.context_uri = context_uri
        self._context = list(context)
        self.queued: list[str] = []
        self.history: list[SimPlay] = []
        self.requests = 0
        self._lock = threading.Lock()
        self._current: PlayingTrack | None = None
        self._started = 0.0
        self._play_for = 0.0
        if playing is not None:
            self._start(playing, now())

    # ------------------------------------------------------------------ the port
    def now_playing(self) -> NowPlaying | None:
        with self._lock:
            self.requests += 1
            self._advance()
            if self._current is None:
                return None
            progress = int((self._now() - self._started) * 1000)
            return NowPlaying(self._current, progress, True, self.context_uri)

    def queue(self) -> PlayerQueue:
        with self._lock:
            self.requests += 1
            self._advance()
            upcoming = self._info([*self.queued, *self._context[:10]])
            return PlayerQueue(self._current, tuple(upcoming))

    def add(self, track_id: str) -> None:
        with self._lock:
            self.requests += 1
            self._advance()
            if self.config is not None:
                write_outbox(
                    self.config,
                    {"kind": "queue", "device": SIM_DEVICE, "uris": [track_uri(track_id)]},
                )
            self.queued.append(track_id)
            if self._current is None:  # a stopped player starts again with what is queued
                self._start(self.queued.pop(0), self._now())

    # ------------------------------------------------------------------ the simulation
    def _info(self, ids: Sequence[str]) -> list[PlayingTrack]:
        known = self._tracks(list(ids))
        out = []
        for t in ids:
            info = known.get(t) or PlayingTrack(t, t)
            if not info.duration_ms:
                info = PlayingTrack(info.id, info.name, info.artists, DEFAULT_DURATION_MS)
            out.append(info)
        return out

    def _start(self, track_id: str, at: float) -> None:
        self._current = self._info([track_id])[0]
        self._started = at
        length = self._current.duration_ms / 1000
        self._play_for = length
        if self.skip_chance and self._rng.random() < self.skip_chance:
            self._play_for = length * self._rng.uniform(0.05, 0.4)

    def _advance(self) -> None:
        now = self._now()
        while self._current is not None and now >= self._started + self._play_for:
            end = self._started + self._play_for
            length = self._current.duration_ms / 1000
            self.history.append(
                SimPlay(self._current.id, self._started, end, length, self._play_for < length)
            )
            nxt = self.queued.pop(0) if self.queued else None
            if nxt is None and self._context:
                nxt = self._context.pop(0)
            if nxt is None:
                self._current = None
            else:
                self._start(nxt, end)

"""Mood radio: keep the Spotify queue a few tracks ahead in one mood, for hours, within the
quota, learning from skips.

Why an engine over ports: the loop must run against the real player, the demo's simulated
one and the tests' fake with a fake clock, and stop cleanly from a key, Ctrl-C or a
timer. So :class:`Radio` is handed a :class:`Player` (what plays, the queue, add one
track), a :class:`Clock` (``now()``, ``sleep(seconds)``), a :class:`CandidateSource`
(recommendations for seed ids, with exclusions) and a :class:`Memory` (what was queued
or skipped, in the store, so a radio started again after a kill continues without
duplicates). Its choices are :mod:`spotui.analysis.recommend.radio_picks`; what it does
with the player:

* **One read per track.** The player is read once at the playing track's expected end
  (``duration - progress`` plus :data:`SLACK_S`), never on a short poll: the quota is the
  user's own app's. In steady state a track costs that read and the one ``POST`` that
  queues its successor: 2 requests per track played.
* **The queue is checked before adding** when the radio cannot know what it holds: at
  start (a restart finds its earlier tracks there and counts them as ahead), after a
  write whose outcome is unknown (5xx, dropped connection), after the device came back,
  and when something the radio did not queue plays. A track is noted as queued *before*
  it is sent, so a kill between the two never sends it again.
* **Stops and waits.** Nothing playing: the device went away; the radio waits (backing
  off :data:`DEVICE_BACKOFF_S`) and goes on when playback is back, or stops after
  :data:`MAX_DEVICE_WAIT_S`. The user plays a
  track the radio did not queue, from another context, or with none of the radio's
  tracks left in Spotify's queue: the radio stops and says why. A 429 beyond what the
  HTTP client sits out: wait its Retry-After, stop past :data:`MAX_RATE_WAIT_S` in one
  stretch. No network: back off (reads are repeated, a write never is), stop after
  :data:`MAX_OFFLINE_S`. No Premium or an expired login: a clear error, nothing sent.
* **The rate budget is shared:** the player port goes through the session's HTTP client,
  whose :class:`~spotui.http.RateBudget` every other call uses too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from spotui.analysis.recommend import radio_picks as picks
from spotui.analysis.recommend.radio_picks import Candidate, Pick
from spotui.core.errors import UserError
from spotui.core.untrusted import inert
from spotui.http import HTTPStatusError, OfflineError, RateLimited
from spotui.spotify.errors import NoActiveDevice, PremiumRequired, SpotifyAuthError
from spotui.spotify.player_reads import NowPlaying, PlayerQueue, PlayingTrack

#: Seconds after a track's expected end at which the player is read.
SLACK_S = 3.0
#: Waits between reads while no device plays (the last one repeats).
DEVICE_BACKOFF_S = (30.0, 60.0, 120.0, 300.0)
#: Stop after no device played for this long (the user has gone; nothing is left running).
MAX_DEVICE_WAIT_S = 1800.0
#: Waits between reads while playback is paused (the last one repeats).
PAUSED_BACKOFF_S = (60.0, 120.0, 300.0)
#: Waits between retries while offline (the last one repeats).
OFFLINE_BACKOFF_S = (5.0, 15.0, 30.0, 60.0, 120.0)
#: Stop after waiting out 429s for this long without one answer in between.
MAX_RATE_WAIT_S = 300.0
#: Stop after this long without reaching Spotify.
MAX_OFFLINE_S = 1800.0
#: Candidates asked for per query (the picks choose from them).
POOL = 40
#: Ask discovery again after this many picks (its answers are cached a day per seed set).
DISCOVER_EVERY = 10
#: How many recent keeps seed the drift query, and how many skips go as negativeSeeds.
DRIFT_SEEDS = 3
NEGATIVE_SEEDS = 5
#: A track played (by the sync's recently-played rows) within this many hours is not queued.
PLAYED_HOURS = 6.0


class Player(Protocol):
    def now_playing(self) -> NowPlaying | None: ...
    def queue(self) -> PlayerQueue: ...
    def add(self, track_id: str) -> None: ...


class Clock(Protocol):
    def now(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class CandidateSource(Protocol):
    #: the distance at which two tracks sound half alike (the recommender's ``d_ref``)
    d_ref: float

    def mood_ids(self) -> list[str]: ...
    def candidates(
        self,
        seed_ids: Sequence[str] | None,
        *,
        exclude: set[str],
        negative: Sequence[str],
        n: int,
        discover: bool,
    ) -> list[Candidate]: ...
    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]: ...


class Memory(Protocol):
    def excluded(self, now: float) -> set[str]: ...
    def queued_since(self, since: float) -> set[str]: ...
    def note(self, ids: Sequence[str], kind: str, at: float) -> None: ...


class RealClock:
    """Wall-clock time; :meth:`interrupt` cuts a sleep short (the stop key)."""

    def __init__(self) -> None:
        self._wake = threading.Event()

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0 and not self._wake.wait(seconds):
            return
        self._wake.clear()

    def interrupt(self) -> None:
        self._wake.set()


class RadioError(UserError):
    """The radio cannot start (no Premium, nothing playing, nothing to play)."""


#: How a radio ended (:attr:`RadioResult.ended`): the faces map it to an exit code or a
#: severity, so they never parse the reason's words.
STOPPED, MINUTES, ELSEWHERE, EXHAUSTED = "stopped", "minutes", "elsewhere", "exhausted"
NO_DEVICE, OFFLINE, RATE_LIMITED, LOGIN = "no_device", "offline", "rate_limited", "login"


class _Stop(Exception):
    def __init__(self, reason: str, ended: str = STOPPED):
        self.reason = reason
        self.ended = ended


@dataclass(frozen=True)
class RadioEvent:
    """What the live line shows. ``kind``: started, playing, queued, skip, waiting,
    resumed, stopped. Every text is already inert (names are outside text)."""

    kind: str
    message: str
    playing: str = ""
    next: tuple[str, ...] = ()
    why: str = ""

    def line(self, label: str = "Radio") -> str:
        """ "Radio: Calm Acoustic · next: … (why) · ▶ now playing": the next track before
        what plays, so a narrow playback line cuts the part the player shows anyway."""
        parts = [f"{label}"]
        if self.next:
            parts.append(f"next: {self.next[0]}" + (f" ({self.why})" if self.why else ""))
        if self.playing:
            parts.append(f"▶ {self.playing}")
        if self.kind in ("waiting", "stopped", "skip"):
            parts.append(self.message)
        return " · ".join(parts)


@dataclass
class RadioResult:
    """How a radio ended and what it did."""

    reason: str
    #: how it ended: STOPPED, MINUTES, ELSEWHERE, EXHAUSTED, NO_DEVICE, OFFLINE,
    #: RATE_LIMITED or LOGIN
    ended: str = STOPPED
    played: int = 0
    kept: int = 0
    skipped: list[str] = field(default_factory=list)
    queued: list[str] = field(default_factory=list)
    requests: int = 0
    sources: dict[str, int] = field(default_factory=dict)
    #: every distinct candidate the radio weighed, by where it came from
    candidates: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "ended": self.ended,
            "played": self.played,
            "kept": self.kept,
            "skipped": list(self.skipped),
            "queued": list(self.queued),
            "requests": self.requests,
            "sources": dict(self.sources),
            "candidates": dict(self.candidates),
        }


@dataclass
class RadioSettings:
    ahead: int = 3
    #: stop after this many minutes (None: until stopped)
    minutes: float | None = None
    discover: bool = False
    label: str = "Radio"


def _title(track: PlayingTrack | Candidate | None, fallback: str = "") -> str:
    if track is None:
        return inert(fallback)
    name = track.name or getattr(track, "id", None) or getattr(track, "track_id", "")
    by = ", ".join(track.artists)
    return inert(f"{name} — {by}" if by else name)


class Radio:
    """One radio run (see the module docstring). :meth:`run` blocks until it stops;
    :meth:`stop` may be called from any thread."""

    def __init__(
        self,
        player: Player,
        clock: Clock,
        source: CandidateSource,
        memory: Memory,
        settings: RadioSettings | None = None,
        on_event: Callable[[RadioEvent], None] | None = None,
    ) -> None:
        self.player = player
        self.clock = clock
        self.source = source
        self.memory = memory
        self.settings = settings or RadioSettings()
        self.on_event = on_event
        self._stopped: str | None = None
        self.result = RadioResult("")
        #: radio tracks queued and not yet seen playing, in queue order
        self.pending: list[str] = []
        #: every track this radio queued or took over from an earlier run
        self.ours: set[str] = set()
        self.info: dict[str, Candidate] = {}
        self.artist_log: list[tuple[str, ...]] = []
        self.kept: list[str] = []
        self.skipped: list[str] = []
        self.seen: set[str] = set()
        self.why: dict[str, str] = {}
        self.current: NowPlaying | None = None
        self.current_started = 0.0
        self.start_context: str | None = None
        self._verify = True
        self._rate_waited = 0.0
        self._offline_since: float | None = None
        self._picks_since_discovery = DISCOVER_EVERY
        self._mood_centre: np.ndarray | None = None
        self._mood_radius = 0.0
        self._vectors: dict[str, np.ndarray] = {}
        self._requests0 = 0
        self._done: set[str] = set()
        self._weighed: set[str] = set()
        self._device_waits = 0
        self._gone_since = 0.0
        self._paused = 0
        self.last_event: RadioEvent | None = None

    # ------------------------------------------------------------------ control
    def stop(self, reason: str = "Radio stopped.") -> None:
        if self._stopped is None:
            self._stopped = reason
        interrupt = getattr(self.clock, "interrupt", None)
        if interrupt is not None:
            interrupt()

    def mark_skipped(self, track_id: str | None = None) -> None:
        """The user skipped (a key): the track playing, or ``track_id``, is a skip now."""
        tid = track_id or (self.current.track_id if self.current else None)
        if tid and tid not in self.skipped:
            self._learn(tid, skipped=True)

    def line(self) -> str:
        """The playback line's text ("Radio: Calm Acoustic · next: ... · ▶ ...")."""
        if self.last_event is None:
            return inert(self.settings.label)
        return self.last_event.line(inert(self.settings.label))

    # ------------------------------------------------------------------ the loop
    def run(self) -> RadioResult:
        self._requests0 = int(getattr(self.player, "requests", 0))
        deadline = None
        if self.settings.minutes:
            deadline = self.clock.now() + self.settings.minutes * 60
        try:
            wait = self._start()
            while self._stopped is None:
                if deadline is not None:
                    wait = min(wait, max(0.0, deadline - self.clock.now()))
                self.clock.sleep(wait)
                if self._stopped is not None:
                    break
                if deadline is not None and self.clock.now() >= deadline:
                    raise _Stop(
                        f"Radio stopped: its {self.settings.minutes:g} minutes are up.", MINUTES
                    )
                try:
                    wait = self._step()
                except NoActiveDevice:
                    wait = self._device_gone()
        except _Stop as stop:
            self._stopped = stop.reason
            self.result.ended = stop.ended
        finally:
            close = getattr(self.player, "close", None)
            if close is not None:
                close()
        self.result.reason = self._stopped or "Radio stopped."
        self.result.requests = int(getattr(self.player, "requests", 0)) - self._requests0
        self._emit("stopped", self.result.reason)
        return self.result

    def _start(self) -> float:
        try:
            np_ = self._call(self.player.now_playing)
        except NoActiveDevice:
            np_ = None
        if np_ is None:
            raise RadioError(
                "Nothing is playing on any Spotify device: start playing something in a "
                "Spotify app (phone, desktop or web player), then start the radio. Nothing "
                "was queued."
            )
        self.start_context = np_.context_uri
        self._set_current(np_, self.clock.now() - np_.progress_ms / 1000)
        ids = self.source.mood_ids()
        vec = self._vecs(ids)
        if not vec:
            raise RadioError("None of the radio's seed tracks has audio features to follow.")
        self._mood_centre = np.mean(np.stack(list(vec.values())), axis=0)
        self._mood_radius = picks.mood_radius(np.stack(list(vec.values())), self._mood_centre)
        self._emit("started", f"{inert(self.settings.label)} started.")
        try:
            self._fill()
        except NoActiveDevice:
            raise RadioError(str(NoActiveDevice(404))) from None
        return np_.remaining_s + SLACK_S

    def _step(self) -> float:
        np_ = self._call(self.player.now_playing)
        now = self.clock.now()
        if np_ is None:
            return self._device_gone()
        if self._device_waits:
            self._device_waits = 0
            self._verify = True
            self._emit("resumed", "Playback is back; the radio goes on.")
        cur = np_.track_id
        if self.current is not None and cur == self.current.track_id:
            self.current = np_
            if not np_.is_playing:
                self._paused += 1
                return PAUSED_BACKOFF_S[min(self._paused, len(PAUSED_BACKOFF_S)) - 1]
            self._paused = 0
            self._fill()
            return np_.remaining_s + SLACK_S
        self._paused = 0
        started = now - np_.progress_ms / 1000
        if cur is not None and cur in self.ours and cur not in self._done:
            self._advanced_to(cur, started)
            self._set_current(np_, started)
            self._fill()
            return np_.remaining_s + SLACK_S
        self._something_else(np_, started)
        return np_.remaining_s + SLACK_S

    def _device_gone(self) -> float:
        now = self.clock.now()
        if not self._device_waits:
            self._gone_since = now
        elif now - self._gone_since > MAX_DEVICE_WAIT_S:
            raise _Stop(
                f"No Spotify device played for {MAX_DEVICE_WAIT_S / 60:.0f} minutes, so the "
                "radio stopped.",
                NO_DEVICE,
            )
        self._device_waits += 1
        wait = DEVICE_BACKOFF_S[min(self._device_waits, len(DEVICE_BACKOFF_S)) - 1]
        self._verify = True
        self._emit(
            "waiting",
            f"No Spotify device is playing; the radio waits (next look in {wait:.0f} s).",
        )
        return wait

    def _something_else(self, np_: NowPlaying, started: float) -> None:
        """A track the radio did not queue plays: the user's own queued track before the
        radio's (go on), or something else (stop)."""
        what = _title(np_.track, "something that is not a track")
        if np_.track is None or np_.context_uri != self.start_context:
            raise _Stop(
                f"“{what}” started playing from elsewhere, so the radio stopped.", ELSEWHERE
            )
        queue = self._call(self.player.queue)
        self._verify = False
        waiting = [t for t in queue.upcoming_ids if t in self.ours and t not in self._done]
        if not waiting:
            raise _Stop(f"You played “{what}”, so the radio stopped.", ELSEWHERE)
        self.pending = [t for t in self.pending if t in set(waiting)]
        self._advanced_to(None, started)
        self._set_current(np_, started)

    def _advanced_to(self, cur: str | None, started: float) -> None:
        """The tracks that ended between the last read and this one, judged keep or skip."""
        ended: list[tuple[str, float]] = []
        if self.current is not None and self.current.track is not None:
            ended.append((self.current.track.id, self.current.track.duration_ms / 1000))
        if cur is not None and cur in self.pending:
            k = self.pending.index(cur)
            for t in self.pending[:k]:
                info = self.info.get(t)
                ended.append((t, (info.duration_ms or 0) / 1000 if info else 0.0))
            self.pending = self.pending[k + 1 :]
        flags = picks.split_interval(started - self.current_started, [d for _, d in ended])
        for (tid, _), skipped in zip(ended, flags, strict=True):
            if tid in self.ours and tid not in self._done:
                self._done.add(tid)
                self.result.played += 1
                self._learn(tid, skipped=skipped)

    def _learn(self, tid: str, *, skipped: bool) -> None:
        if skipped:
            self.skipped.append(tid)
            self.result.skipped.append(tid)
            self.memory.note([tid], "skipped", self.clock.now())
            self._emit("skip", f"Skipped {_title(self.info.get(tid), tid)}: not played again.")
        else:
            self.kept.append(tid)
            self.result.kept += 1

    def _set_current(self, np_: NowPlaying, started: float) -> None:
        self.current = np_
        self.current_started = started
        if np_.track_id:
            self.seen.add(np_.track_id)
            if np_.track_id in self.pending:
                self.pending.remove(np_.track_id)
        self._emit("playing", "")

    # ------------------------------------------------------------------ queueing
    def _fill(self) -> None:
        if len(self.pending) >= self.settings.ahead:
            return
        if self._verify:
            queue = self._call(self.player.queue)
            self._verify = False
            upcoming = queue.upcoming_ids
            today = self.memory.queued_since(self.clock.now() - 24 * 3600)
            # Spotify lists the context's next tracks after the queue: one of ours that
            # already played is the context coming round again, not the radio's queue
            there = [
                t
                for t in upcoming
                if (t in self.ours or t in today) and t not in self._done and t not in self.seen
            ]
            self.ours.update(there)
            self.pending = list(dict.fromkeys(there))
            if len(self.pending) >= self.settings.ahead:
                return
        need = self.settings.ahead - len(self.pending)
        chosen = self._pick(need)
        if not chosen and not self.pending:
            raise _Stop(
                "The radio ran out of tracks like these that were not played lately.", EXHAUSTED
            )
        for pick in chosen:
            if not self._queue_one(pick):
                break

    def _pick(self, n: int) -> list[Pick]:
        now = self.clock.now()
        exclude = self.memory.excluded(now) | self.ours | self.seen
        discover = self.settings.discover and self._picks_since_discovery >= DISCOVER_EVERY
        negative = self.skipped[-NEGATIVE_SEEDS:]
        found = self.source.candidates(
            None, exclude=exclude, negative=negative, n=POOL, discover=discover
        )
        if self.kept:
            found += self.source.candidates(
                self.kept[-DRIFT_SEEDS:],
                exclude=exclude,
                negative=negative,
                n=POOL // 2,
                discover=discover,
            )
        if discover:
            self._picks_since_discovery = 0
        cands = [c for c in {c.track_id: c for c in found}.values() if c.track_id not in exclude]
        for c in cands:
            if c.track_id not in self._weighed:
                self._weighed.add(c.track_id)
                self.result.candidates[c.source] = self.result.candidates.get(c.source, 0) + 1
        vec = self._vecs([c.track_id for c in cands])
        cands = [c for c in cands if c.track_id in vec]
        if not cands:
            return []
        x = np.stack([vec[c.track_id] for c in cands])
        kept = self._vecs(self.kept[-20:])
        skipped = self._vecs(self.skipped[-picks.SKIP_MEMORY :])
        scores, drift = picks.score(
            x,
            self._mood_centre,
            self.source.d_ref,
            kept=np.stack(list(kept.values())) if kept else None,
            keeps=len(self.kept),
            skipped=np.stack(list(skipped.values())) if skipped else None,
        )
        chosen = picks.choose(
            cands, scores, n, excluded=exclude, recent_artists=self.artist_log, drift=drift
        )
        if not self.settings.discover:
            return chosen
        distances = np.linalg.norm(x - self._mood_centre, axis=1)
        return picks.with_discovery(
            chosen,
            cands,
            scores,
            distances,
            self._mood_radius,
            recent_sources=[self.info[t].source for t in self.result.queued if t in self.info],
            excluded=exclude,
            recent_artists=self.artist_log,
        )

    def _queue_one(self, pick: Pick) -> bool:
        """Send one track (noted as queued first); False when the rest should wait."""
        tid = pick.candidate.track_id
        self.memory.note([tid], "queued", self.clock.now())
        self.ours.add(tid)
        self.info[tid] = pick.candidate
        self.why[tid] = pick.why
        try:
            self._call(lambda: self.player.add(tid), write=True)
        except NoActiveDevice:
            self._verify = True
            return False
        except _Uncertain:
            # it may be in the queue: never sent again; the next fill looks at the queue
            self._verify = True
            self.pending.append(tid)
            self.artist_log.append(pick.candidate.artists)
            return False
        except HTTPStatusError:
            return True  # refused (4xx): not queued, excluded anyway; try the next
        self.pending.append(tid)
        self.artist_log.append(pick.candidate.artists)
        self.result.queued.append(tid)
        src = pick.candidate.source
        self.result.sources[src] = self.result.sources.get(src, 0) + 1
        self._picks_since_discovery += 1
        self._emit("queued", f"Queued {_title(pick.candidate)}: {pick.why}.")
        return True

    # ------------------------------------------------------------------ calling Spotify
    def _call(self, fn: Callable[[], Any], *, write: bool = False) -> Any:
        """``fn()``, waiting out rate limits and network loss (a write is never repeated
        after it may have been done: that raises :class:`_Uncertain`)."""
        offline_waits = 0
        while True:
            if self._stopped is not None:
                raise _Stop(self._stopped)
            try:
                out = fn()
            except RateLimited as exc:
                # a 429 means "not processed": waiting and sending again is safe
                if exc.reason == "QUOTA_EXCEEDED" or self._rate_waited + exc.retry_after > (
                    MAX_RATE_WAIT_S
                ):
                    raise _Stop(f"{exc} The radio stopped.", RATE_LIMITED) from None
                self._rate_waited += exc.retry_after
                self._emit("waiting", f"Spotify asks to wait {exc.retry_after:.0f} s; waiting.")
                self.clock.sleep(exc.retry_after)
                continue
            except OfflineError as exc:
                if write and exc.maybe_sent:
                    raise _Uncertain() from None
                now = self.clock.now()
                if self._offline_since is None:
                    self._offline_since = now
                if now - self._offline_since > MAX_OFFLINE_S:
                    raise _Stop(
                        f"{exc} The radio stopped after waiting for the network.", OFFLINE
                    ) from None
                wait = OFFLINE_BACKOFF_S[min(offline_waits, len(OFFLINE_BACKOFF_S) - 1)]
                offline_waits += 1
                self._emit("waiting", f"Spotify cannot be reached; trying again in {wait:.0f} s.")
                self.clock.sleep(wait)
                continue
            except PremiumRequired as exc:
                raise RadioError(str(exc)) from None
            except SpotifyAuthError as exc:
                raise _Stop(str(exc), LOGIN) from None
            except NoActiveDevice:
                raise
            except HTTPStatusError as exc:
                if exc.status >= 500:
                    if write:
                        raise _Uncertain() from None
                    self._emit("waiting", f"{exc}; trying again.")
                    self.clock.sleep(OFFLINE_BACKOFF_S[min(offline_waits, 4)])
                    offline_waits += 1
                    continue
                raise
            self._rate_waited = 0.0
            self._offline_since = None
            return out

    # ------------------------------------------------------------------ helpers
    def _vecs(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        missing = [t for t in ids if t not in self._vectors]
        if missing:
            self._vectors.update(self.source.vectors(missing))
        return {t: self._vectors[t] for t in ids if t in self._vectors}

    def _emit(self, kind: str, message: str) -> None:
        playing = _title(self.current.track) if self.current and self.current.track else ""
        nxt = tuple(_title(self.info.get(t), t) for t in self.pending[:3])
        why = self.why.get(self.pending[0], "") if self.pending else ""
        event = RadioEvent(kind, message, playing, nxt, why)
        self.last_event = event
        if self.on_event is not None:
            self.on_event(event)


class _Uncertain(Exception):
    """A write that may or may not have been carried out."""


# ---------------------------------------------------------------------- the session's ports
class StoreMemory:
    """The radio's memory in the store: the existing "recently queued / skipped" rows
    (:mod:`spotui.store.discovery`), so the radio, ``spotui recommend`` and the TUI share
    one "not again". ``stores()`` is the session's per-thread store context."""

    def __init__(self, stores: Callable[[], Any]) -> None:
        self._stores = stores

    def excluded(self, now: float) -> set[str]:
        """Queued in the last day, skipped in the last 30 days, and played in the last
        :data:`PLAYED_HOURS` hours by the plays a sync saw (a time window, not a count)."""
        from spotui.session.discovery import recent_exclusions

        with self._stores() as store:
            played = store.library.played_since(now - PLAYED_HOURS * 3600)
            return recent_exclusions(store, now) | played

    def queued_since(self, since: float) -> set[str]:
        with self._stores() as store:
            return store.discovery.recent_tracks({"queued": since})

    def note(self, ids: Sequence[str], kind: str, at: float) -> None:
        with self._stores() as store:
            store.discovery.note_recent(list(ids), kind, at)


class SessionCandidates:
    """Candidates from the session as it is today: ``Session.recommendations.recommend`` for the mood (its
    seeds as given) and for recent keeps (a selection), and, with ``discover``,
    ReccoBeats with the skips as ``negativeSeeds``; vectors from the session's pool."""

    def __init__(self, session, seeds) -> None:
        self.session = session
        self.seeds = seeds
        self._mood: list[str] | None = None
        self._discovered: set[str] = set()

    @property
    def d_ref(self) -> float:
        return float(self.session.recommendations.recommender().d_ref)

    def mood_ids(self) -> list[str]:
        if self._mood is None:
            recs = self.session.recommendations.recommend(self.seeds, n=1, artist_cap=0)
            self._mood = list(recs.seed_ids)
        return self._mood

    def candidates(
        self,
        seed_ids: Sequence[str] | None,
        *,
        exclude: set[str],
        negative: Sequence[str],
        n: int,
        discover: bool,
    ) -> list[Candidate]:
        from spotui.session.seeds import Seeds

        seeds = self.seeds if seed_ids is None else Seeds.selection(list(seed_ids))
        recs = self.session.recommendations.recommend(seeds, n=n + 20, artist_cap=0)
        out = [self._candidate(r) for r in recs.results]
        seeds_for = self.mood_ids() if seed_ids is None else list(seed_ids)
        if discover:
            self._discover(seeds_for, negative)
        if self._discovered:
            # what discovery proposed stays a candidate between its (cached) asks
            results = self.session.recommendations.recommender().recommend(
                seeds_for, n=n, only=self._discovered, exclude=exclude, artist_cap=None
            )
            out += [self._candidate(r) for r in results]
        return out

    def _discover(self, seed_ids: Sequence[str], negative: Sequence[str]) -> None:
        from spotui.session.discovery import discover

        session = self.session
        rec = session.recommendations.recommender()
        with (
            session.context.spotify(needed=session.account.logged_in()) as spotify,
            session.context.db() as store,
        ):
            found = discover(
                session.config, store, rec, list(seed_ids), spotify, negative_seeds=negative
            )
        fresh = set(found.candidate_ids) - self._discovered
        if fresh:
            session.library.changed()  # the candidates joined the catalog
            self._discovered.update(fresh)

    def _candidate(self, r) -> Candidate:
        t = r.track
        if t.id in self._discovered:
            source = picks.DISCOVERY
        else:
            source = picks.LIBRARY if r.in_library else picks.CATALOG
        return Candidate(t.id, t.name, tuple(t.artists), source, t.duration_ms)

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        rec = self.session.recommendations.recommender()
        return {
            t: np.asarray(rec.scaled[rec.index[t]], dtype=np.float64) for t in ids if t in rec.index
        }


def radio_label(session, seeds) -> str:
    """What the playback line calls the radio: "Radio: Calm Acoustic"."""
    from spotui.session.seeds import CLUSTER

    if seeds.kind == CLUSTER:
        return f"Radio: {session.moods.label(seeds.cluster_id)}"
    return f"Radio: {session.recommendations.pane_title(seeds)}"


def start_radio(
    session,
    seeds,
    settings: RadioSettings | None = None,
    on_event: Callable[[RadioEvent], None] | None = None,
    *,
    player: Player | None = None,
    clock: Clock | None = None,
    speed: float = 60.0,
) -> Radio:
    """A :class:`Radio` on the session's player (the simulated one in ``--demo``, running
    ``speed`` times faster than real time), ready to :meth:`Radio.run` in a worker.
    ``player``/``clock``: other ports (tests)."""
    settings = settings or RadioSettings()
    if settings.label == "Radio":
        settings.label = radio_label(session, seeds)
    if player is None:
        if session.demo:
            from spotui.export.sim_player import SimClock, SimPlayer

            sim_clock = SimClock(speed)
            clock = clock or sim_clock
            source = SessionCandidates(session, seeds)
            first = source.mood_ids()[:1]
            player = SimPlayer(
                session.config,
                lambda ids: demo_tracks(session, ids),
                clock.now,
                playing=first[0] if first else None,
            )
            return Radio(player, clock, source, StoreMemory(session.context.db), settings, on_event)
        from spotui.export.radio_player import SpotifyRadioPlayer

        player = SpotifyRadioPlayer(session.context.client())
    return Radio(
        player,
        clock or RealClock(),
        SessionCandidates(session, seeds),
        StoreMemory(session.context.db),
        settings,
        on_event,
    )


def demo_tracks(session, ids: Sequence[str]) -> dict[str, PlayingTrack]:
    """Names and lengths of stored tracks, as the simulated player reports them."""
    return {
        t.id: PlayingTrack(t.id, t.name, tuple(t.artists), t.duration_ms or 0)
        for t in session.library.tracks(list(ids))
    }

"""The radio's decisions, as pure functions: was it a skip, where the mood has drifted, and
which candidates to queue next.

Why pure: the rules are what a listener notices (a song twice in an hour, one artist four
times in a row, the radio wandering off the mood), so they are tested on arrays and
records alone, without a player, a store or a clock; :mod:`spotui.session.radio` feeds
them and acts on the answer.

The rules (each constant below is one of them):

* **Skip or keep.** A track that stopped with more than :data:`SKIP_LEFT_S` seconds *and*
  more than :data:`SKIP_LEFT_SHARE` of its length still to go is a skip; otherwise it was
  played to the end (a keep). Both conditions, so the last 20 s of a long track or the
  outro of a short one is not a skip. When the radio's one read per track finds that
  several tracks ended since the last read (:func:`split_interval`), it takes the
  explanation with the fewest skips that fits the time that passed (the keeps' shortest
  plays fit in it), and among equals skips the earlier tracks: the read was timed for the
  first one's end, so when more than one ended before it, the first was cut short.
* **Drift.** Candidates are scored ``(1 - a) * near(mood centre) + a * near(kept centre)
  - SKIP_PENALTY * max near(recent skip)``, ``near`` the recommender's sound scale
  ``2 ** -(d / d_ref) ** 2``. ``a`` grows with each keep, ``DRIFT_MAX * (1 -
  DRIFT_RATE ** keeps)``, so the radio leans toward what was played to the end slowly
  and never more than :data:`DRIFT_MAX`: the mood it started from stays the anchor. The
  kept centre weighs recent keeps more (half-life :data:`KEPT_HALF_LIFE` keeps); only the
  last :data:`SKIP_MEMORY` skips push away.
* **No repeats.** Never a track that is excluded (played in the last hours, queued today,
  skipped: the caller's memory), nor one already picked in this call.
* **Discovery gets its share.** With discovery on, at least 1 in
  :data:`DISCOVERY_EVERY_N` radio tracks is one discovery proposed
  (:func:`with_discovery`), as long as one is within the mood's usual distance (the
  :data:`MOOD_RADIUS_PERCENTILE` th percentile of the mood's own tracks' distance to its
  centre): ranked by score alone, a new track the library has no neighbours of rarely
  wins, and the user asked for new ones.
* **Artists.** At most :data:`PER_ARTIST` tracks of one artist in any
  :data:`ARTIST_WINDOW` consecutive radio tracks (the window includes what was queued
  before this call).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

#: A skip leaves more than this many seconds of the track unplayed...
SKIP_LEFT_S = 30.0
#: ...and more than this share of its length.
SKIP_LEFT_SHARE = 0.2
#: The largest weight the kept centre ever gets against the mood's own centre.
DRIFT_MAX = 0.4
#: Each keep closes this share of the remaining gap to DRIFT_MAX: 1 - 0.9 ** n.
DRIFT_RATE = 0.9
#: A keep this many keeps ago counts half as much in the kept centre.
KEPT_HALF_LIFE = 5.0
#: How hard a candidate that sounds like a recent skip is pushed down.
SKIP_PENALTY = 0.5
#: How many of the latest skips push candidates away.
SKIP_MEMORY = 10
PER_ARTIST = 2
ARTIST_WINDOW = 10
#: With discovery on, at least one in this many radio tracks comes from discovery...
DISCOVERY_EVERY_N = 5
#: ...if one lies within this percentile of the mood's own distances to its centre.
MOOD_RADIUS_PERCENTILE = 75.0

LIBRARY, CATALOG, DISCOVERY = "library", "catalog", "discovery"


def is_skip(played_s: float, duration_s: float) -> bool:
    """Whether a track that played ``played_s`` of its ``duration_s`` seconds was skipped."""
    if duration_s <= 0:
        return False
    left = duration_s - max(0.0, played_s)
    return left > SKIP_LEFT_S and left > SKIP_LEFT_SHARE * duration_s


def least_play(duration_s: float) -> float:
    """The shortest play of a ``duration_s`` track that is still a keep."""
    return max(0.0, duration_s - max(SKIP_LEFT_S, SKIP_LEFT_SHARE * duration_s))


def split_interval(elapsed_s: float, durations_s: Sequence[float]) -> list[bool]:
    """Skip flags for tracks that all ended within ``elapsed_s`` seconds, in play order:
    as many keeps as fit (their :func:`least_play` summed), the later tracks first among
    equals (see the module docstring)."""
    n = len(durations_s)
    if n == 1:
        return [is_skip(elapsed_s, durations_s[0])]
    order = sorted(range(n), key=lambda i: (least_play(durations_s[i]), -i))
    flags = [True] * n
    used = 0.0
    for i in order:
        need = least_play(durations_s[i])
        if used + need <= max(0.0, elapsed_s):
            flags[i] = False
            used += need
    return flags


def drift_weight(keeps: int) -> float:
    """How much the kept centre counts after ``keeps`` keeps (0 at the start)."""
    return DRIFT_MAX * (1.0 - DRIFT_RATE ** max(0, keeps))


def kept_centre(vectors: np.ndarray) -> np.ndarray | None:
    """The centre of the kept tracks (rows oldest first), recent ones weighing more."""
    v = np.asarray(vectors, dtype=np.float64)
    if v.ndim != 2 or len(v) == 0:
        return None
    age = np.arange(len(v) - 1, -1, -1, dtype=np.float64)
    w = 0.5 ** (age / KEPT_HALF_LIFE)
    return (w[:, None] * v).sum(axis=0) / w.sum()


def nearness(x: np.ndarray, point: np.ndarray, d_ref: float) -> np.ndarray:
    """The recommender's sound scale for each row of ``x`` against ``point``."""
    d = np.linalg.norm(np.asarray(x, dtype=np.float64) - point, axis=1) / max(d_ref, 1e-9)
    return np.exp2(-(d * d))


def score(
    x: np.ndarray,
    mood_centre: np.ndarray,
    d_ref: float,
    *,
    kept: np.ndarray | None = None,
    keeps: int = 0,
    skipped: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Scores of candidate rows ``x``, and how much of each came from the drift (see the
    module docstring). ``kept``/``skipped``: rows of kept/skipped tracks, oldest first."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) == 0:
        return np.zeros(0), np.zeros(0)
    base = nearness(x, np.asarray(mood_centre, dtype=np.float64), d_ref)
    a = drift_weight(keeps)
    centre = kept_centre(kept) if kept is not None else None
    toward = nearness(x, centre, d_ref) if centre is not None and a > 0 else base
    total = (1.0 - a) * base + a * toward
    drift = a * (toward - base)
    if skipped is not None and len(skipped):
        recent = np.asarray(skipped, dtype=np.float64)[-SKIP_MEMORY:]
        near_skip = np.max([nearness(x, s, d_ref) for s in recent], axis=0)
        total = total - SKIP_PENALTY * near_skip
    return total, drift


@dataclass(frozen=True, slots=True)
class Candidate:
    """A track the radio could queue. Names are outside text (the caller makes them inert)."""

    track_id: str
    name: str = ""
    artists: tuple[str, ...] = ()
    source: str = LIBRARY  # LIBRARY, CATALOG or DISCOVERY
    duration_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Pick:
    """A chosen candidate, its score and why, in words."""

    candidate: Candidate
    score: float
    why: str


def artist_room(recent: Sequence[Sequence[str]]) -> Counter:
    """Artist counts over the part of the window a new pick shares: the last
    ``ARTIST_WINDOW - 1`` radio tracks (oldest first in ``recent``)."""
    counts: Counter = Counter()
    for artists in list(recent)[-(ARTIST_WINDOW - 1) :] if ARTIST_WINDOW > 1 else []:
        counts.update({a.casefold() for a in artists})
    return counts


def choose(
    candidates: Sequence[Candidate],
    scores: Sequence[float],
    n: int,
    *,
    excluded: Iterable[str] = (),
    recent_artists: Sequence[Sequence[str]] = (),
    drift: Sequence[float] | None = None,
) -> list[Pick]:
    """The ``n`` best candidates by score that break no rule (module docstring), best
    first. ``recent_artists``: the artists of the radio's last tracks, oldest first."""
    banned = set(excluded)
    window = [tuple(a) for a in recent_artists]
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    picks: list[Pick] = []
    for i in order:
        if len(picks) >= n:
            break
        c = candidates[int(i)]
        if c.track_id in banned:
            continue
        counts = artist_room(window)
        if any(counts[a.casefold()] >= PER_ARTIST for a in c.artists):
            continue
        banned.add(c.track_id)
        window.append(c.artists)
        leaned = drift is not None and drift[int(i)] > 0.02
        why = "leans toward what you played to the end" if leaned else "close to the mood"
        if c.source == DISCOVERY:
            why += ", new to you (discovery)"
        picks.append(Pick(c, float(scores[int(i)]), why))
    return picks


def mood_radius(mood: np.ndarray, centre: np.ndarray) -> float:
    """How far the mood's own tracks usually lie from its centre (rows of ``mood``)."""
    d = np.linalg.norm(np.asarray(mood, dtype=np.float64) - centre, axis=1)
    return float(np.percentile(d, MOOD_RADIUS_PERCENTILE)) if len(d) else 0.0


def discovery_due(recent_sources: Sequence[str]) -> bool:
    """Whether the next pick should be a discovered track: none of the last
    ``DISCOVERY_EVERY_N - 1`` radio tracks was (``recent_sources`` oldest first)."""
    last = list(recent_sources)[-(DISCOVERY_EVERY_N - 1) :]
    return DISCOVERY not in last


def with_discovery(
    chosen: list[Pick],
    candidates: Sequence[Candidate],
    scores: Sequence[float],
    distances: Sequence[float],
    radius: float,
    *,
    recent_sources: Sequence[str],
    excluded: Iterable[str] = (),
    recent_artists: Sequence[Sequence[str]] = (),
) -> list[Pick]:
    """``chosen`` with its first pick replaced by the best discovered candidate within
    ``radius`` of the mood's centre, when discovery is due and ``chosen`` has none (the
    rules of :func:`choose` still hold for it). Otherwise ``chosen`` as it is."""
    if not chosen or not discovery_due(recent_sources):
        return chosen
    if any(p.candidate.source == DISCOVERY for p in chosen):
        return chosen
    keep = {p.candidate.track_id for p in chosen[1:]}
    idx = [
        i
        for i, c in enumerate(candidates)
        if c.source == DISCOVERY and distances[i] <= radius and c.track_id not in keep
    ]
    if not idx:
        return chosen
    found = choose(
        [candidates[i] for i in idx],
        [scores[i] for i in idx],
        1,
        excluded=set(excluded) | keep,
        recent_artists=[*recent_artists, *(p.candidate.artists for p in chosen[1:])],
    )
    return found + chosen[1:] if found else chosen

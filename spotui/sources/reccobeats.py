"""Candidates from outside the library: ReccoBeats' ``GET /track/recommendation``.

Why ReccoBeats only *proposes*: Spotify's ``/recommendations`` is gone for new apps, and
ReccoBeats answers "tracks like these seeds" for 1-5 Spotify ids per call (at most 100
tracks, unknown seed ids silently ignored), but with no scores and no audio features.
spotui stores each answered track as a catalog track (``imports.kind = 'catalog'``,
source ``reccobeats``), gets its features through the usual provider chain, and ranks
them itself (:mod:`spotui.analysis.recommend.recommender`: distance, MMR diversity, artist cap,
versions), exactly like the library and an imported catalog.

Polite and cheap: every answer is cached in the store per seed set for a day
(:data:`CACHE_SECONDS`), so asking again costs no request; all calls go through one
:class:`spotui.http.HttpClient` shared with the feature lookup (one rate budget; a 429 is
sat out for its Retry-After, a long one raises). Any failure is reported in
:class:`Discovery` (``error``), never raised: discovery is optional and the caller falls
back to library + catalog.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from spotui.core.progress import CancelCheck, Progress, check_cancel, no_progress
from spotui.core.records import Track
from spotui.core.text import count
from spotui.http import HttpClient, ServiceError
from spotui.spotify.ids import parse_track_id

#: At most this many seed ids per request (the API answers 400 beyond it).
MAX_SEEDS = 5
#: At most this many tracks per answer.
MAX_SIZE = 100
#: Tracks asked for per seed set: the most one request gives, so spotui has room to rank.
DEFAULT_SIZE = 100
#: An answer is reused for this long (a day).
CACHE_SECONDS = 24 * 3600
#: The ``imports.source`` of discovered catalog tracks.
SOURCE = "reccobeats"


def seed_key(seeds: Sequence[str], size: int) -> str:
    """The cache key of one request: the seed set (order does not matter) and its size."""
    return ",".join(sorted(set(seeds))) + f"|{size}"


def parse_candidates(body: Any) -> list[Track]:
    """Tracks of a ``/track/recommendation`` answer, keyed by the Spotify id in ``href``.

    Entries carry ReccoBeats' own UUID as ``id``; one without a Spotify link is skipped
    (it could never be queued). Duplicates keep their first place.
    """
    out: dict[str, Track] = {}
    for obj in (body or {}).get("content") or []:
        sid = _spotify_id(obj)
        if sid is None or sid in out:
            continue
        out[sid] = _candidate(sid, obj)
    return list(out.values())


def _spotify_id(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return None
    return parse_track_id(str(obj.get("href") or ""))


def _candidate(sid: str, obj: dict[str, Any]) -> Track:
    """The answer's fields are the service's text: each is checked before it is used."""
    artists = tuple(str(a.get("name")) for a in obj.get("artists") or [] if isinstance(a, dict))
    duration = obj.get("durationMs")
    return Track(
        id=sid,
        name=str(obj.get("trackTitle") or sid),
        artists=tuple(a for a in artists if a),
        duration_ms=int(duration) if isinstance(duration, (int, float)) else None,
        isrc=obj.get("isrc") or None,
    )


@dataclass
class Discovery:
    """What one discovery run found: candidate ids (in answer order) and how."""

    candidate_ids: list[str] = field(default_factory=list)
    seed_sets: int = 0
    cached_sets: int = 0
    requests: int = 0
    #: Why discovery failed or stopped early (the user is told; results fall back)
    error: str | None = None
    #: the service that proposed the candidates ("ReccoBeats" or "demo ReccoBeats")
    service: str = "ReccoBeats"

    @property
    def failed(self) -> bool:
        return self.error is not None and not self.candidate_ids

    def note(self) -> str:
        """One line for people: where the candidates came from, or why there are none."""
        if self.failed:
            return (
                f"Discovery unavailable ({self.error}) - showing your library and catalog instead."
            )
        cached = f", {self.cached_sets} from the cache" if self.cached_sets else ""
        sets = count(self.seed_sets, "seed set")
        line = (
            f"{count(len(self.candidate_ids), 'candidate')} from {self.service} "
            f"({sets}{cached}, {count(self.requests, 'request')}), ranked by spotui."
        )
        if self.error:
            line += f" Stopped early: {self.error}"
        return line

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "candidates": len(self.candidate_ids),
            "seed_sets": self.seed_sets,
            "cached_sets": self.cached_sets,
            "requests": self.requests,
            "error": self.error,
        }


def fetch_candidates(
    store,  # spotui.store.Store
    http: HttpClient,
    seed_sets: Sequence[Sequence[str]],
    *,
    size: int = DEFAULT_SIZE,
    lookup: Callable[[list[str]], Any] | None = None,
    now: Callable[[], float] = time.time,
    cancel: CancelCheck | None = None,
    progress: Progress = no_progress,
    negative_seeds: Sequence[str] = (),
) -> Discovery:
    """Ask for candidates per seed set (cached for a day), store them as catalog tracks
    and get their features with ``lookup(ids)`` (the provider chain). Never raises a
    service error: it ends up in ``Discovery.error`` with whatever was found so far.
    ``negative_seeds`` (tracks the user skipped: the radio) go as ReccoBeats'
    ``negativeSeeds``, at most :data:`MAX_SEEDS`, and are part of the cache key."""
    size = max(1, min(size, MAX_SIZE))
    found = Discovery(service=http.service)
    start = http.request_count
    seen: dict[str, None] = {}
    stamp = now()
    try:
        for i, seeds in enumerate(seed_sets):
            check_cancel(cancel)
            progress(i, len(seed_sets), f"asking {http.service}")
            seeds = list(dict.fromkeys(seeds))[:MAX_SEEDS]
            if not seeds:
                continue
            found.seed_sets += 1
            key = seed_key(seeds, size)
            params = {"seeds": ",".join(seeds), "size": size}
            negative = [t for t in dict.fromkeys(negative_seeds) if t not in seeds][:MAX_SEEDS]
            if negative:
                params["negativeSeeds"] = ",".join(negative)
                key += "|-" + ",".join(sorted(negative))
            ids = store.discovery.cached_candidates(key, stamp - CACHE_SECONDS)
            if ids is None:
                body = http.get("track/recommendation", params)
                ids = _store_answer(store, key, parse_candidates(body), stamp)
            else:
                found.cached_sets += 1
            seen.update(dict.fromkeys(ids))
        if lookup is not None:
            state = store.tracks.feature_state(list(seen))
            lookup([t for t in seen if state.get(t) is None])
    except ServiceError as exc:
        found.error = str(exc)
    found.candidate_ids = list(seen)
    found.requests = http.request_count - start
    return found


def _store_answer(store, key: str, tracks: list[Track], stamp: float) -> list[str]:
    """Keep an answer: new tracks as catalog tracks with their source, and the cache row."""
    ids = [t.id for t in tracks]
    known = set(store.tracks.feature_state(ids))
    with store.transaction():
        store.tracks.upsert_tracks([t for t in tracks if t.id not in known])
        store.library.add_imports(ids, "catalog", SOURCE)
        store.discovery.cache_candidates(key, ids, stamp)
    return ids

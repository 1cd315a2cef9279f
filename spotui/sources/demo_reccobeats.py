"""An offline "ReccoBeats" for ``--demo``: discovery visible without a network.

It answers the same two calls as the real service, with the same JSON, so the demo runs
the real discovery code (:mod:`spotui.sources.reccobeats`, the feature provider chain,
the store, the ranking) and only the transport differs:

* ``track/recommendation?seeds=&size=``: a 400 beyond 5 seeds; unknown seeds ignored;
  the ``size`` candidates nearest the known seeds' average sound, from a small fixed
  candidate set (:data:`DEMO_CANDIDATES` tracks generated like the demo catalog, with
  their own seed, so they are in neither the library nor the catalog);
* ``audio-features?ids=``: features of candidate ids it knows (others are absent).

Deterministic: the same seeds always get the same answer. ``features_of`` gives the
seeds' features (the demo library, read from the store by the caller).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from spotui.core.feature_spec import UNIT_FEATURES
from spotui.core.records import Features, Track
from spotui.http import HTTPStatusError

DEMO_CANDIDATES = 400
_CANDIDATE_SEED = 8  # the demo library uses 7
SERVICE = "demo ReccoBeats"
#: Feature provider name for the candidates' features (like the demo library's own).
PROVIDER = "demo"


@lru_cache(maxsize=1)
def candidate_set() -> tuple[tuple[Track, ...], dict[str, Features]]:
    """The offline candidates and their features (generated once per process)."""
    import numpy as np

    from spotui.sources.demo import _make_tracks

    tracks, features = _make_tracks(
        np.random.default_rng(_CANDIDATE_SEED), DEMO_CANDIDATES, 300_000, 0.0
    )
    return tuple(tracks), {f.track_id: f for f in features}


def _vector(f: Features) -> list[float]:
    """A rough "sounds like" vector: 0..1 features, tempo and loudness brought to ~0..1."""
    return [
        *(getattr(f, n) or 0.0 for n in UNIT_FEATURES),
        (f.tempo or 120.0) / 200.0,
        ((f.loudness or -10.0) + 40.0) / 40.0,
    ]


class DemoReccoBeats:
    """The in-process stand-in for :class:`spotui.http.HttpClient` on ReccoBeats."""

    service = SERVICE

    def __init__(self, features_of: Callable[[list[str]], dict[str, Features]]):
        self._features_of = features_of
        self._lock = threading.Lock()
        self.request_count = 0

    def get(self, path: str, params: dict | None = None) -> Any:
        with self._lock:
            self.request_count += 1
        params = params or {}
        if path == "track/recommendation":
            return self._recommend(params)
        if path == "audio-features":
            return self._features([i for i in str(params.get("ids", "")).split(",") if i])
        raise HTTPStatusError(404, message="Not found", method="GET", path=path, service=SERVICE)

    def get_many(
        self,
        jobs: Iterable[tuple[Any, str, dict | None]],
        *,
        workers: int = 1,
        cancel: Callable[[], bool] | None = None,
        tolerate: Callable[[Exception], bool] | None = None,
    ) -> Iterator[tuple[Any, Any]]:
        for key, path, params in jobs:
            yield key, self.get(path, params)

    def _recommend(self, params: dict) -> dict:
        seeds = [s for s in str(params.get("seeds", "")).split(",") if s]
        if not seeds or len(seeds) > 5:
            raise HTTPStatusError(
                400, message="seeds: 1 to 5 ids", method="GET", path="track/recommendation",
                service=SERVICE,
            )  # fmt: skip
        size = max(1, min(int(params.get("size", 10)), 100))
        known = self._features_of(seeds)
        if not known:
            return {"content": []}
        import numpy as np

        tracks, features = candidate_set()
        target = np.mean([_vector(f) for f in known.values()], axis=0)
        vecs = np.array([_vector(features[t.id]) for t in tracks])
        order = np.argsort(np.linalg.norm(vecs - target, axis=1), kind="stable")[:size]
        return {"content": [_track_json(tracks[i]) for i in order]}

    def _features(self, ids: Sequence[str]) -> dict:
        _, features = candidate_set()
        content = []
        for i in ids[:40]:
            f = features.get(i)
            if f is not None:
                values = {k: v for k, v in f.as_dict().items() if k != "time_signature"}
                content.append({"id": _uuid(i), "href": _href(i), **values})
        return {"content": content}

    def close(self) -> None:
        pass


def _uuid(spotify_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, spotify_id))


def _href(spotify_id: str) -> str:
    return f"https://open.spotify.com/track/{spotify_id}"


def _track_json(t: Track) -> dict:
    """One track as ``/track/recommendation`` gives it."""
    return {
        "id": _uuid(t.id),
        "trackTitle": t.name,
        "artists": [{"id": _uuid(a), "name": a, "href": ""} for a in t.artists],
        "durationMs": t.duration_ms,
        "isrc": t.isrc,
        "href": _href(t.id),
    }

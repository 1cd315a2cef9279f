"""A fake ReccoBeats API: ``GET /v1/audio-features?ids=`` and ``/v1/track/recommendation``.

Like the real one (docs/spotify-api.md §5): no API key, at most 40 ids are answered per
call (extras silently dropped), unknown ids are simply absent, each ``content`` item has a
ReccoBeats UUID as ``id`` and an ``href`` whose last path segment is the Spotify id, and
there is no ``time_signature``. ``fail_next`` gives 429/5xx like the base fake.

Recommendations (``seeds`` = 1 to 5 Spotify ids, else 400; ``size`` at most 100, else
400): unknown seeds are ignored; the answer is the ``size`` tracks of the fake's
candidate set (:meth:`FakeReccoBeats.add_candidates`) nearest the known seeds' average
features, as ``{"content": [{id, trackTitle, artists: [{id, name, href}], durationMs,
isrc, href, popularity}]}``, with no audio features.
"""

from __future__ import annotations

import hashlib
import uuid

from tests.fakes._base import FakeServer, Request, Response, error

MAX_IDS = 40


def features_for(spotify_id: str) -> dict:
    """Deterministic plausible features for an id (what the fake answers)."""
    h = hashlib.sha256(spotify_id.encode()).digest()

    def unit(i: int) -> float:
        return round(h[i] / 255, 3)

    return {
        "acousticness": unit(0),
        "danceability": unit(1),
        "energy": unit(2),
        "instrumentalness": unit(3),
        "key": h[4] % 12,
        "liveness": unit(5),
        "loudness": round(-30 + 28 * unit(6), 2),
        "mode": h[7] % 2,
        "speechiness": unit(8),
        "tempo": round(60 + 120 * unit(9), 2),
        "valence": unit(10),
    }


MAX_SEEDS = 5
MAX_SIZE = 100


def _vector(spotify_id: str) -> list[float]:
    f = features_for(spotify_id)
    unit = ("acousticness", "danceability", "energy", "instrumentalness", "valence")
    return [f[k] for k in unit] + [f["tempo"] / 200, (f["loudness"] + 30) / 30]


def _rb_id(spotify_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, spotify_id))


class FakeReccoBeats(FakeServer):
    def __init__(self, latency: float = 0.0):
        super().__init__(latency)
        self.known: set[str] = set()
        #: Spotify id -> (title, artists, isrc) of the tracks it may recommend
        self.candidates: dict[str, tuple[str, tuple[str, ...], str | None]] = {}

    def add_candidates(self, tracks, with_features: bool = True) -> None:
        """Tracks (``spotui.core.records.Track``) the fake may recommend; their features are
        known unless ``with_features`` is false."""
        with self._lock:
            for t in tracks:
                self.candidates[t.id] = (t.name, tuple(t.artists), t.isrc)
                if with_features:
                    self.known.add(t.id)

    def seed_sets(self) -> list[list[str]]:
        """The seeds of each recommendation request, in order."""
        return [
            q.get("seeds", "").split(",")
            for (_m, _p, q, _b) in self.calls("/v1/track/recommendation", "GET")
        ]

    @property
    def url(self) -> str:
        return f"{self.base}/v1"

    def know(self, spotify_ids) -> None:
        with self._lock:
            self.known.update(spotify_ids)

    def id_batches(self) -> list[list[str]]:
        """The ids asked for by each audio-features request, in order."""
        return [
            [i for i in q.get("ids", "").split(",") if i]
            for (m, path, q, _b) in self.calls("/v1/audio-features", "GET")
        ]

    def handle(self, req: Request) -> Response:
        if req.method == "GET" and req.path == "/v1/audio-features":
            ids = [i for i in req.query.get("ids", "").split(",") if i][:MAX_IDS]
            if not ids:
                return error(400, "ids is required")
            with self._lock:
                content = [
                    {
                        "id": _rb_id(i),
                        "href": f"https://open.spotify.com/track/{i}",
                        **features_for(i),
                    }
                    for i in ids
                    if i in self.known
                ]
            return Response(200, {"content": content})
        if req.method == "GET" and req.path == "/v1/track/recommendation":
            return self._recommend(req)
        return error(404, "Not found")

    def _recommend(self, req: Request) -> Response:
        seeds = [i for i in req.query.get("seeds", "").split(",") if i]
        if not 1 <= len(seeds) <= MAX_SEEDS:
            return error(400, f"seeds: 1 to {MAX_SEEDS} ids")
        try:
            size = int(req.query.get("size", "10"))
        except ValueError:
            return error(400, "size must be a number")
        if not 1 <= size <= MAX_SIZE:
            return error(400, f"size: 1 to {MAX_SIZE}")
        with self._lock:
            known = [s for s in seeds if s in self.known or s in self.candidates]
            pool = [c for c in self.candidates if c not in seeds]
            if not known:
                return Response(200, {"content": []})
            vecs = [_vector(s) for s in known]
            target = [sum(col) / len(vecs) for col in zip(*vecs, strict=True)]

            def dist(c: str) -> float:
                return sum((a - b) ** 2 for a, b in zip(_vector(c), target, strict=True))

            chosen = sorted(pool, key=lambda c: (dist(c), c))[:size]
            content = [self._track_json(c) for c in chosen]
        return Response(200, {"content": content})

    def _track_json(self, sid: str) -> dict:
        title, artists, isrc = self.candidates[sid]
        return {
            "id": _rb_id(sid),
            "trackTitle": title,
            "artists": [
                {"id": _rb_id(a), "name": a, "href": f"https://open.spotify.com/artist/{_rb_id(a)}"}
                for a in artists
            ],
            "durationMs": 200_000,
            "isrc": isrc,
            "ean": None,
            "upc": None,
            "href": f"https://open.spotify.com/track/{sid}",
            "availableCountries": "",
            "popularity": 50,
        }

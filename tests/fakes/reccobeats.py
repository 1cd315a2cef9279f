"""A fake ReccoBeats API: ``GET /v1/audio-features?ids=<spotify ids>``.

Like the real one (docs/spotify-api.md §5): no API key, at most 40 ids are answered per
call (extras silently dropped), unknown ids are simply absent, each ``content`` item has a
ReccoBeats UUID as ``id`` and an ``href`` whose last path segment is the Spotify id, and
there is no ``time_signature``. ``fail_next`` gives 429/5xx like the base fake.
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


class FakeReccoBeats(FakeServer):
    def __init__(self, latency: float = 0.0):
        super().__init__(latency)
        self.known: set[str] = set()

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
                        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, i)),
                        "href": f"https://open.spotify.com/track/{i}",
                        **features_for(i),
                    }
                    for i in ids
                    if i in self.known
                ]
            return Response(200, {"content": content})
        return error(404, "Not found")

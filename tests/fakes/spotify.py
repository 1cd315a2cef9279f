"""A fake Spotify (Web API + accounts service) that behaves like a Development-Mode app sees it.

Use::

    with FakeSpotify() as fake:
        ids = fake.add_tracks(120)
        fake.save(ids[:100])
        fake.add_playlist("Mine", ids[:60])
        fake.add_playlist("Theirs", ids[60:], owner_id="bob")
        fake.write_token(config.token_path)
        # point spotui at fake.api_url / fake.accounts_url

Behaviour modelled on the real API (see docs/spotify-api.md): 50-item pages with absolute
``next`` links, ``/playlists/{id}/items`` only for owned or collaborative playlists (403
otherwise), removed endpoints (``/audio-features`` 403, ``/recommendations`` 404, batch
``/tracks?ids=`` 403, ``/playlists/{id}/tracks`` 403), 401 for expired tokens, PKCE code
exchange with the S256 check, ``invalid_grant`` for a revoked refresh token, player errors
``PREMIUM_REQUIRED`` / ``NO_ACTIVE_DEVICE``. Knobs: ``latency``, ``fail_next``, ``premium``,
``expire_tokens()``, ``revoke_refresh_tokens()``, ``stall_after_pages``, ``features_enabled``.
Writes (create playlist, change its details, add/replace/reorder/remove items, queue,
transfer) work
for the export tests; ``fail_next(..., method=, after=, hang=)`` makes a write fail before or
after it took effect, or time out.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.fakes._base import FakeServer, Request, Response, error

SCOPES = (
    "user-library-read playlist-read-private playlist-read-collaborative playlist-modify-private "
    "playlist-modify-public user-top-read user-read-recently-played user-read-playback-state "
    "user-modify-playback-state"
)
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)


#: The test-only clock endpoint (not a Spotify path: never counted as a Spotify call).
CLOCK_PATH = "/__test/clock"


def spotify_id(n: int, prefix: str = "t") -> str:
    """A deterministic 22-character base62 id (``prefix`` + zero-padded base62 of ``n``)."""
    digits = ""
    value = n
    while True:
        digits = _B62[value % 62] + digits
        value //= 62
        if not value:
            break
    return prefix + digits.rjust(22 - len(prefix), "0")


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeSpotify(FakeServer):
    def __init__(
        self,
        *,
        user_id: str = "alice",
        display_name: str = "Alice",
        client_id: str = "fake-client-id",
        latency: float = 0.0,
        premium: bool = True,
        page_limit: int = 50,
    ):
        super().__init__(latency)
        self.user_id = user_id
        self.display_name = display_name
        self.client_id = client_id
        self.premium = premium
        self.page_limit = page_limit
        self.features_enabled = False  # new Development-Mode apps get 403
        self.tracks: dict[str, dict] = {}
        self.saved: list[tuple[str, str]] = []  # (track_id, added_at), newest first
        self.playlists: dict[str, dict] = {}
        self.playlist_order: list[str] = []
        self.top: dict[str, list[str]] = {"short_term": [], "medium_term": [], "long_term": []}
        self.recent: list[tuple[str, str]] = []  # (played_at, track_id), newest first
        self.devices: list[dict] = [
            {
                "id": "dev-1",
                "name": "Laptop",
                "type": "Computer",
                "is_active": True,
                "volume_percent": 50,
            }
        ]
        self.queue: list[str] = []
        self.playing: str | None = None  # the track id GET /me/player reports
        self.audio_features: dict[str, dict] = {}
        self.access_tokens: set[str] = set()
        self.expired_tokens: set[str] = set()
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> scope
        self.revoked: set[str] = set()
        self.codes: dict[str, dict] = {}
        self.authorize_state_override: str | None = None
        self.authorize_error: str | None = None
        self._seq = itertools.count(1)
        #: playback in time (tests/fakes/spotify_player.py), once attach_player is called
        self.playback = None

    # ---------------------------------------------------------------- urls
    @property
    def url(self) -> str:
        return self.api_url

    @property
    def api_url(self) -> str:
        return f"{self.base}/v1"

    @property
    def accounts_url(self) -> str:
        return self.base

    def env(self) -> dict[str, str]:
        """Environment variables pointing spotui at this fake."""
        return {
            "SPOTUI_API_URL": self.api_url,
            "SPOTUI_ACCOUNTS_URL": self.accounts_url,
            "SPOTUI_CLIENT_ID": self.client_id,
        }

    # ---------------------------------------------------------------- building state
    def make_track(self, n: int, **extra: Any) -> dict:
        tid = spotify_id(n)
        artist_id = spotify_id(n % 97, "a")
        track = {
            "id": tid,
            "name": f"Track {n}",
            "type": "track",
            "uri": f"spotify:track:{tid}",
            "is_local": False,
            "duration_ms": 180000 + n,
            "artists": [{"id": artist_id, "name": f"Artist {n % 97}", "type": "artist"}],
            "album": {
                "id": spotify_id(n % 500, "b"),
                "name": f"Album {n % 500}",
                "release_date": "2020-01-01",
            },
            "external_ids": {"isrc": f"USX{n:09d}"},
        }
        track.update(extra)
        self.tracks[tid] = track
        return track

    def add_tracks(self, count: int, start: int = 0) -> list[str]:
        return [self.make_track(n)["id"] for n in range(start, start + count)]

    def save(self, track_ids: list[str], start: datetime | None = None) -> None:
        """Save tracks; the first given ends up newest (added last)."""
        start = start or BASE_TIME
        with self._lock:
            known = {t for t, _ in self.saved}
            new = []
            for i, tid in enumerate(reversed(track_ids)):
                if tid in known:
                    continue
                added = self._next_time(start, i)
                new.append((tid, added))
            self.saved = list(reversed(new)) + self.saved
            self.saved.sort(key=lambda x: x[1], reverse=True)

    def _next_time(self, start: datetime, i: int) -> str:
        latest = max((a for _, a in self.saved), default=None)
        base = start
        if latest is not None:
            base = max(start, datetime.strptime(latest, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC))
        return iso(base + timedelta(seconds=i + 1))

    def unsave(self, track_ids: list[str]) -> None:
        with self._lock:
            drop = set(track_ids)
            self.saved = [s for s in self.saved if s[0] not in drop]

    def add_playlist(
        self,
        name: str,
        track_ids: list[str],
        *,
        owner_id: str | None = None,
        collaborative: bool = False,
        public: bool = False,
        item_key: str = "item",
        local_files: int = 0,
        episodes: int = 0,
        playlist_id: str | None = None,
    ) -> str:
        """A playlist (owned by the user unless ``owner_id``); items use ``item_key``
        ("item", "track" or "both"). Local files and episodes are appended at the end."""
        pid = playlist_id or spotify_id(next(self._seq) + 10_000, "p")
        entries: list[dict] = [{"track_id": t, "added_at": iso(BASE_TIME)} for t in track_ids]
        entries += [
            {"local": f"Local song {i}", "added_at": iso(BASE_TIME)} for i in range(local_files)
        ]
        entries += [
            {"episode": spotify_id(i, "e"), "added_at": iso(BASE_TIME)} for i in range(episodes)
        ]
        with self._lock:
            self.playlists[pid] = {
                "id": pid,
                "name": name,
                "owner_id": owner_id or self.user_id,
                "owner_name": "Someone else" if owner_id else self.display_name,
                "collaborative": collaborative,
                "public": public,
                "description": "",
                "snapshot_id": self._snapshot(),
                "item_key": item_key,
                "entries": entries,
            }
            self.playlist_order.append(pid)
        return pid

    def set_playlist_tracks(self, pid: str, track_ids: list[str]) -> None:
        with self._lock:
            pl = self.playlists[pid]
            pl["entries"] = [{"track_id": t, "added_at": iso(BASE_TIME)} for t in track_ids]
            pl["snapshot_id"] = self._snapshot()

    def remove_playlist(self, pid: str) -> None:
        with self._lock:
            self.playlists.pop(pid)
            self.playlist_order.remove(pid)

    def playlist_track_ids(self, pid: str) -> list[str]:
        return [e["track_id"] for e in self.playlists[pid]["entries"] if "track_id" in e]

    def play(self, track_ids: list[str], start: datetime | None = None) -> None:
        """Add plays (the first given is the most recent)."""
        start = start or BASE_TIME
        with self._lock:
            latest = max((p for p, _ in self.recent), default=None)
            base = start
            if latest:
                base = max(
                    start, datetime.strptime(latest, "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=UTC)
                )
            plays = [
                (base + timedelta(minutes=len(track_ids) - i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
                for i in range(len(track_ids))
            ]
            self.recent = list(zip(plays, track_ids, strict=True)) + self.recent

    def _snapshot(self) -> str:
        return f"snap-{next(self._seq)}-{secrets.token_hex(3)}"

    # ---------------------------------------------------------------- tokens
    def issue_token(self, scope: str = SCOPES, expires_in: int = 3600) -> dict:
        """A token_info dict in spotipy's cache format, valid for this fake."""
        access = "at-" + secrets.token_hex(8)
        refresh = "rt-" + secrets.token_hex(8)
        with self._lock:
            self.access_tokens.add(access)
            self.refresh_tokens[refresh] = scope
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": expires_in,
            "scope": scope,
            "refresh_token": refresh,
            "expires_at": int(time.time()) + expires_in,
        }

    def write_token(self, path: str | Path, **kw: Any) -> dict:
        info = self.issue_token(**kw)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(info))
        path.chmod(0o600)
        return info

    def expire_tokens(self) -> None:
        """Every access token issued so far now gets 401 "The access token expired"."""
        with self._lock:
            self.expired_tokens |= self.access_tokens
            self.access_tokens.clear()

    def revoke_refresh_tokens(self) -> None:
        """Refreshing with any token issued so far now fails with invalid_grant."""
        with self._lock:
            self.revoked |= set(self.refresh_tokens)

    # ---------------------------------------------------------------- dispatch
    def is_page_request(self, req: Request) -> bool:
        return req.method == "GET" and (
            req.path == "/v1/me/tracks"
            or (req.path.startswith("/v1/playlists/") and req.path.endswith("/items"))
        )

    def handle(self, req: Request) -> Response:
        if req.path.startswith(CLOCK_PATH):
            return self._clock(req)
        if req.path == "/authorize":
            return self._authorize(req)
        if req.path == "/api/token":
            return self._token(req)
        if not req.path.startswith("/v1/"):
            return error(404, "Service not found")
        auth = req.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        with self._lock:
            if token not in self.access_tokens:
                if token in self.expired_tokens:
                    return error(401, "The access token expired")
                return error(401, "Invalid access token")
        parts = req.path[len("/v1/") :].strip("/").split("/")
        with self._lock:
            return self._route(req, parts)

    def _route(self, req: Request, p: list[str]) -> Response:
        m = req.method
        if p == ["me"] and m == "GET":
            return Response(
                200,
                {
                    "id": self.user_id,
                    "display_name": self.display_name,
                    "type": "user",
                    "uri": f"spotify:user:{self.user_id}",
                    "account_id": "acct-" + self.user_id,
                },
            )
        if p == ["me", "tracks"] and m == "GET":
            return self._page(
                req,
                self.saved,
                "/me/tracks",
                lambda s: {"added_at": s[1], "track": self.tracks[s[0]]},
            )
        if p == ["me", "playlists"]:
            if m == "GET":
                items = [self._simple_playlist(self.playlists[i]) for i in self.playlist_order]
                return self._page(req, items, "/me/playlists")
            if m == "POST":
                return self._create_playlist(req)
        if p == ["me", "top", "tracks"] and m == "GET":
            rng = req.query.get("time_range", "medium_term")
            if rng not in self.top:
                return error(400, "Invalid time range")
            return self._page(req, [self.tracks[t] for t in self.top[rng]], "/me/top/tracks")
        if p == ["me", "player", "recently-played"] and m == "GET":
            return self._recent(req)
        if p[:2] == ["me", "player"]:
            return self._player(req, p[2:])
        if p[0] == "playlists" and len(p) >= 2:
            return self._playlist(req, p[1], p[2:])
        if p[0] == "tracks":
            if len(p) == 1:
                return error(403, "Forbidden")  # batch endpoint removed for dev-mode apps
            t = self.tracks.get(p[1])
            return Response(200, t) if t else error(404, "Resource not found")
        if p[0] == "audio-features":
            if not self.features_enabled:
                return error(403, "Forbidden")
            return self._features(req, p[1:])
        if p[0] == "recommendations":
            return error(404, "Service not found")
        if p[0] == "artists":
            if len(p) == 1:
                return error(403, "Forbidden")
            return Response(200, {"id": p[1], "name": "Artist", "type": "artist", "genres": []})
        if p[0] == "search" and m == "GET":
            limit = int(req.query.get("limit", 5))
            if limit > 10:
                return error(400, "Invalid limit")
            q = req.query.get("q", "").lower()
            hits = [t for t in self.tracks.values() if q in t["name"].lower()][:limit]
            return Response(
                200, {"tracks": {"items": hits, "total": len(hits), "limit": limit, "offset": 0}}
            )
        return error(404, "Service not found")

    def _page(self, req: Request, items: list, path: str, render=None) -> Response:
        try:
            limit = int(req.query.get("limit", 20))
            offset = int(req.query.get("offset", 0))
        except ValueError:
            return error(400, "Invalid limit")
        if not 1 <= limit <= self.page_limit:
            return error(400, "Invalid limit")
        total = len(items)
        chunk = items[offset : offset + limit]
        if render is not None:
            chunk = [render(x) for x in chunk]
        base_q = {k: v for k, v in req.query.items() if k not in ("limit", "offset")}

        def link(o: int) -> str:
            return f"{self.api_url}{path}?{urlencode({**base_q, 'offset': o, 'limit': limit})}"

        return Response(
            200,
            {
                "href": link(offset),
                "items": chunk,
                "limit": limit,
                "next": link(offset + limit) if offset + limit < total else None,
                "offset": offset,
                "previous": link(max(0, offset - limit)) if offset > 0 else None,
                "total": total,
            },
        )

    def _simple_playlist(self, pl: dict) -> dict:
        return {
            "id": pl["id"],
            "name": pl["name"],
            "type": "playlist",
            "uri": f"spotify:playlist:{pl['id']}",
            "owner": {"id": pl["owner_id"], "display_name": pl["owner_name"]},
            "collaborative": pl["collaborative"],
            "public": pl["public"],
            "description": pl["description"],
            "snapshot_id": pl["snapshot_id"],
            "items": {
                "href": f"{self.api_url}/playlists/{pl['id']}/items",
                "total": len(pl["entries"]),
            },
        }

    def _can_edit(self, pl: dict) -> bool:
        return pl["owner_id"] == self.user_id or pl["collaborative"]

    def _item(self, pl: dict, e: dict) -> dict:
        if "track_id" in e:
            obj: dict | None = self.tracks[e["track_id"]]
            is_local = False
        elif "local" in e:
            obj = {
                "id": None,
                "name": e["local"],
                "type": "track",
                "uri": f"spotify:local:::{e['local']}:1",
                "is_local": True,
                "artists": [],
                "album": {"name": ""},
                "duration_ms": 1000,
            }
            is_local = True
        else:
            obj = {
                "id": e["episode"],
                "name": "An episode",
                "type": "episode",
                "uri": f"spotify:episode:{e['episode']}",
                "duration_ms": 1000,
            }
            is_local = False
        out = {"added_at": e["added_at"], "added_by": {"id": pl["owner_id"]}, "is_local": is_local}
        key = pl["item_key"]
        if key in ("item", "both"):
            out["item"] = obj
        if key in ("track", "both"):
            out["track"] = obj
        return out

    def _playlist(self, req: Request, pid: str, rest: list[str]) -> Response:
        pl = self.playlists.get(pid)
        if pl is None:
            return error(404, "Resource not found")
        m = req.method
        if not rest and m == "GET":
            return Response(200, self._simple_playlist(pl))
        if not rest and m == "PUT":
            return self._change_details(req, pl)
        if rest == ["tracks"]:
            return error(403, "Forbidden")  # removed for dev-mode apps
        if rest != ["items"]:
            return error(404, "Service not found")
        if not self._can_edit(pl):
            return error(403, "Forbidden")
        if m == "GET":
            return self._page(
                req, pl["entries"], f"/playlists/{pid}/items", lambda e: self._item(pl, e)
            )
        body = req.body
        if m == "POST":
            uris = body if isinstance(body, list) else (body or {}).get("uris")
            if uris is None and "uris" in req.query:
                uris = req.query["uris"].split(",")
            if not uris or len(uris) > 100:
                return error(400, "You can add a maximum of 100 items per request")
            position = (body or {}).get("position") if isinstance(body, dict) else None
            if position is None and "position" in req.query:
                position = int(req.query["position"])
            new = [self._entry(u) for u in uris]
            if any(e is None for e in new):
                return error(400, "Invalid track uri")
            if position is None:
                pl["entries"].extend(new)
            else:
                pl["entries"][position:position] = new
            pl["snapshot_id"] = self._snapshot()
            return Response(201, {"snapshot_id": pl["snapshot_id"]})
        if m == "PUT":
            uris = (body or {}).get("uris") if isinstance(body, dict) else None
            if uris is None:
                return self._reorder(pl, body if isinstance(body, dict) else {})
            if len(uris) > 100:
                return error(400, "You can set a maximum of 100 items per request")
            new = [self._entry(u) for u in uris]
            if any(e is None for e in new):
                return error(400, "Invalid track uri")
            pl["entries"] = new
            pl["snapshot_id"] = self._snapshot()
            return Response(200, {"snapshot_id": pl["snapshot_id"]})
        if m == "DELETE":
            items = (body or {}).get("items") or (body or {}).get("tracks") or []
            if len(items) > 100:
                return error(400, "You can remove a maximum of 100 items per request")
            drop = {i.get("uri") for i in items}
            pl["entries"] = [
                e for e in pl["entries"] if f"spotify:track:{e.get('track_id')}" not in drop
            ]
            pl["snapshot_id"] = self._snapshot()
            return Response(200, {"snapshot_id": pl["snapshot_id"]})
        return error(405, "Method not allowed")

    def _reorder(self, pl: dict, body: dict) -> Response:
        """``PUT /playlists/{id}/items`` with ``range_start``, ``insert_before`` and
        ``range_length`` (default 1): move that run of items before the item that was at
        ``insert_before`` (positions as before the move); a new snapshot either way."""
        entries = pl["entries"]
        start, before = body.get("range_start"), body.get("insert_before")
        length = body.get("range_length", 1)
        if not all(isinstance(v, int) for v in (start, before, length)):
            return error(400, "range_start and insert_before are required")
        if not (start >= 0 and length >= 1 and start + length <= len(entries)):
            return error(400, "Index out of bounds")
        if not 0 <= before <= len(entries):
            return error(400, "Index out of bounds")
        block = entries[start : start + length]
        rest = entries[:start] + entries[start + length :]
        at = before if before <= start else before - length
        pl["entries"] = rest[:at] + block + rest[at:]
        pl["snapshot_id"] = self._snapshot()
        return Response(200, {"snapshot_id": pl["snapshot_id"]})

    def _change_details(self, req: Request, pl: dict) -> Response:
        """``PUT /playlists/{id}``: name, public, collaborative, description; 200, no body."""
        if pl["owner_id"] != self.user_id:
            return error(403, "You cannot change details of a playlist you do not own")
        body = req.body if isinstance(req.body, dict) else {}
        allowed = {"name", "public", "collaborative", "description"}
        if not body or set(body) - allowed:
            return error(400, "Invalid request body")
        if "name" in body and not (isinstance(body["name"], str) and body["name"]):
            return error(400, "Invalid name")
        new = {**pl, **{k: body[k] for k in allowed & set(body)}}
        if new["public"] and new["collaborative"]:
            return error(400, "Collaborative playlists cannot be public")
        for key in allowed & set(body):
            pl[key] = body[key]
        return Response(200)

    def _entry(self, uri: str) -> dict | None:
        if not isinstance(uri, str) or not uri.startswith("spotify:track:"):
            return None
        tid = uri.split(":")[-1]
        if tid not in self.tracks:
            self.make_track(0, id=tid, uri=uri, name=f"Unknown {tid}")
        return {"track_id": tid, "added_at": iso(datetime.now(UTC))}

    def _create_playlist(self, req: Request) -> Response:
        body = req.body if isinstance(req.body, dict) else {}
        if not body.get("name"):
            return error(400, "Missing required field: name")
        pid = self.add_playlist(
            body["name"],
            [],
            public=body.get("public", True),
            collaborative=bool(body.get("collaborative")),
        )
        self.playlists[pid]["description"] = body.get("description", "")
        return Response(201, self._simple_playlist(self.playlists[pid]))

    def _recent(self, req: Request) -> Response:
        limit = int(req.query.get("limit", 20))
        if not 1 <= limit <= 50:
            return error(400, "Invalid limit")
        plays = self.recent
        after = req.query.get("after")

        def ms(played: str) -> int:
            dt = datetime.strptime(played, "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=UTC)
            return int(dt.timestamp() * 1000)

        if after:
            plays = [p for p in plays if ms(p[0]) > int(after)]
            chunk = plays[-limit:]
        else:
            chunk = plays[:limit]
        items = [{"track": self.tracks[t], "played_at": at, "context": None} for at, t in chunk]
        cursors = (
            {"after": str(ms(chunk[0][0])), "before": str(ms(chunk[-1][0]))} if chunk else None
        )
        return Response(
            200,
            {
                "items": items,
                "limit": limit,
                "next": None,
                "cursors": cursors,
                "href": f"{self.api_url}/me/player/recently-played",
            },
        )

    def _player(self, req: Request, rest: list[str]) -> Response:
        if not self.premium:
            return error(403, "Player command failed: Premium required", "PREMIUM_REQUIRED")
        if self.playback is not None:
            answer = self.playback.handle(req, rest)
            if answer is not None:
                return answer
        m = req.method
        active = next((d for d in self.devices if d["is_active"]), None)
        if rest == ["devices"] and m == "GET":
            return Response(200, {"devices": self.devices})
        if rest == [] and m == "GET":
            if active is None:
                return Response(204)
            item = self.tracks.get(self.playing) if self.playing else None
            return Response(
                200,
                {
                    "device": active,
                    "is_playing": item is not None,
                    "progress_ms": 1000 if item else None,
                    "currently_playing_type": "track" if item else "unknown",
                    "item": item,
                },
            )
        if rest == [] and m == "PUT":
            ids = (req.body or {}).get("device_ids") or []
            if len(ids) != 1:
                return error(400, "Exactly one device id required")
            target = next((d for d in self.devices if d["id"] == ids[0]), None)
            if target is None:
                return error(404, "Device not found")
            for d in self.devices:
                d["is_active"] = d is target
            return Response(204)
        if rest == ["queue"] and m == "POST":
            uri = req.query.get("uri", "")
            if not uri.startswith("spotify:"):
                return error(400, "Invalid uri")
            device_id = req.query.get("device_id")
            if device_id:
                if not any(d["id"] == device_id for d in self.devices):
                    return error(404, "Device not found")
            elif active is None:
                return error(
                    404, "Player command failed: No active device found", "NO_ACTIVE_DEVICE"
                )
            self.queue.append(uri)
            return Response(204)
        return error(404, "Service not found")

    def _features(self, req: Request, rest: list[str]) -> Response:
        if rest:
            f = self.audio_features.get(rest[0])
            return Response(200, f) if f else error(404, "analysis not found")
        ids = [i for i in req.query.get("ids", "").split(",") if i]
        if not ids or len(ids) > 100:
            return error(400, "Invalid ids")
        return Response(200, {"audio_features": [self.audio_features.get(i) for i in ids]})

    # ---------------------------------------------------------------- accounts service
    def _authorize(self, req: Request) -> Response:
        q = req.query
        if q.get("client_id") != self.client_id:
            return Response(400, {"error": "invalid_client", "error_description": "Invalid client"})
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256":
            return Response(400, {"error": "invalid_request"})
        if not q.get("code_challenge") or not q.get("redirect_uri", "").startswith(
            "http://127.0.0.1:"
        ):
            return Response(
                400, {"error": "invalid_request", "error_description": "INVALID_REDIRECT_URI"}
            )
        state = (
            self.authorize_state_override
            if self.authorize_state_override is not None
            else q.get("state", "")
        )
        if self.authorize_error:
            target = (
                f"{q['redirect_uri']}?{urlencode({'error': self.authorize_error, 'state': state})}"
            )
        else:
            code = "code-" + secrets.token_hex(8)
            self.codes[code] = {
                "challenge": q["code_challenge"],
                "redirect_uri": q["redirect_uri"],
                "client_id": q["client_id"],
                "scope": q.get("scope", ""),
            }
            target = f"{q['redirect_uri']}?{urlencode({'code': code, 'state': state})}"
        return Response(302, None, {"Location": target})

    def _token(self, req: Request) -> Response:
        if req.method != "POST" or not isinstance(req.body, dict):
            return Response(400, {"error": "invalid_request"})
        b = req.body
        if b.get("client_id") != self.client_id:
            return Response(400, {"error": "invalid_client", "error_description": "Invalid client"})
        grant = b.get("grant_type")
        with self._lock:
            if grant == "authorization_code":
                info = self.codes.pop(b.get("code", ""), None)
                if info is None:
                    return Response(
                        400,
                        {
                            "error": "invalid_grant",
                            "error_description": "Invalid authorization code",
                        },
                    )
                if b.get("redirect_uri") != info["redirect_uri"]:
                    return Response(
                        400, {"error": "invalid_grant", "error_description": "Invalid redirect URI"}
                    )
                verifier = b.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode()).digest()
                challenge = base64.urlsafe_b64encode(digest).decode().rstrip("=")
                if challenge != info["challenge"]:
                    return Response(
                        400,
                        {
                            "error": "invalid_grant",
                            "error_description": "code_verifier was incorrect",
                        },
                    )
                scope = info["scope"]
            elif grant == "refresh_token":
                rt = b.get("refresh_token", "")
                if rt not in self.refresh_tokens or rt in self.revoked:
                    return Response(
                        400,
                        {"error": "invalid_grant", "error_description": "Refresh token revoked"},
                    )
                scope = self.refresh_tokens[rt]
            else:
                return Response(400, {"error": "unsupported_grant_type"})
            access = "at-" + secrets.token_hex(8)
            self.access_tokens.add(access)
            body = {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": scope,
            }
            if grant == "authorization_code":
                refresh = "rt-" + secrets.token_hex(8)
                self.refresh_tokens[refresh] = scope
                body["refresh_token"] = refresh
        return Response(200, body)

    # ---------------------------------------------------------------- playback in time
    @property
    def clock_url(self) -> str:
        """Where a subprocess reads and moves the attached player's clock (the value of
        ``SPOTUI_TEST_CLOCK``, see spotui/session/radio_service.py)."""
        return self.base + CLOCK_PATH

    def _clock(self, req: Request) -> Response:
        """``GET``: the clock's time; ``POST .../sleep?seconds=S``: move it on (running what
        the test scheduled with ``clock.at``) and answer the new time. Outside the fake's
        lock: a scheduled action may hold the sleeper while the test looks at the log."""
        clock = self.playback.clock if self.playback is not None else None
        if clock is None:
            return error(404, "no player attached")
        if req.method == "POST" and req.path.endswith("/sleep"):
            clock.sleep(float(req.query.get("seconds", "0")))
        return Response(200, {"now": clock.now()})

    def attach_player(self, clock, *, playing: str, **kw: Any):
        """Play in time from now on (``currently-playing`` with advancing progress, the
        queue, skips, device loss): see tests/fakes/spotify_player.py."""
        from tests.fakes.spotify_player import FakePlayback

        with self._lock:
            self.playback = FakePlayback(self, clock, playing=playing, **kw)
        return self.playback

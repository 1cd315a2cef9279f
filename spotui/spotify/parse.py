"""Spotify's JSON -> spotui's model: tracks, playlists and what an entry of a page is.

Why on its own: the same track object arrives in saved-track, playlist, top and recent
pages, each wrapped differently (and playlist entries moved from a ``track`` to an
``item`` key); reading them in one place keeps every source in step.
"""

from __future__ import annotations

from spotui.core.records import Playlist, Track
from spotui.store import Store


def classify(obj: dict | None, is_local: bool = False) -> str:
    """ "track", or why an entry is not one spotui can use: "local", "episodes", "unavailable"."""
    if not obj:
        return "unavailable"
    if is_local or obj.get("is_local") or str(obj.get("uri", "")).startswith("spotify:local:"):
        return "local"
    if obj.get("type") == "episode":
        return "episodes"
    if not obj.get("id"):
        return "unavailable"
    return "track"


def parse_track(obj: dict) -> tuple[Track, list[str]]:
    """A Spotify track object -> (Track, artist ids)."""
    album = obj.get("album") or {}
    artists = obj.get("artists") or []
    isrc = (obj.get("external_ids") or {}).get("isrc")
    track = Track(
        id=obj["id"],
        name=obj.get("name") or "",
        artists=tuple(a.get("name") or "" for a in artists),
        album=album.get("name") or "",
        duration_ms=obj.get("duration_ms"),
        release_date=album.get("release_date"),
        genres=(),
        isrc=isrc,
    )
    return track, [a["id"] for a in artists if a.get("id")]


def playlist_entry_object(entry: dict) -> dict | None:
    """The track/episode of a playlist entry: new ``item`` key first, older ``track`` second."""
    obj = entry.get("item")
    if obj is None:
        obj = entry.get("track")
    return obj


class PageTracks:
    """Tracks parsed from one page, ready for ``store.tracks.upsert_tracks``."""

    def __init__(self) -> None:
        self.tracks: dict[str, Track] = {}
        self.artist_ids: dict[str, list[str]] = {}

    def add(self, obj: dict) -> str:
        track, artist_ids = parse_track(obj)
        self.tracks[track.id] = track
        self.artist_ids[track.id] = artist_ids
        return track.id

    def write(self, store: Store) -> None:
        if self.tracks:
            store.tracks.upsert_tracks(self.tracks.values(), artist_ids=self.artist_ids)


def parse_playlist(p: dict, user_id: str) -> Playlist:
    owner = p.get("owner") or {}
    items = p.get("items") if isinstance(p.get("items"), dict) else p.get("tracks")
    total = (items or {}).get("total") if isinstance(items, dict) else None
    return Playlist(
        id=p["id"],
        name=p.get("name") or "",
        owner_id=owner.get("id") or "",
        owner_name=owner.get("display_name") or "",
        snapshot_id=p.get("snapshot_id"),
        collaborative=bool(p.get("collaborative")),
        public=p.get("public"),
        total=total,
        owned=owner.get("id") == user_id,
    )

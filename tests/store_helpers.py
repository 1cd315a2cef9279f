"""Store reads only tests need (what sync or an import left behind); the app never asks
these questions, so they live here rather than on :class:`spotui.store.Store`."""

from __future__ import annotations

import json
from collections.abc import Sequence

from spotui.core.records import Playlist
from spotui.store import Store


def in_library(store: Store, track_ids: Sequence[str]) -> set[str]:
    marks = ",".join("?" * len(track_ids))
    rows = store.conn.execute(
        f"SELECT track_id FROM library WHERE track_id IN ({marks})", list(track_ids)
    )
    return {r[0] for r in rows}


def artist_ids(store: Store, track_id: str) -> list[str]:
    row = store.conn.execute("SELECT artist_ids FROM tracks WHERE id = ?", (track_id,)).fetchone()
    return json.loads(row[0]) if row else []


def feature_lookup_status(store: Store, track_id: str) -> dict[str, str]:
    return dict(
        store.conn.execute(
            "SELECT provider, status FROM feature_lookups WHERE track_id = ?", (track_id,)
        ).fetchall()
    )


def saved_track_ids(store: Store) -> list[str]:
    """Saved tracks, newest first (the order Spotify returns them)."""
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT track_id FROM saved_tracks ORDER BY added_at DESC, rowid ASC"
        )
    ]


def saved_count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM saved_tracks").fetchone()[0]


def get_playlists(store: Store) -> list[Playlist]:
    rows = store.conn.execute(
        "SELECT id, name, owner_id, owner_name, snapshot_id, collaborative, public, total, "
        "owned FROM playlists ORDER BY name COLLATE NOCASE"
    ).fetchall()
    return [
        Playlist(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            bool(r[5]),
            None if r[6] is None else bool(r[6]),
            r[7],
            bool(r[8]),
        )  # fmt: skip
        for r in rows
    ]


def playlist_sync_info(store: Store, playlist_id: str) -> tuple[str | None, str] | None:
    """``(items_snapshot_id, items_status)`` of a stored playlist."""
    row = store.conn.execute(
        "SELECT items_snapshot_id, items_status FROM playlists WHERE id = ?", (playlist_id,)
    ).fetchone()
    return (row[0], row[1]) if row else None


def recent_plays(store: Store) -> list[tuple[str, str]]:
    return store.conn.execute(
        "SELECT played_at, track_id FROM recent_plays ORDER BY played_at DESC"
    ).fetchall()

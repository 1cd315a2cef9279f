"""The sources that make a track part of the library: saved tracks, playlists and their
items, top tracks, recent plays, CSV imports, and the sync bookkeeping behind them.

Why playlist items are keyed by position and written page by page: sync commits every
page with its resume mark, so re-writing a page (after a killed sync) replaces exactly
those positions and never duplicates a track.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from spotui.core.records import Playlist
from spotui.store.connection import Section, now_iso


class LibrarySection(Section):
    # ---------------------------------------------------------------- imports
    def add_imports(self, track_ids: Iterable[str], kind: str, source: str) -> None:
        stamp = now_iso()
        with self.db.transaction() as c:
            c.executemany(
                "INSERT INTO imports(track_id, kind, source, imported_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(track_id, kind) DO NOTHING",
                [(tid, kind, source, stamp) for tid in track_ids],
            )

    # The bookkeeping of one streaming CSV import (a TEMP table: this connection only,
    # gone with it): which tracks earlier batches of the file wrote, on which line they
    # were first listed and a digest of their features, so a later line repeating a track
    # merges into it (or is reported as a conflict) without the file being held in memory.
    def import_begin(self) -> None:
        self.db.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS _import_seen "
            "(id TEXT PRIMARY KEY, line INTEGER NOT NULL, sig INTEGER) WITHOUT ROWID"
        )
        self.db.conn.execute("DELETE FROM _import_seen")

    def import_state(self, track_ids: Sequence[str]) -> dict[str, tuple]:
        """For each of ``track_ids`` already stored: ``(provider of its features or None,
        line it was first listed on in this import or None, its features digest or None)``.
        Ids absent from the result are not stored at all."""
        rows = self.db.lookup(
            "SELECT t.id, f.provider, s.line, s.sig FROM tracks t "
            "LEFT JOIN features f ON f.track_id = t.id "
            "LEFT JOIN temp._import_seen s ON s.id = t.id WHERE t.id IN ({})",
            track_ids,
        )
        return {r[0]: r[1:] for r in rows}

    def import_mark_seen(self, rows: Iterable[tuple[str, int, int | None]]) -> None:
        """Record ``(track id, first line, features digest)`` of tracks this import wrote."""
        self.db.conn.executemany(
            "INSERT INTO _import_seen(id, line, sig) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET sig = excluded.sig",
            list(rows),
        )

    def import_end(self) -> None:
        self.db.conn.execute("DELETE FROM _import_seen")

    # ---------------------------------------------------------------- saved tracks
    def add_saved(self, items: Iterable[tuple[str, str | None]]) -> None:
        with self.db.transaction() as c:
            c.executemany(
                "INSERT INTO saved_tracks(track_id, added_at) VALUES (?, ?) "
                "ON CONFLICT(track_id) DO UPDATE SET added_at = excluded.added_at",
                list(items),
            )

    def remove_saved(self, track_ids: Iterable[str]) -> None:
        with self.db.transaction() as c:
            c.executemany("DELETE FROM saved_tracks WHERE track_id = ?", [(t,) for t in track_ids])

    def saved_added_at(self) -> dict[str, str | None]:
        """track id -> added_at of every saved track (incremental sync compares these)."""
        return dict(self.db.conn.execute("SELECT track_id, added_at FROM saved_tracks").fetchall())

    # ---------------------------------------------------------------- playlists
    def upsert_playlists(self, playlists: Iterable[Playlist]) -> None:
        with self.db.transaction() as c:
            c.executemany(
                """
                INSERT INTO playlists(id, name, owner_id, owner_name, snapshot_id, collaborative,
                                      public, total, owned)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, owner_id = excluded.owner_id,
                    owner_name = excluded.owner_name, snapshot_id = excluded.snapshot_id,
                    collaborative = excluded.collaborative, public = excluded.public,
                    total = excluded.total, owned = excluded.owned
                """,
                [
                    (
                        p.id,
                        p.name,
                        p.owner_id,
                        p.owner_name,
                        p.snapshot_id,
                        int(p.collaborative),
                        None if p.public is None else int(p.public),
                        p.total,
                        int(p.owned),
                    )
                    for p in playlists
                ],
            )

    def delete_playlists(self, playlist_ids: Iterable[str]) -> None:
        with self.db.transaction() as c:
            c.executemany("DELETE FROM playlists WHERE id = ?", [(p,) for p in playlist_ids])

    def playlist_sync_map(self) -> dict[str, tuple[str | None, str]]:
        """playlist id -> (items_snapshot_id, items_status) for every stored playlist."""
        return {
            r[0]: (r[1], r[2])
            for r in self.db.conn.execute(
                "SELECT id, items_snapshot_id, items_status FROM playlists"
            )
        }

    def set_playlist_items_status(
        self, playlist_id: str, status: str, items_snapshot_id: str | None = None
    ) -> None:
        self.db.conn.execute(
            "UPDATE playlists SET items_status = ?, items_snapshot_id = ? WHERE id = ?",
            (status, items_snapshot_id, playlist_id),
        )

    def put_playlist_items(
        self, playlist_id: str, start: int, items: Sequence[tuple[str, str | None]]
    ) -> None:
        """Write items at positions ``start..``; re-writing a page replaces it (resumable)."""
        with self.db.transaction() as c:
            c.executemany(
                "INSERT INTO playlist_items(playlist_id, position, track_id, added_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(playlist_id, position) DO UPDATE SET "
                "track_id = excluded.track_id, added_at = excluded.added_at",
                [(playlist_id, start + i, tid, added) for i, (tid, added) in enumerate(items)],
            )

    def replace_playlist_range(
        self, playlist_id: str, start: int, end: int, items: Sequence[tuple[int, str, str | None]]
    ) -> None:
        """Replace positions ``start..end-1`` with ``(position, track_id, added_at)`` items.

        Positions of skipped entries (local files, episodes) stay empty, so a re-read page
        never leaves a stale track behind and positions match Spotify's.
        """
        with self.db.transaction() as c:
            c.execute(
                "DELETE FROM playlist_items WHERE playlist_id = ? AND position >= ? AND position < ?",
                (playlist_id, start, end),
            )
            c.executemany(
                "INSERT INTO playlist_items(playlist_id, position, track_id, added_at) "
                "VALUES (?, ?, ?, ?)",
                [(playlist_id, pos, tid, added) for pos, tid, added in items],
            )

    def playlists(self, owned_only: bool = False) -> list[tuple[Playlist, int]]:
        """Stored playlists with how many of their tracks are stored, by name."""
        where = "WHERE p.owned = 1" if owned_only else ""
        rows = self.db.conn.execute(
            f"""
            SELECT p.id, p.name, p.owner_id, p.owner_name, p.snapshot_id, p.collaborative,
                   p.public, p.total, p.owned, count(i.track_id)
            FROM playlists p LEFT JOIN playlist_items i ON i.playlist_id = p.id
            {where} GROUP BY p.id ORDER BY p.name COLLATE NOCASE, p.id
            """
        ).fetchall()
        return [(_playlist(r), r[9]) for r in rows]

    def get_playlist(self, playlist_id: str) -> Playlist | None:
        row = self.db.conn.execute(
            "SELECT id, name, owner_id, owner_name, snapshot_id, collaborative, public, total, "
            "owned FROM playlists WHERE id = ?",
            (playlist_id,),
        ).fetchone()
        return _playlist(row) if row else None

    def owned_playlist_items(self) -> dict[str, list[str]]:
        """playlist id -> its track ids in order, for every playlist the user owns.

        One row per playlist, not per item: the TUI reads this in a thread before its first
        paint, where every row stepped costs a GIL hand-off (see QueriesSection.library_table).
        """
        rows = self.db.conn.execute(
            "SELECT p.id, (SELECT json_group_array(track_id) FROM (SELECT i.track_id "
            "  FROM playlist_items i WHERE i.playlist_id = p.id ORDER BY i.position)) "
            "FROM playlists p WHERE p.owned = 1 ORDER BY p.id"
        ).fetchall()
        return {pid: json.loads(ids) for pid, ids in rows if ids != "[]"}

    def append_playlist_items(self, playlist_id: str, track_ids: Sequence[str]) -> None:
        """Record tracks added at the end of a playlist (what an append export sent)."""
        with self.db.transaction() as c:
            end = c.execute(
                "SELECT coalesce(max(position) + 1, 0) FROM playlist_items WHERE playlist_id = ?",
                (playlist_id,),
            ).fetchone()[0]
            c.executemany(
                "INSERT INTO playlist_items(playlist_id, position, track_id, added_at) "
                "VALUES (?, ?, ?, ?)",
                [(playlist_id, end + i, t, now_iso()) for i, t in enumerate(track_ids)],
            )

    def truncate_playlist_items(self, playlist_id: str, length: int) -> None:
        self.db.conn.execute(
            "DELETE FROM playlist_items WHERE playlist_id = ? AND position >= ?",
            (playlist_id, length),
        )

    def playlist_track_ids(self, playlist_id: str) -> list[str]:
        return [
            r[0]
            for r in self.db.conn.execute(
                "SELECT track_id FROM playlist_items WHERE playlist_id = ? ORDER BY position",
                (playlist_id,),
            )
        ]

    # ---------------------------------------------------------------- top and recent
    def replace_top(self, time_range: str, track_ids: Sequence[str]) -> None:
        with self.db.transaction() as c:
            c.execute("DELETE FROM top_tracks WHERE time_range = ?", (time_range,))
            c.executemany(
                "INSERT INTO top_tracks(time_range, rank, track_id) VALUES (?, ?, ?)",
                [(time_range, i, t) for i, t in enumerate(track_ids)],
            )

    def top_track_ids(self, time_range: str) -> list[str]:
        return [
            r[0]
            for r in self.db.conn.execute(
                "SELECT track_id FROM top_tracks WHERE time_range = ? ORDER BY rank", (time_range,)
            )
        ]

    def recent_track_ids(self, limit: int = 50) -> list[str]:
        """The most recently played tracks, newest first, each once."""
        rows = self.db.conn.execute(
            "SELECT track_id FROM recent_plays ORDER BY played_at DESC LIMIT ?", (limit * 4,)
        )
        return list(dict.fromkeys(r[0] for r in rows))[:limit]

    def played_since(self, since: float) -> set[str]:
        """Tracks played at or after the Unix time ``since``, by the recently-played rows a
        sync stored. ``played_at`` is Spotify's ISO 8601 UTC text, which sorts as it reads,
        so the primary key's index answers the range (a count of "the last 50" would reach
        back days for a light listener and minutes for a heavy one)."""
        from datetime import UTC, datetime

        stamp = datetime.fromtimestamp(since, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        rows = self.db.conn.execute(
            "SELECT DISTINCT track_id FROM recent_plays WHERE played_at >= ?", (stamp,)
        )
        return {r[0] for r in rows}

    def add_recent(self, plays: Iterable[tuple[str, str]]) -> int:
        """Add ``(played_at, track_id)`` plays; returns how many were new."""
        before = self.db.conn.total_changes
        with self.db.transaction() as c:
            c.executemany(
                "INSERT INTO recent_plays(played_at, track_id) VALUES (?, ?) "
                "ON CONFLICT(played_at) DO NOTHING",
                list(plays),
            )
        return self.db.conn.total_changes - before

    # ---------------------------------------------------------------- sync state
    def get_sync_state(self, key: str) -> str | None:
        row = self.db.conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_sync_state(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.conn.execute("DELETE FROM sync_state WHERE key = ?", (key,))
        else:
            self.db.conn.execute(
                "INSERT INTO sync_state(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def sync_state_with_prefix(self, prefix: str) -> dict[str, str]:
        """Every sync_state entry whose key starts with ``prefix`` (per-page resume marks)."""
        return dict(
            self.db.conn.execute(
                "SELECT key, value FROM sync_state WHERE substr(key, 1, ?) = ?",
                (len(prefix), prefix),
            ).fetchall()
        )

    def delete_sync_state_prefix(self, prefix: str) -> None:
        self.db.conn.execute(
            "DELETE FROM sync_state WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
        )


def _playlist(row: tuple) -> Playlist:
    return Playlist(
        id=row[0],
        name=row[1],
        owner_id=row[2],
        owner_name=row[3],
        snapshot_id=row[4],
        collaborative=bool(row[5]),
        public=None if row[6] is None else bool(row[6]),
        total=row[7],
        owned=bool(row[8]),
    )

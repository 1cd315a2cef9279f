"""The local SQLite store: the single source of truth and the only place with SQL.

Why one module: sync, import, analysis and export all read and write the same few tables,
and keeping every statement here means a schema change is one diff, migrations are in one
list, and the faces can never grow ad-hoc queries.

The library is not a table of its own but a view: a track belongs to the library while
some source (saved, an owned playlist, top, recent, a library import) still references
it. Catalog tracks (imported as a candidate pool for recommendations) are stored the same
way but are only reachable through ``imports.kind = 'catalog'``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spotui.model import FEATURE_NAMES, Features, Playlist, Track

SCHEMA_VERSION = 1

SCOPES = ("library", "catalog", "all")

_SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE tracks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    artists TEXT NOT NULL DEFAULT '[]',
    artist_ids TEXT NOT NULL DEFAULT '[]',
    album TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER,
    release_date TEXT,
    genres TEXT NOT NULL DEFAULT '[]',
    isrc TEXT,
    updated_at TEXT
);

CREATE TABLE saved_tracks (
    track_id TEXT PRIMARY KEY REFERENCES tracks(id),
    added_at TEXT
);

CREATE TABLE playlists (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    owner_id TEXT NOT NULL DEFAULT '',
    owner_name TEXT NOT NULL DEFAULT '',
    snapshot_id TEXT,
    collaborative INTEGER NOT NULL DEFAULT 0,
    public INTEGER,
    total INTEGER,
    owned INTEGER NOT NULL DEFAULT 0,
    -- snapshot whose items were completely read; equal to snapshot_id means up to date
    items_snapshot_id TEXT,
    -- 'ok', 'forbidden' (someone else's playlist: 403), 'pending'
    items_status TEXT NOT NULL DEFAULT 'pending'
);

CREATE TABLE playlist_items (
    playlist_id TEXT NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    track_id TEXT NOT NULL REFERENCES tracks(id),
    added_at TEXT,
    PRIMARY KEY (playlist_id, position)
);
CREATE INDEX playlist_items_track ON playlist_items(track_id);

CREATE TABLE top_tracks (
    time_range TEXT NOT NULL,
    rank INTEGER NOT NULL,
    track_id TEXT NOT NULL REFERENCES tracks(id),
    PRIMARY KEY (time_range, rank)
);

CREATE TABLE recent_plays (
    played_at TEXT PRIMARY KEY,
    track_id TEXT NOT NULL REFERENCES tracks(id)
);

CREATE TABLE imports (
    track_id TEXT NOT NULL REFERENCES tracks(id),
    kind TEXT NOT NULL CHECK (kind IN ('library', 'catalog')),
    source TEXT NOT NULL DEFAULT '',
    imported_at TEXT,
    PRIMARY KEY (track_id, kind)
);

CREATE TABLE features (
    track_id TEXT PRIMARY KEY REFERENCES tracks(id),
    provider TEXT NOT NULL,
    danceability REAL, energy REAL, valence REAL, tempo REAL, loudness REAL,
    acousticness REAL, instrumentalness REAL, speechiness REAL, liveness REAL,
    key INTEGER, mode INTEGER, time_signature INTEGER,
    fetched_at TEXT
);

-- which provider was asked about which track and what it answered ('found'/'missing')
CREATE TABLE feature_lookups (
    track_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    status TEXT NOT NULL,
    checked_at TEXT,
    PRIMARY KEY (track_id, provider)
);

CREATE TABLE provider_state (
    provider TEXT PRIMARY KEY,
    enabled INTEGER NOT NULL,
    reason TEXT,
    checked_at TEXT
);

CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT);

CREATE TABLE analysis_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL,
    feature_version TEXT NOT NULL,
    method TEXT NOT NULL,
    k INTEGER NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    scores TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);

CREATE TABLE clusters (
    run_id INTEGER NOT NULL REFERENCES analysis_runs(id) ON DELETE CASCADE,
    cluster_id INTEGER NOT NULL,
    label TEXT NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    centroid TEXT NOT NULL DEFAULT '{}',
    size INTEGER NOT NULL,
    PRIMARY KEY (run_id, cluster_id)
);

CREATE TABLE assignments (
    run_id INTEGER NOT NULL REFERENCES analysis_runs(id) ON DELETE CASCADE,
    track_id TEXT NOT NULL,
    cluster_id INTEGER NOT NULL,
    x REAL,
    y REAL,
    PRIMARY KEY (run_id, track_id)
);

-- 'cluster:3' -> the Spotify playlist it was exported to, so a re-export replaces it
CREATE TABLE exports (
    target TEXT PRIMARY KEY,
    playlist_id TEXT NOT NULL,
    name TEXT NOT NULL,
    track_count INTEGER NOT NULL DEFAULT 0,
    exported_at TEXT NOT NULL
);

CREATE VIEW library AS
    SELECT track_id FROM saved_tracks
    UNION SELECT track_id FROM playlist_items
    UNION SELECT track_id FROM top_tracks
    UNION SELECT track_id FROM recent_plays
    UNION SELECT track_id FROM imports WHERE kind = 'library';
"""

#: Migrations: index i upgrades a database from version i to i + 1 (0 = empty file).
MIGRATIONS: list[str] = [_SCHEMA_V1]

_FEATURE_COLS = ", ".join(FEATURE_NAMES)


class StoreError(Exception):
    """The database could not be used; the message is written for the user."""


@dataclass(frozen=True)
class OpenNotice:
    """Something the user should hear about when the store opened (e.g. a file moved aside)."""

    message: str
    moved_to: Path | None = None


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _dumps(value: Any) -> str:
    # one shared encoder: json.dumps with options builds a new one per call (3x slower)
    return _ENCODE(value)


def _dumps_names(names: Sequence[str]) -> str:
    """JSON for a list of plain names (artists, genres): the hot path of a 100k import.

    Joining is ~5x faster than the encoder; anything needing escapes takes the encoder.
    """
    if all(n.isprintable() and '"' not in n and "\\" not in n for n in names):
        return '["' + '","'.join(names) + '"]' if names else "[]"
    return _ENCODE(list(names))


def track_from_row(row: sqlite3.Row | tuple) -> Track:
    """A Track from a ``tracks`` row (id, name, artists, album, duration_ms, release_date,
    genres, isrc); public so the recommender builds its pool tracks the same way."""
    tid, name, artists, album, duration_ms, release_date, genres, isrc = row
    return Track(
        id=tid,
        name=name,
        artists=tuple(json.loads(artists)),
        album=album or "",
        duration_ms=duration_ms,
        release_date=release_date,
        genres=tuple(json.loads(genres)),
        isrc=isrc,
    )


_TRACK_COLS = "t.id, t.name, t.artists, t.album, t.duration_ms, t.release_date, t.genres, t.isrc"


def _scope_join(scope: str) -> str:
    if scope == "library":
        return "JOIN library l ON l.track_id = t.id"
    if scope == "catalog":
        return (
            "JOIN (SELECT track_id FROM imports WHERE kind = 'catalog' "
            "EXCEPT SELECT track_id FROM library) c ON c.track_id = t.id"
        )
    if scope == "all":
        return ""
    raise ValueError(f"unknown scope {scope!r}; expected one of {SCOPES}")


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.broken-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.broken-{stamp}-{n}")
        n += 1
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


class Store:
    """A connection to one spotui database. Not thread-safe: one Store per thread."""

    def __init__(self, conn: sqlite3.Connection, path: Path, notice: OpenNotice | None = None):
        self.conn = conn
        self.path = path
        self.notice = notice
        self._depth = 0

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating or migrating) the database at ``path``.

        A file that is not a usable spotui database, or was written by a newer spotui, is
        renamed next to itself with a timestamp and a fresh database is created; the
        returned store's ``notice`` says where the old file went.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        notice = None
        try:
            conn = cls._connect_and_migrate(path)
        except _NewerSchema as exc:
            moved = _move_aside(path)
            notice = OpenNotice(
                f"{path} was written by a newer spotui (schema {exc.version}, this one "
                f"knows {SCHEMA_VERSION}); it was moved to {moved} and a new library started.",
                moved,
            )
            conn = cls._connect_and_migrate(path)
        except sqlite3.DatabaseError as exc:
            moved = _move_aside(path)
            notice = OpenNotice(
                f"{path} could not be read ({exc}); it was moved to {moved} and a new "
                "library started. Nothing was deleted.",
                moved,
            )
            conn = cls._connect_and_migrate(path)
        return cls(conn, path, notice)

    @staticmethod
    def _connect_and_migrate(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        try:
            # Reading the header is where a corrupt or foreign file shows itself.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()[0]
            if version > SCHEMA_VERSION:
                raise _NewerSchema(version)
            if version == 0 and tables:
                raise sqlite3.DatabaseError("not a spotui database (no schema version)")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            conn.close()
            raise
        try:
            while version < SCHEMA_VERSION:
                # Take the write lock, then look again: another process or thread may have
                # migrated while we waited (two connections opening a brand-new file).
                conn.execute("BEGIN IMMEDIATE")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version >= SCHEMA_VERSION:
                    conn.execute("COMMIT")
                    break
                for statement in _statements(MIGRATIONS[version]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1}")
                conn.execute("COMMIT")
                version += 1
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()
            raise StoreError(f"{path}: migrating the database failed: {exc}") from exc
        return conn

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing block; nested uses join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    # ---------------------------------------------------------------- meta
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # ---------------------------------------------------------------- tracks
    def upsert_tracks(
        self, tracks: Iterable[Track], artist_ids: dict[str, Sequence[str]] | None = None
    ) -> int:
        """Insert or update tracks; genres already known are kept and merged with new ones."""
        stamp = now_iso()
        artist_ids = artist_ids or {}
        rows = [
            (
                t.id,
                t.name,
                _dumps_names(t.artists),
                _dumps_names(artist_ids.get(t.id, ())),
                t.album,
                t.duration_ms,
                t.release_date,
                _dumps_names(t.genres),
                t.isrc,
                stamp,
            )
            for t in tracks
        ]
        with self.transaction() as c:
            c.executemany(
                """
                INSERT INTO tracks(id, name, artists, artist_ids, album, duration_ms,
                                   release_date, genres, isrc, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                    name = excluded.name,
                    artists = excluded.artists,
                    artist_ids = CASE WHEN excluded.artist_ids = '[]' THEN tracks.artist_ids
                                      ELSE excluded.artist_ids END,
                    album = CASE WHEN excluded.album = '' THEN tracks.album ELSE excluded.album END,
                    duration_ms = coalesce(excluded.duration_ms, tracks.duration_ms),
                    release_date = coalesce(excluded.release_date, tracks.release_date),
                    genres = CASE WHEN excluded.genres = '[]' THEN tracks.genres
                                  WHEN tracks.genres = '[]' THEN excluded.genres
                                  ELSE (SELECT json_group_array(value) FROM (
                                        SELECT value FROM json_each(tracks.genres)
                                        UNION SELECT value FROM json_each(excluded.genres)))
                             END,
                    isrc = coalesce(excluded.isrc, tracks.isrc),
                    updated_at = excluded.updated_at
                """,
                rows,
            )
        return len(rows)

    def get_track(self, track_id: str) -> Track | None:
        row = self.conn.execute(
            f"SELECT {_TRACK_COLS} FROM tracks t WHERE t.id = ?", (track_id,)
        ).fetchone()
        return track_from_row(row) if row else None

    def get_tracks(self, ids: Sequence[str] | None = None, scope: str = "library") -> list[Track]:
        """Tracks by id (in the order given, unknown ids skipped) or every track of a scope."""
        if ids is None:
            rows = self.conn.execute(
                f"SELECT {_TRACK_COLS} FROM tracks t {_scope_join(scope)} ORDER BY t.rowid"
            ).fetchall()
            return [track_from_row(r) for r in rows]
        found: dict[str, Track] = {}
        for chunk in _chunks(list(ids), 900):
            marks = ",".join("?" * len(chunk))
            for r in self.conn.execute(
                f"SELECT {_TRACK_COLS} FROM tracks t WHERE t.id IN ({marks})", chunk
            ):
                found[r[0]] = track_from_row(r)
        return [found[i] for i in ids if i in found]

    def track_ids(self, scope: str = "library") -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                f"SELECT t.id FROM tracks t {_scope_join(scope)} ORDER BY t.rowid"
            )
        ]

    def in_library(self, track_ids: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for chunk in _chunks(list(track_ids), 900):
            marks = ",".join("?" * len(chunk))
            out.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT track_id FROM library WHERE track_id IN ({marks})", chunk
                )
            )
        return out

    def artist_ids(self, track_id: str) -> list[str]:
        row = self.conn.execute(
            "SELECT artist_ids FROM tracks WHERE id = ?", (track_id,)
        ).fetchone()
        return json.loads(row[0]) if row else []

    # ---------------------------------------------------------------- imports
    def feature_state(self, track_ids: Sequence[str]) -> dict[str, str | None]:
        """For each of ``track_ids`` already stored: the provider of its features, or None.

        Ids absent from the result are not stored at all. One pass, because an import
        needs both answers for every row of a file.
        """
        return dict(
            self._lookup(
                "SELECT t.id, f.provider FROM tracks t LEFT JOIN features f ON f.track_id = t.id "
                "WHERE t.id IN ({})",
                track_ids,
            )
        )

    @contextmanager
    def bulk(self) -> Iterator[sqlite3.Connection]:
        """A transaction with a large page cache, for imports of 100k rows.

        Random-key inserts into three B-trees thrash SQLite's default 2 MB cache; 64 MB
        makes a 100k-row import ~1.5x faster. Restored afterwards so long-lived
        connections (the TUI holds several) stay small.
        """
        before = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute("PRAGMA cache_size = -65536")
        try:
            with self.transaction() as c:
                yield c
        finally:
            self.conn.execute(f"PRAGMA cache_size = {before}")
            self.conn.execute("PRAGMA shrink_memory")

    def _lookup(self, sql: str, ids: Sequence[str]) -> list[tuple]:
        if len(ids) > 5000:  # one join beats a hundred IN (...) queries
            with self.transaction() as c:
                c.execute("CREATE TEMP TABLE IF NOT EXISTS _ids (id TEXT PRIMARY KEY)")
                c.execute("DELETE FROM _ids")
                c.executemany("INSERT OR IGNORE INTO _ids(id) VALUES (?)", [(i,) for i in ids])
                rows = c.execute(sql.format("SELECT id FROM _ids")).fetchall()
                c.execute("DELETE FROM _ids")
            return rows
        out: list[tuple] = []
        for chunk in _chunks(list(ids), 900):
            out.extend(self.conn.execute(sql.format(",".join("?" * len(chunk))), chunk).fetchall())
        return out

    def add_imports(self, track_ids: Iterable[str], kind: str, source: str) -> None:
        stamp = now_iso()
        with self.transaction() as c:
            c.executemany(
                "INSERT INTO imports(track_id, kind, source, imported_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(track_id, kind) DO NOTHING",
                [(tid, kind, source, stamp) for tid in track_ids],
            )

    # ---------------------------------------------------------------- features
    def upsert_features(self, features: Iterable[Features], record_lookups: bool = True) -> int:
        """Store features; ``record_lookups`` notes the provider as having found them.

        Lookups matter for network providers (``features --retry`` asks again only where
        one said "missing"); a CSV import passes False, it was not asked anything.
        """
        stamp = now_iso()
        rows = [
            (f.track_id, f.provider, *(getattr(f, n) for n in FEATURE_NAMES), stamp)
            for f in features
        ]
        marks = ",".join("?" * (len(FEATURE_NAMES) + 3))
        updates = ", ".join(f"{n} = excluded.{n}" for n in FEATURE_NAMES)
        with self.transaction() as c:
            c.executemany(
                f"INSERT INTO features(track_id, provider, {_FEATURE_COLS}, fetched_at) "
                f"VALUES ({marks}) ON CONFLICT(track_id) DO UPDATE SET "
                f"provider = excluded.provider, {updates}, fetched_at = excluded.fetched_at",
                rows,
            )
            if record_lookups:
                c.executemany(
                    "INSERT INTO feature_lookups(track_id, provider, status, checked_at) "
                    "VALUES (?, ?, 'found', ?) ON CONFLICT(track_id, provider) DO UPDATE SET "
                    "status = 'found', checked_at = excluded.checked_at",
                    [(r[0], r[1], stamp) for r in rows],
                )
        return len(rows)

    def get_features(self, track_id: str) -> Features | None:
        row = self.conn.execute(
            f"SELECT track_id, provider, {_FEATURE_COLS} FROM features WHERE track_id = ?",
            (track_id,),
        ).fetchone()
        if not row:
            return None
        return Features(row[0], row[1], **dict(zip(FEATURE_NAMES, row[2:], strict=True)))

    def feature_rows(self, scope: str = "library") -> list[tuple]:
        """``(track_id, *FEATURE_NAMES)`` for every track of ``scope`` that has features.

        Returned as plain tuples because the analysis core turns them straight into a
        numpy matrix; building objects for 100k rows would cost more than the query.
        """
        join = _scope_join(scope).replace("t.id", "f.track_id")
        return self.conn.execute(
            f"SELECT f.track_id, {_FEATURE_COLS} FROM features f {join} ORDER BY f.track_id"
        ).fetchall()

    def tracks_without_features(self, scope: str = "all") -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                f"SELECT t.id FROM tracks t {_scope_join(scope)} "
                "LEFT JOIN features f ON f.track_id = t.id WHERE f.track_id IS NULL ORDER BY t.rowid"
            )
        ]

    def record_feature_misses(self, track_ids: Iterable[str], provider: str) -> None:
        stamp = now_iso()
        with self.transaction() as c:
            c.executemany(
                "INSERT INTO feature_lookups(track_id, provider, status, checked_at) "
                "VALUES (?, ?, 'missing', ?) ON CONFLICT(track_id, provider) DO UPDATE SET "
                "status = 'missing', checked_at = excluded.checked_at",
                [(tid, provider, stamp) for tid in track_ids],
            )

    def feature_lookup_status(self, track_id: str) -> dict[str, str]:
        return dict(
            self.conn.execute(
                "SELECT provider, status FROM feature_lookups WHERE track_id = ?", (track_id,)
            ).fetchall()
        )

    def tracks_missed_by(self, provider: str) -> set[str]:
        return {
            r[0]
            for r in self.conn.execute(
                "SELECT track_id FROM feature_lookups WHERE provider = ? AND status = 'missing'",
                (provider,),
            )
        }

    def get_provider_state(self, provider: str) -> tuple[bool, str | None] | None:
        row = self.conn.execute(
            "SELECT enabled, reason FROM provider_state WHERE provider = ?", (provider,)
        ).fetchone()
        return (bool(row[0]), row[1]) if row else None

    def set_provider_state(self, provider: str, enabled: bool, reason: str | None = None) -> None:
        self.conn.execute(
            "INSERT INTO provider_state(provider, enabled, reason, checked_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(provider) DO UPDATE SET enabled = excluded.enabled, "
            "reason = excluded.reason, checked_at = excluded.checked_at",
            (provider, int(enabled), reason, now_iso()),
        )

    # ---------------------------------------------------------------- library sources
    def saved_track_ids(self) -> list[str]:
        """Saved tracks, newest first (the order Spotify returns them)."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT track_id FROM saved_tracks ORDER BY added_at DESC, rowid ASC"
            )
        ]

    def add_saved(self, items: Iterable[tuple[str, str | None]]) -> None:
        with self.transaction() as c:
            c.executemany(
                "INSERT INTO saved_tracks(track_id, added_at) VALUES (?, ?) "
                "ON CONFLICT(track_id) DO UPDATE SET added_at = excluded.added_at",
                list(items),
            )

    def remove_saved(self, track_ids: Iterable[str]) -> None:
        with self.transaction() as c:
            c.executemany("DELETE FROM saved_tracks WHERE track_id = ?", [(t,) for t in track_ids])

    def upsert_playlists(self, playlists: Iterable[Playlist]) -> None:
        with self.transaction() as c:
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

    def get_playlists(self) -> list[Playlist]:
        rows = self.conn.execute(
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
            )
            for r in rows
        ]

    def playlist_sync_info(self, playlist_id: str) -> tuple[str | None, str] | None:
        """``(items_snapshot_id, items_status)`` of a stored playlist."""
        row = self.conn.execute(
            "SELECT items_snapshot_id, items_status FROM playlists WHERE id = ?", (playlist_id,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def set_playlist_items_status(
        self, playlist_id: str, status: str, items_snapshot_id: str | None = None
    ) -> None:
        self.conn.execute(
            "UPDATE playlists SET items_status = ?, items_snapshot_id = ? WHERE id = ?",
            (status, items_snapshot_id, playlist_id),
        )

    def put_playlist_items(
        self, playlist_id: str, start: int, items: Sequence[tuple[str, str | None]]
    ) -> None:
        """Write items at positions ``start..``; re-writing a page replaces it (resumable)."""
        with self.transaction() as c:
            c.executemany(
                "INSERT INTO playlist_items(playlist_id, position, track_id, added_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(playlist_id, position) DO UPDATE SET "
                "track_id = excluded.track_id, added_at = excluded.added_at",
                [(playlist_id, start + i, tid, added) for i, (tid, added) in enumerate(items)],
            )

    def truncate_playlist_items(self, playlist_id: str, length: int) -> None:
        self.conn.execute(
            "DELETE FROM playlist_items WHERE playlist_id = ? AND position >= ?",
            (playlist_id, length),
        )

    def playlist_track_ids(self, playlist_id: str) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT track_id FROM playlist_items WHERE playlist_id = ? ORDER BY position",
                (playlist_id,),
            )
        ]

    def delete_playlists(self, playlist_ids: Iterable[str]) -> None:
        with self.transaction() as c:
            c.executemany("DELETE FROM playlists WHERE id = ?", [(p,) for p in playlist_ids])

    def replace_top(self, time_range: str, track_ids: Sequence[str]) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM top_tracks WHERE time_range = ?", (time_range,))
            c.executemany(
                "INSERT INTO top_tracks(time_range, rank, track_id) VALUES (?, ?, ?)",
                [(time_range, i, t) for i, t in enumerate(track_ids)],
            )

    def top_track_ids(self, time_range: str) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT track_id FROM top_tracks WHERE time_range = ? ORDER BY rank", (time_range,)
            )
        ]

    def add_recent(self, plays: Iterable[tuple[str, str]]) -> int:
        """Add ``(played_at, track_id)`` plays; returns how many were new."""
        before = self.conn.total_changes
        with self.transaction() as c:
            c.executemany(
                "INSERT INTO recent_plays(played_at, track_id) VALUES (?, ?) "
                "ON CONFLICT(played_at) DO NOTHING",
                list(plays),
            )
        return self.conn.total_changes - before

    def recent_plays(self) -> list[tuple[str, str]]:
        return self.conn.execute(
            "SELECT played_at, track_id FROM recent_plays ORDER BY played_at DESC"
        ).fetchall()

    def get_sync_state(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_sync_state(self, key: str, value: str | None) -> None:
        if value is None:
            self.conn.execute("DELETE FROM sync_state WHERE key = ?", (key,))
        else:
            self.conn.execute(
                "INSERT INTO sync_state(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # ---------------------------------------------------------------- analysis results
    def save_analysis(
        self,
        *,
        fingerprint: str,
        feature_version: str,
        method: str,
        k: int,
        params: dict,
        scores: dict,
        clusters: Sequence[dict],
        assignments: Sequence[tuple[str, int, float, float]],
    ) -> int:
        """Store one segmentation run; older runs are kept only as the previous one.

        ``clusters`` items have ``id, label, reasons, centroid, size``; ``assignments`` are
        ``(track_id, cluster_id, x, y)``. The previous run survives so stable ids can be
        matched against it; anything older is dropped.
        """
        with self.transaction() as c:
            cur = c.execute(
                "INSERT INTO analysis_runs(fingerprint, feature_version, method, k, params, "
                "scores, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    fingerprint,
                    feature_version,
                    method,
                    k,
                    _dumps(params),
                    _dumps(scores),
                    now_iso(),
                ),
            )
            run_id = int(cur.lastrowid)
            c.executemany(
                "INSERT INTO clusters(run_id, cluster_id, label, reasons, centroid, size) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        run_id,
                        cl["id"],
                        cl["label"],
                        _dumps(list(cl["reasons"])),
                        _dumps(cl["centroid"]),
                        cl["size"],
                    )
                    for cl in clusters
                ],
            )
            c.executemany(
                "INSERT INTO assignments(run_id, track_id, cluster_id, x, y) VALUES (?, ?, ?, ?, ?)",
                [(run_id, *a) for a in assignments],
            )
            c.execute(
                "DELETE FROM analysis_runs WHERE id NOT IN "
                "(SELECT id FROM analysis_runs ORDER BY id DESC LIMIT 2)"
            )
        return run_id

    def latest_analysis(self, fingerprint: str | None = None) -> dict | None:
        """The newest run (optionally only if it was made from ``fingerprint``)."""
        row = self.conn.execute(
            "SELECT id, fingerprint, feature_version, method, k, params, scores, created_at "
            "FROM analysis_runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if not row or (fingerprint is not None and row[1] != fingerprint):
            return None
        run_id = row[0]
        clusters = [
            {
                "id": r[0],
                "label": r[1],
                "reasons": json.loads(r[2]),
                "centroid": json.loads(r[3]),
                "size": r[4],
            }
            for r in self.conn.execute(
                "SELECT cluster_id, label, reasons, centroid, size FROM clusters "
                "WHERE run_id = ? ORDER BY cluster_id",
                (run_id,),
            )
        ]
        assignments = self.conn.execute(
            "SELECT track_id, cluster_id, x, y FROM assignments WHERE run_id = ? ORDER BY track_id",
            (run_id,),
        ).fetchall()
        return {
            "run_id": run_id,
            "fingerprint": row[1],
            "feature_version": row[2],
            "method": row[3],
            "k": row[4],
            "params": json.loads(row[5]),
            "scores": json.loads(row[6]),
            "created_at": row[7],
            "clusters": clusters,
            "assignments": assignments,
        }

    # ---------------------------------------------------------------- export mappings
    def get_export(self, target: str) -> dict | None:
        row = self.conn.execute(
            "SELECT playlist_id, name, track_count, exported_at FROM exports WHERE target = ?",
            (target,),
        ).fetchone()
        if not row:
            return None
        return {"playlist_id": row[0], "name": row[1], "track_count": row[2], "exported_at": row[3]}

    def set_export(self, target: str, playlist_id: str, name: str, track_count: int) -> None:
        self.conn.execute(
            "INSERT INTO exports(target, playlist_id, name, track_count, exported_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(target) DO UPDATE SET "
            "playlist_id = excluded.playlist_id, name = excluded.name, "
            "track_count = excluded.track_count, exported_at = excluded.exported_at",
            (target, playlist_id, name, track_count, now_iso()),
        )

    def delete_export(self, target: str) -> None:
        self.conn.execute("DELETE FROM exports WHERE target = ?", (target,))

    # Used by spotui/export.py (file export): one query per 900 ids instead of one per track.
    def get_features_many(self, track_ids: Sequence[str]) -> dict[str, Features]:
        """track id -> stored features, for those of ``track_ids`` that have any."""
        rows = self._lookup(
            f"SELECT track_id, provider, {_FEATURE_COLS} FROM features WHERE track_id IN ({{}})",
            track_ids,
        )
        return {
            r[0]: Features(r[0], r[1], **dict(zip(FEATURE_NAMES, r[2:], strict=True))) for r in rows
        }

    # ---------------------------------------------------------------- spotify sync (issue 6)
    def saved_added_at(self) -> dict[str, str | None]:
        """track id -> added_at of every saved track (incremental sync compares these)."""
        return dict(self.conn.execute("SELECT track_id, added_at FROM saved_tracks").fetchall())

    def saved_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM saved_tracks").fetchone()[0]

    def sync_state_with_prefix(self, prefix: str) -> dict[str, str]:
        """Every sync_state entry whose key starts with ``prefix`` (per-page resume marks)."""
        return dict(
            self.conn.execute(
                "SELECT key, value FROM sync_state WHERE substr(key, 1, ?) = ?",
                (len(prefix), prefix),
            ).fetchall()
        )

    def delete_sync_state_prefix(self, prefix: str) -> None:
        self.conn.execute(
            "DELETE FROM sync_state WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
        )

    def playlist_sync_map(self) -> dict[str, tuple[str | None, str]]:
        """playlist id -> (items_snapshot_id, items_status) for every stored playlist."""
        return {
            r[0]: (r[1], r[2])
            for r in self.conn.execute("SELECT id, items_snapshot_id, items_status FROM playlists")
        }

    def replace_playlist_range(
        self, playlist_id: str, start: int, end: int, items: Sequence[tuple[int, str, str | None]]
    ) -> None:
        """Replace positions ``start..end-1`` with ``(position, track_id, added_at)`` items.

        Positions of skipped entries (local files, episodes) stay empty, so a re-read page
        never leaves a stale track behind and positions match Spotify's.
        """
        with self.transaction() as c:
            c.execute(
                "DELETE FROM playlist_items WHERE playlist_id = ? AND position >= ? AND position < ?",
                (playlist_id, start, end),
            )
            c.executemany(
                "INSERT INTO playlist_items(playlist_id, position, track_id, added_at) "
                "VALUES (?, ?, ?, ?)",
                [(playlist_id, pos, tid, added) for pos, tid, added in items],
            )

    # ---------------------------------------------------------------- status
    def counts(self) -> dict[str, Any]:
        q = self.conn.execute
        by_provider = dict(
            q(
                "SELECT f.provider, count(*) FROM features f JOIN library l ON l.track_id = f.track_id "
                "GROUP BY f.provider ORDER BY f.provider"
            ).fetchall()
        )
        return {
            "library_tracks": q("SELECT count(*) FROM library").fetchone()[0],
            "with_features": sum(by_provider.values()),
            "features_by_provider": by_provider,
            "saved_tracks": q("SELECT count(*) FROM saved_tracks").fetchone()[0],
            "playlists": q("SELECT count(*) FROM playlists").fetchone()[0],
            "catalog_tracks": q(
                "SELECT count(*) FROM (SELECT track_id FROM imports WHERE kind = 'catalog' "
                "EXCEPT SELECT track_id FROM library)"
            ).fetchone()[0],
            "all_tracks": q("SELECT count(*) FROM tracks").fetchone()[0],
        }

    def library_fingerprint(self) -> str:
        """Cheap digest of what analysis depends on: library membership and features."""
        import hashlib

        h = hashlib.sha1()
        for row in self.conn.execute(
            f"SELECT l.track_id, {_FEATURE_COLS} FROM library l "
            "LEFT JOIN features f ON f.track_id = l.track_id ORDER BY l.track_id"
        ):
            h.update(repr(row).encode())
        return h.hexdigest()

    # ---------------------------------------------------------------- recommendations (pool)
    # Used by spotui/analysis/recommend.py. Flat queries without the library view joined per
    # row: at 100k tracks that join costs more than building the whole candidate matrix.
    def pool_rows(self, columns: Sequence[str]) -> dict[str, Any]:
        """What the recommender's candidate pool is built from, as plain tuples.

        ``features``: ``(track_id, *columns)`` of every track with features; ``tracks``: an
        iterator (read it once, right away) over ``(id, name, artists_json, album,
        duration_ms, release_date, genres_json, isrc)`` of every track; ``library``: library
        track ids; ``catalog``: catalog-import ids (may overlap the library; the library wins).
        """
        bad = [c for c in columns if c not in FEATURE_NAMES]
        if bad:
            raise ValueError(f"unknown feature columns {bad}")
        q = self.conn.execute
        return {
            "features": q(f"SELECT track_id, {', '.join(columns)} FROM features").fetchall(),
            # A cursor, not a list: the recommender keeps each row compactly as it reads it,
            # and 100k row tuples held at once would stay in the process's RSS afterwards.
            "tracks": q(
                "SELECT id, name, artists, album, duration_ms, release_date, genres, isrc "
                "FROM tracks"
            ),
            # The library view's sources without its de-duplicating UNION (2x faster here);
            # ids may repeat. Keep in step with the `library` view in _SCHEMA_V1.
            "library": [
                r[0]
                for r in q(
                    "SELECT track_id FROM saved_tracks UNION ALL SELECT track_id FROM "
                    "playlist_items UNION ALL SELECT track_id FROM top_tracks UNION ALL SELECT "
                    "track_id FROM recent_plays UNION ALL SELECT track_id FROM imports "
                    "WHERE kind = 'library'"
                )
            ],
            "catalog": [r[0] for r in q("SELECT track_id FROM imports WHERE kind = 'catalog'")],
        }

    def pool_signature(self) -> tuple:
        """Cheap value that changes when library membership, catalog, tracks or features do.

        Counts and max rowids of every source table plus feature/track timestamps and a sum
        of a few feature columns; a few milliseconds at 100k tracks, so a cached candidate
        pool can be checked on every request.
        """
        parts = []
        for table in ("saved_tracks", "playlist_items", "top_tracks", "recent_plays", "imports"):
            parts.append(self.conn.execute(f"SELECT count(*), max(rowid) FROM {table}").fetchone())
        parts.append(
            self.conn.execute(
                "SELECT count(*), max(rowid), max(fetched_at), "
                "total(danceability) + total(energy) + total(valence) + total(tempo) FROM features"
            ).fetchone()
        )
        parts.append(
            self.conn.execute("SELECT count(*), max(rowid), max(updated_at) FROM tracks").fetchone()
        )
        return tuple(parts)

    # ---------------------------------------------------------------- TUI queries
    # Used by spotui/tui/. One flat query for the track table: building Track objects and
    # parsing artist JSON in Python for 100k rows would cost more than the query itself.
    def has_library(self) -> bool:
        """Whether any track is in the library (cheap: stops at the first one)."""
        return bool(self.conn.execute("SELECT EXISTS (SELECT 1 FROM library)").fetchone()[0])

    def library_table_rows(self, columns: Sequence[str]) -> list[tuple]:
        """``(id, name, artist_line, *columns)`` for every library track, in library order.

        ``artist_line`` is the artists joined with ", "; feature columns are None when the
        track has no features. Two plain scans filtered in Python: about half the time of
        joining the library view and sorting (this runs before the TUI's first paint).
        """
        bad = [c for c in columns if c not in FEATURE_NAMES]
        if bad:
            raise ValueError(f"unknown feature columns {bad}")
        library = {r[0] for r in self.conn.execute("SELECT track_id FROM library")}
        cols = "".join(f", f.{c}" for c in columns)
        out = []
        for r in self.conn.execute(
            f"SELECT t.id, t.name, t.artists{cols} FROM tracks t "
            "LEFT JOIN features f ON f.track_id = t.id ORDER BY t.rowid"
        ):
            if r[0] in library:
                out.append((r[0], r[1], _artist_line(r[2]), *r[3:]))
        return out


def _artist_line(artists_json: str) -> str:
    """'["A","B"]' -> "A, B" without a JSON parse when nothing is escaped."""
    if "\\" in artists_json:
        return ", ".join(json.loads(artists_json))
    return artists_json[2:-2].replace('","', ", ")


class _NewerSchema(Exception):
    def __init__(self, version: int):
        super().__init__(version)
        self.version = version


def _statements(script: str) -> list[str]:
    """Split a migration script into complete statements (sqlite3 decides where they end)."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def _chunks(seq: list, size: int) -> Iterator[list]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]

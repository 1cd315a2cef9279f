"""Tracks and their audio features: what is known about each track, whatever its source.

Why genres and other fields are merged rather than overwritten on upsert: the same track
arrives from several sources (a sync page without genres, a CSV with them, a catalog
import), and a later, poorer copy must not erase what an earlier one brought.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from spotui.core.bulk import no_gc
from spotui.core.feature_spec import FEATURE_NAMES
from spotui.core.records import Features, Track
from spotui.store.connection import Section, chunks, dumps_names, now_iso
from spotui.store.schema import FEATURE_COLS, TRACK_COLS, check_feature_columns, scope_join


def track_from_row(row: sqlite3.Row | tuple) -> Track:
    """A Track from a ``tracks`` row (id, name, artists, album, duration_ms, release_date,
    genres, isrc); public so the recommender builds its pool tracks the same way."""
    tid, name, artists, album, duration_ms, release_date, genres, isrc = row
    return Track(
        id=tid,
        name=name or tid,  # imported by id alone: the id until a sync or import names it
        artists=tuple(json.loads(artists)),
        album=album or "",
        duration_ms=duration_ms,
        release_date=release_date,
        genres=tuple(json.loads(genres)),
        isrc=isrc,
    )


def _features_from_row(row: tuple) -> Features:
    return Features(row[0], row[1], **dict(zip(FEATURE_NAMES, row[2:], strict=True)))


_UPSERT_TRACKS = """
INSERT INTO tracks(id, name, artists, artist_ids, album, duration_ms,
                   release_date, genres, isrc, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(id) DO UPDATE SET
    name = CASE WHEN excluded.name = '' THEN tracks.name ELSE excluded.name END,
    artists = CASE WHEN excluded.artists = '[]' THEN tracks.artists ELSE excluded.artists END,
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
"""


class TracksSection(Section):
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
                dumps_names(t.artists),
                dumps_names(artist_ids.get(t.id, ())),
                t.album,
                t.duration_ms,
                t.release_date,
                dumps_names(t.genres),
                t.isrc,
                stamp,
            )
            for t in tracks
        ]
        with self.db.transaction() as c:
            c.executemany(_UPSERT_TRACKS, rows)
        return len(rows)

    def get_track(self, track_id: str) -> Track | None:
        row = self.db.conn.execute(
            f"SELECT {TRACK_COLS} FROM tracks t WHERE t.id = ?", (track_id,)
        ).fetchone()
        return track_from_row(row) if row else None

    def get_tracks(self, ids: Sequence[str] | None = None, scope: str = "library") -> list[Track]:
        """Tracks by id (in the order given, unknown ids skipped) or every track of a scope."""
        if ids is None:
            rows = self.db.conn.execute(
                f"SELECT {TRACK_COLS} FROM tracks t {scope_join(scope)} ORDER BY t.rowid"
            ).fetchall()
            return [track_from_row(r) for r in rows]
        found: dict[str, Track] = {}
        for chunk in chunks(list(ids), 900):
            marks = ",".join("?" * len(chunk))
            for r in self.db.conn.execute(
                f"SELECT {TRACK_COLS} FROM tracks t WHERE t.id IN ({marks})", chunk
            ):
                found[r[0]] = track_from_row(r)
        return [found[i] for i in ids if i in found]

    def track_ids(self, scope: str = "library") -> list[str]:
        return [
            r[0]
            for r in self.db.conn.execute(
                f"SELECT t.id FROM tracks t {scope_join(scope)} ORDER BY t.rowid"
            )
        ]

    def feature_state(self, track_ids: Sequence[str]) -> dict[str, str | None]:
        """For each of ``track_ids`` already stored: the provider of its features, or None.

        Ids absent from the result are not stored at all. One pass, because an import
        needs both answers for every row of a file.
        """
        return dict(
            self.db.lookup(
                "SELECT t.id, f.provider FROM tracks t LEFT JOIN features f ON f.track_id = t.id "
                "WHERE t.id IN ({})",
                track_ids,
            )
        )

    # ---------------------------------------------------------------- features
    def upsert_features(self, features: Iterable[Features], record_lookups: bool = True) -> int:
        """Store features; ``record_lookups`` notes the provider as having found them.

        Lookups matter for network providers (``features --retry`` asks again only where
        one said "missing"); a CSV import passes False, it was not asked anything.
        """
        rows = [(f.track_id, f.provider, *(getattr(f, n) for n in FEATURE_NAMES)) for f in features]
        return self.upsert_feature_rows(rows, record_lookups)

    def upsert_feature_rows(self, rows: Sequence[tuple], record_lookups: bool = True) -> int:
        """:meth:`upsert_features` for ``(track_id, provider, *FEATURE_NAMES values)`` tuples:
        a large CSV import skips building a Features object per row (a third of its parsing)."""
        stamp = now_iso()
        marks = ",".join("?" * (len(FEATURE_NAMES) + 3))
        updates = ", ".join(f"{n} = excluded.{n}" for n in FEATURE_NAMES)
        with self.db.transaction() as c:
            c.executemany(
                f"INSERT INTO features(track_id, provider, {FEATURE_COLS}, fetched_at) "
                f"VALUES ({marks}) ON CONFLICT(track_id) DO UPDATE SET "
                f"provider = excluded.provider, {updates}, fetched_at = excluded.fetched_at",
                [(*r, stamp) for r in rows],
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
        row = self.db.conn.execute(
            f"SELECT track_id, provider, {FEATURE_COLS} FROM features WHERE track_id = ?",
            (track_id,),
        ).fetchone()
        return _features_from_row(row) if row else None

    def get_features_many(self, track_ids: Sequence[str]) -> dict[str, Features]:
        """track id -> stored features, for those of ``track_ids`` that have any (file
        export: one query per 900 ids instead of one per track)."""
        rows = self.db.lookup(
            f"SELECT track_id, provider, {FEATURE_COLS} FROM features WHERE track_id IN ({{}})",
            track_ids,
        )
        return {r[0]: _features_from_row(r) for r in rows}

    def feature_rows(self, scope: str = "library") -> list[tuple]:
        """``(track_id, *FEATURE_NAMES)`` for every track of ``scope`` that has features.

        Returned as plain tuples because the analysis core turns them straight into a
        numpy matrix; building objects for 100k rows would cost more than the query.
        """
        join = scope_join(scope).replace("t.id", "f.track_id")
        return self.db.conn.execute(
            f"SELECT f.track_id, {FEATURE_COLS} FROM features f {join} ORDER BY f.track_id"
        ).fetchall()

    def library_feature_table(self, columns: Sequence[str]) -> list[tuple]:
        """``(track_id, has_features, *columns)`` for every library track, in track-id order
        (NULLs where a value or the whole row is missing): what the mood model places, in
        one query instead of the features and the membership read apart."""
        check_feature_columns(columns)
        cols = ", ".join(f"f.{c}" for c in columns)
        with no_gc():  # 20k+ row tuples, no cycles (see connection.no_gc)
            return self.db.conn.execute(
                f"SELECT l.track_id, f.track_id IS NOT NULL, {cols} FROM library l "
                "LEFT JOIN features f ON f.track_id = l.track_id ORDER BY l.track_id"
            ).fetchall()

    def tracks_without_features(self, scope: str = "all") -> list[str]:
        return [
            r[0]
            for r in self.db.conn.execute(
                f"SELECT t.id FROM tracks t {scope_join(scope)} "
                "LEFT JOIN features f ON f.track_id = t.id WHERE f.track_id IS NULL ORDER BY t.rowid"
            )
        ]

    # ---------------------------------------------------------------- feature providers
    def record_feature_misses(self, track_ids: Iterable[str], provider: str) -> None:
        stamp = now_iso()
        with self.db.transaction() as c:
            c.executemany(
                "INSERT INTO feature_lookups(track_id, provider, status, checked_at) "
                "VALUES (?, ?, 'missing', ?) ON CONFLICT(track_id, provider) DO UPDATE SET "
                "status = 'missing', checked_at = excluded.checked_at",
                [(tid, provider, stamp) for tid in track_ids],
            )

    def tracks_missed_by(self, provider: str) -> set[str]:
        return {
            r[0]
            for r in self.db.conn.execute(
                "SELECT track_id FROM feature_lookups WHERE provider = ? AND status = 'missing'",
                (provider,),
            )
        }

    def get_provider_state(self, provider: str) -> tuple[bool, str | None] | None:
        row = self.db.conn.execute(
            "SELECT enabled, reason FROM provider_state WHERE provider = ?", (provider,)
        ).fetchone()
        return (bool(row[0]), row[1]) if row else None

    def set_provider_state(self, provider: str, enabled: bool, reason: str | None = None) -> None:
        self.db.conn.execute(
            "INSERT INTO provider_state(provider, enabled, reason, checked_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(provider) DO UPDATE SET enabled = excluded.enabled, "
            "reason = excluded.reason, checked_at = excluded.checked_at",
            (provider, int(enabled), reason, now_iso()),
        )

"""Read-only queries shaped for one consumer each: status counts, the analysis
fingerprint, the recommender's candidate pool and the TUI's track table.

Why flat tuples and no library-view joins per row: at 100k tracks, building objects or
joining the ``library`` view for every row costs more than the query (and than building
the candidate matrix); these run before the TUI's first paint and on every
recommendation request, so each is the cheapest shape its caller can use.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from typing import Any, NamedTuple

from spotui.store.connection import Section
from spotui.store.schema import check_feature_columns


class LibraryColumns(NamedTuple):
    """The TUI's track table: row i of every list is one track."""

    ids: list[str]
    #: The track's name, or its id for a track imported by id alone (until a sync names it).
    titles: list[str]
    #: The artists joined with ", ".
    artists: list[str]
    #: Row-major ``len(ids) x len(columns)`` feature values, NaN where a track has none.
    values: array


def _artist_line(artists_json: str) -> str:
    """'["A","B"]' -> "A, B", without a JSON parse when nothing is escaped."""
    if "\\" not in artists_json and artists_json.startswith('["'):
        return artists_json[2:-2].replace('","', ", ")
    try:
        return ", ".join(json.loads(artists_json))
    except (ValueError, TypeError):  # not a JSON list of names: show it as it is
        return artists_json


class QueriesSection(Section):
    # ---------------------------------------------------------------- status
    def counts(self) -> dict[str, Any]:
        q = self.db.conn.execute
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

    def has_library(self) -> bool:
        """Whether any track is in the library (cheap: stops at the first one)."""
        return bool(self.db.conn.execute("SELECT EXISTS (SELECT 1 FROM library)").fetchone()[0])

    # ---------------------------------------------------------------- recommendations (pool)
    def pool_rows(self, columns: Sequence[str]) -> dict[str, Any]:
        """What the recommender's candidate pool is built from, as plain tuples.

        ``features``: ``(track_id, *columns)`` of every track with features; ``tracks``:
        ``(id, name, artists_json, album, duration_ms, release_date, genres_json, isrc)`` of
        every track (both iterators: read each once, right away, before the next call);
        ``library``: library track ids; ``catalog``: catalog-import ids (may overlap the
        library; the library wins).
        """
        check_feature_columns(columns)
        q = self.db.conn.execute
        return {
            # Cursors, not lists: 100k row tuples held at once (~50 MB) set the process's
            # peak memory, and stay in its RSS afterwards; the reader keeps each row compactly.
            "features": q(f"SELECT track_id, {', '.join(columns)} FROM features"),
            "tracks": q(
                "SELECT id, name, artists, album, duration_ms, release_date, genres, isrc "
                "FROM tracks"
            ),
            # The library view's sources without its de-duplicating UNION (2x faster here);
            # ids may repeat. Keep in step with the `library` view in schema.py.
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
            parts.append(
                self.db.conn.execute(f"SELECT count(*), max(rowid) FROM {table}").fetchone()
            )
        parts.append(
            self.db.conn.execute(
                "SELECT count(*), max(rowid), max(fetched_at), "
                "total(danceability) + total(energy) + total(valence) + total(tempo) FROM features"
            ).fetchone()
        )
        parts.append(
            self.db.conn.execute(
                "SELECT count(*), max(rowid), max(updated_at) FROM tracks"
            ).fetchone()
        )
        return tuple(parts)

    # ---------------------------------------------------------------- the TUI's track table
    def library_table(self, columns: Sequence[str]) -> LibraryColumns:
        """Every library track, in library order, as parallel columns (see LibraryColumns).

        Why one aggregate row and not a row per track: this runs in a thread while the
        TUI imports Textual and builds its first screen, and Python's sqlite3 releases and
        re-takes the GIL for every row it steps; with the main thread busy, each re-take
        waits out a GIL switch interval (10k rows took 7 s against a busy thread, 60 ms
        this way). One step does the SQL work without the GIL; only the parsing of its
        four strings holds it (~10 ms at 10k tracks).
        """
        check_feature_columns(columns)
        values = " || ',' || ".join(f"coalesce(f.{c}, 'nan')" for c in columns) or "''"
        ids, names, artists, numbers = self.db.conn.execute(
            "SELECT json_group_array(id), json_group_array(name), json_group_array(artists),"
            " group_concat(v, ',') FROM ("
            "  SELECT t.id AS id, coalesce(nullif(t.name, ''), t.id) AS name,"
            f"   t.artists AS artists, {values} AS v"
            "  FROM tracks t NOT INDEXED LEFT JOIN features f ON f.track_id = t.id"
            "  WHERE t.id IN (SELECT track_id FROM library) ORDER BY t.rowid)"
        ).fetchone()
        flat = array("f", map(float, numbers.split(","))) if numbers and columns else array("f")
        return LibraryColumns(
            json.loads(ids), json.loads(names), [_artist_line(a) for a in json.loads(artists)], flat
        )

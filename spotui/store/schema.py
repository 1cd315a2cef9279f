"""The database schema, its migrations and the SQL fragments every section shares.

Why one list of migrations: ``MIGRATIONS[i]`` upgrades a file from version ``i`` to
``i + 1`` (0 = an empty file), so a schema change is one appended script and one bumped
number, and :mod:`spotui.store.connection` applies whatever a file is missing.

The library is not a table of its own but a view: a track belongs to the library while
some source (saved, an owned playlist, top, recent, a library import) still references
it. Catalog tracks (imported as a candidate pool for recommendations) are stored the same
way but are only reachable through ``imports.kind = 'catalog'``.
"""

from __future__ import annotations

import sqlite3

from spotui.core.feature_spec import FEATURE_NAMES

SCHEMA_VERSION = 3

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

# v2: discovery. ReccoBeats answers per seed set (a day's cache, so asking again costs no
# request) and what was queued or skipped lately (so it is not offered again).
_SCHEMA_V2 = """
CREATE TABLE discovery_cache (
    seed_key TEXT PRIMARY KEY,
    track_ids TEXT NOT NULL DEFAULT '[]',
    fetched_at REAL NOT NULL
);

CREATE TABLE recent_queue (
    track_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('queued', 'skipped')),
    at REAL NOT NULL,
    PRIMARY KEY (track_id, kind)
);
"""

# v3: moods that stay put. Each assignment keeps a signature of the features it was made
# from (a track moves only when its own features change), and tracks that joined a mood
# since the user last looked at it are remembered until they are seen.
_SCHEMA_V3 = """
ALTER TABLE assignments ADD COLUMN sig INTEGER;

CREATE TABLE mood_news (
    track_id TEXT PRIMARY KEY,
    added_at TEXT NOT NULL
);
"""

#: Migrations: index i upgrades a database from version i to i + 1 (0 = empty file).
MIGRATIONS: list[str] = [_SCHEMA_V1, _SCHEMA_V2, _SCHEMA_V3]

FEATURE_COLS = ", ".join(FEATURE_NAMES)
TRACK_COLS = "t.id, t.name, t.artists, t.album, t.duration_ms, t.release_date, t.genres, t.isrc"


def scope_join(scope: str) -> str:
    """The JOIN that restricts ``tracks t`` to a scope ("library", "catalog" or "all")."""
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


def check_feature_columns(columns) -> None:
    """Only known feature names may be put into SQL as column names."""
    bad = [c for c in columns if c not in FEATURE_NAMES]
    if bad:
        raise ValueError(f"unknown feature columns {bad}")


def statements(script: str) -> list[str]:
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

"""Where exports went: the mapping from an export target to the Spotify playlist it
made, and creates that were sent without their answer being stored.

Why export mappings exist at all: exporting the same cluster again must replace that
playlist's tracks, never create a second playlist. Why pending exports: a create that got
no answer may have made the playlist, and the next export must look for it before creating
another.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from spotui.store.connection import Section, dumps, now_iso


@dataclass(frozen=True)
class PendingExport:
    """A playlist create that was sent (or about to be) without its answer being stored:
    the playlist may exist. ``marker`` is the token its description carries."""

    name: str
    marker: str
    started_at: str


@dataclass(frozen=True)
class ExportMapping:
    """The playlist an export target (``"cluster:3"``) went to last time."""

    playlist_id: str
    name: str
    track_count: int
    exported_at: str


class ExportsSection(Section):
    def get_export(self, target: str) -> ExportMapping | None:
        row = self.db.conn.execute(
            "SELECT playlist_id, name, track_count, exported_at FROM exports WHERE target = ?",
            (target,),
        ).fetchone()
        return ExportMapping(*row) if row else None

    def set_export(self, target: str, playlist_id: str, name: str, track_count: int) -> None:
        self.db.conn.execute(
            "INSERT INTO exports(target, playlist_id, name, track_count, exported_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(target) DO UPDATE SET "
            "playlist_id = excluded.playlist_id, name = excluded.name, "
            "track_count = excluded.track_count, exported_at = excluded.exported_at",
            (target, playlist_id, name, track_count, now_iso()),
        )

    def delete_export(self, target: str) -> None:
        self.db.conn.execute("DELETE FROM exports WHERE target = ?", (target,))

    # Pending creates and the export id live in ``meta`` rather than in a table of their
    # own: no schema bump, so a database stays readable by the spotui before this one.
    def export_id(self) -> str:
        """A random id of this library, made once: it salts the playlist markers, so two
        libraries exporting "cluster:3" to one account never take each other's playlist."""
        value = self.db.get_meta("export_id")
        if value is None:
            self.db.conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('export_id', ?)",
                (_token(),),
            )
            value = self.db.get_meta("export_id")
        return value

    def get_pending_export(self, target: str) -> PendingExport | None:
        raw = self.db.get_meta(f"export_pending:{target}")
        return PendingExport(**json.loads(raw)) if raw else None

    def set_pending_export(self, target: str, name: str, marker: str) -> None:
        record = {"name": name, "marker": marker, "started_at": now_iso()}
        self.db.set_meta(f"export_pending:{target}", dumps(record))

    def clear_pending_export(self, target: str) -> None:
        self.db.conn.execute("DELETE FROM meta WHERE key = ?", (f"export_pending:{target}",))


def _token() -> str:
    import secrets  # not at import time: hashlib and hmac are ~4 ms of the TUI's start-up

    return secrets.token_hex(8)

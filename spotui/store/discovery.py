"""Discovery bookkeeping: ReccoBeats answers per seed set, and what was queued or skipped.

Why in the store and not in memory: a seed set asked again within a day must cost no
request, also from the next ``spotui recommend --discover`` process; and "queued this
session / skipped lately" must hold across the CLI and the TUI. Times are epoch seconds
(``time.time()``), compared as numbers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from spotui.store.connection import Section


class DiscoverySection(Section):
    # ---------------------------------------------------------------- candidate cache
    def cached_candidates(self, seed_key: str, since: float) -> list[str] | None:
        """The ids ReccoBeats answered for ``seed_key`` at or after ``since``, else None."""
        row = self.db.conn.execute(
            "SELECT track_ids FROM discovery_cache WHERE seed_key = ? AND fetched_at >= ?",
            (seed_key, since),
        ).fetchone()
        return json.loads(row[0]) if row else None

    def cache_candidates(self, seed_key: str, track_ids: Sequence[str], at: float) -> None:
        self.db.conn.execute(
            "INSERT INTO discovery_cache(seed_key, track_ids, fetched_at) VALUES (?, ?, ?) "
            "ON CONFLICT(seed_key) DO UPDATE SET track_ids = excluded.track_ids, "
            "fetched_at = excluded.fetched_at",
            (seed_key, json.dumps(list(track_ids)), at),
        )

    # ---------------------------------------------------------------- no repeats
    def note_recent(self, track_ids: Iterable[str], kind: str, at: float) -> None:
        """Remember that these tracks were just queued (``kind`` "queued") or skipped."""
        with self.db.transaction() as c:
            c.executemany(
                "INSERT INTO recent_queue(track_id, kind, at) VALUES (?, ?, ?) "
                "ON CONFLICT(track_id, kind) DO UPDATE SET at = excluded.at",
                [(t, kind, at) for t in track_ids],
            )

    def forget_recent(self, track_ids: Iterable[str], kind: str) -> None:
        """Undo :meth:`note_recent` of ``kind`` for these tracks (an undone skip)."""
        with self.db.transaction() as c:
            c.executemany(
                "DELETE FROM recent_queue WHERE track_id = ? AND kind = ?",
                [(t, kind) for t in track_ids],
            )

    def recent_tracks(self, since: dict[str, float]) -> set[str]:
        """Ids noted with a kind of ``since`` (kind -> earliest time that still counts)."""
        out: set[str] = set()
        for kind, t in since.items():
            out.update(
                r[0]
                for r in self.db.conn.execute(
                    "SELECT track_id FROM recent_queue WHERE kind = ? AND at >= ?", (kind, t)
                )
            )
        return out

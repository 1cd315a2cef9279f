"""Stored moods: segmentation runs (clusters, assignments, map positions, signatures)
and the tracks that joined a mood since the user last looked.

Why only the last two runs are kept: the newest is what the app shows; the one before is
what stable cluster ids are matched against when the library changed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from spotui.core.bulk import no_gc
from spotui.store.connection import Section, dumps, now_iso


@dataclass(frozen=True)
class StoredCluster:
    """One cluster of a stored run, as saved (colour and order are the reader's business)."""

    id: int
    label: str
    size: int
    reasons: tuple[str, ...] = ()
    centroid: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalysisRun:
    """One stored segmentation run; ``assignments`` are ``(track_id, cluster_id, x, y)``."""

    run_id: int
    fingerprint: str
    feature_version: str
    method: str
    k: int
    params: dict
    scores: dict
    created_at: str
    clusters: list[StoredCluster]
    assignments: list[tuple[str, int, float | None, float | None]]


class MoodsSection(Section):
    # ---------------------------------------------------------------- segmentation runs
    def save_analysis(
        self,
        *,
        fingerprint: str,
        feature_version: str,
        method: str,
        k: int,
        params: dict,
        scores: dict,
        clusters: Sequence[StoredCluster],
        assignments: Sequence[tuple],
        news: Sequence[str] = (),
        base_run: int | None = None,
        removed: Sequence[str] = (),
    ) -> int:
        """Store one segmentation run; older runs are kept only as the previous one.

        ``assignments``: ``(track_id, cluster_id, x, y[, sig])``; ``news``: tracks that joined
        a mood in this run (remembered until :meth:`clear_mood_news`). The previous run
        survives so stable ids can be matched against it; anything older is dropped.

        With ``base_run`` (the newest run, whose moods this one only placed tracks into) that
        run is brought up to date **in place**: its row and clusters rewritten, ``assignments``
        written over its own and ``removed`` tracks deleted. Placing 60 new tracks in a
        20,000-track library then writes 60 rows, where a new run copied 20,000 and deleted
        the 20,000 of the run before (measured: most of the placement's time).
        """
        with self.db.transaction() as c:
            if base_run is not None:
                run_id = base_run
                c.execute(
                    "UPDATE analysis_runs SET fingerprint = ?, feature_version = ?, method = ?, "
                    "k = ?, params = ?, scores = ?, created_at = ? WHERE id = ?",
                    (fingerprint, feature_version, method, k, dumps(params), dumps(scores),
                     now_iso(), run_id),
                )  # fmt: skip
                c.execute("DELETE FROM clusters WHERE run_id = ?", (run_id,))
                c.executemany(
                    "DELETE FROM assignments WHERE run_id = ? AND track_id = ?",
                    [(run_id, t) for t in removed],
                )
            else:
                cur = c.execute(
                    "INSERT INTO analysis_runs(fingerprint, feature_version, method, k, params, "
                    "scores, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (fingerprint, feature_version, method, k, dumps(params), dumps(scores),
                     now_iso()),
                )  # fmt: skip
                run_id = int(cur.lastrowid)
            c.executemany(
                "INSERT INTO clusters(run_id, cluster_id, label, reasons, centroid, size) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (run_id, cl.id, cl.label, dumps(list(cl.reasons)), dumps(cl.centroid), cl.size)
                    for cl in clusters
                ],
            )
            c.executemany(
                "INSERT OR REPLACE INTO assignments(run_id, track_id, cluster_id, x, y, sig) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(run_id, *a) if len(a) == 5 else (run_id, *a, None) for a in assignments],
            )
            stamp = now_iso()
            c.executemany(
                "INSERT OR IGNORE INTO mood_news(track_id, added_at) VALUES (?, ?)",
                [(tid, stamp) for tid in news],
            )
            c.execute(
                "DELETE FROM analysis_runs WHERE id NOT IN "
                "(SELECT id FROM analysis_runs ORDER BY id DESC LIMIT 2)"
            )
        return run_id

    def latest_analysis(self, fingerprint: str | None = None) -> AnalysisRun | None:
        """The newest run (optionally only if it was made from ``fingerprint``)."""
        row = self.db.conn.execute(
            "SELECT id, fingerprint, feature_version, method, k, params, scores, created_at "
            "FROM analysis_runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if not row or (fingerprint is not None and row[1] != fingerprint):
            return None
        run_id = row[0]
        clusters = [
            StoredCluster(
                id=r[0],
                label=r[1],
                reasons=tuple(json.loads(r[2])),
                centroid=json.loads(r[3]),
                size=r[4],
            )
            for r in self.db.conn.execute(
                "SELECT cluster_id, label, reasons, centroid, size FROM clusters "
                "WHERE run_id = ? ORDER BY cluster_id",
                (run_id,),
            )
        ]
        # One JSON aggregate, not a row per track: see QueriesSection.library_table
        # (this too is read in a thread while the TUI builds its first screen).
        (blob,) = self.db.conn.execute(
            "SELECT json_group_array(json(a)) FROM (SELECT json_array(track_id, cluster_id, x, y) "
            "AS a FROM assignments WHERE run_id = ? ORDER BY track_id)",
            (run_id,),
        ).fetchone()
        with no_gc():
            assignments = [tuple(a) for a in json.loads(blob)]
        return AnalysisRun(
            run_id=run_id,
            fingerprint=row[1],
            feature_version=row[2],
            method=row[3],
            k=row[4],
            params=json.loads(row[5]),
            scores=json.loads(row[6]),
            created_at=row[7],
            clusters=clusters,
            assignments=assignments,
        )

    def assignment_signatures(self, run_id: int) -> dict[str, int | None]:
        """Track id -> the feature signature its assignment in ``run_id`` was made from
        (None: made before signatures were stored)."""
        return dict(
            self.db.conn.execute(
                "SELECT track_id, sig FROM assignments WHERE run_id = ?", (run_id,)
            )
        )

    def mood_news(self) -> set[str]:
        """Tracks that joined a mood since the user last looked at it."""
        return {r[0] for r in self.db.conn.execute("SELECT track_id FROM mood_news")}

    def clear_mood_news(self, track_ids: Sequence[str] | None = None) -> None:
        """The user has seen these tracks in their moods (None: all of them)."""
        with self.db.transaction() as c:
            if track_ids is None:
                c.execute("DELETE FROM mood_news")
            else:
                c.executemany("DELETE FROM mood_news WHERE track_id = ?", [(t,) for t in track_ids])

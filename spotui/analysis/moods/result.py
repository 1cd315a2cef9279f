"""A segmentation result as the UI reads it back: :class:`SegmentResult` and :func:`from_run`.

Why a module of its own: the TUI shows the *stored* clusters before its first paint, and
importing :mod:`spotui.analysis.moods.segment` for that would import numpy (~0.1 s of import work
holding the GIL while Textual starts up). This module needs only the standard library and
the model, so reading a result back costs nothing but the SQL
(:func:`spotui.session.mood_store.load_result` reads the run and hands it to :func:`from_run`).
:mod:`spotui.analysis.moods.segment` re-exports the result; computing results stays there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spotui.analysis.moods.labels import cluster_color
from spotui.core.bulk import no_gc
from spotui.core.records import Cluster
from spotui.core.text import count

#: Cluster id of tracks without (enough) audio features.
UNANALYSED_ID = -1


@dataclass
class SegmentResult:
    """One segmentation of the library, as computed or as read back from the store."""

    method: str
    k: int
    scores: dict  # silhouette, davies_bouldin, nmi (None where undefined)
    clusters: list[Cluster]
    assignments: dict[str, int]  # track id -> cluster id (analysed tracks only)
    coords: dict[str, tuple[float, float]]  # track id -> 2-D mood-map position (PCA)
    unanalysed: list[str]
    library_centroid: dict[str, float]
    reused: bool = False
    requested_k: int | None = None  # None: k was chosen automatically
    fingerprint: str = ""
    examples: dict[int, list[str]] = field(default_factory=dict)  # most typical tracks first
    params: dict = field(default_factory=dict)
    run_id: int | None = None  # the stored run it was read from

    @property
    def note(self) -> str | None:
        """Why the library was not split (too small, identical tracks...), if it was not."""
        return self.params.get("note")

    def summary(self) -> str:
        """One line for people, the same in the CLI and the TUI."""
        n = len(self.clusters)
        head = f"{n} mood cluster{'s' if n != 1 else ''} ({self.method}, k={self.k})"
        return f"{head}: {self.note}" if self.note else head

    def tracks_in(self, cluster_id: int) -> list[str]:
        """Track ids of a cluster (``UNANALYSED_ID`` gives the unanalysed tracks)."""
        if cluster_id == UNANALYSED_ID:
            return list(self.unanalysed)
        if not hasattr(self, "_members"):
            members: dict[int, list[str]] = {}
            for tid, cid in self.assignments.items():
                members.setdefault(cid, []).append(tid)
            self._members = members
        return list(self._members.get(cluster_id, []))

    def cluster(self, cluster_id: int) -> Cluster:
        for c in self.clusters:
            if c.id == cluster_id:
                return c
        from spotui.core.errors import NotFoundError

        known = ", ".join(str(c.id) for c in self.clusters) or "none"
        raise NotFoundError(f"There is no cluster {cluster_id} (clusters: {known}).")

    @property
    def changes(self) -> dict:
        """What the run that made this result changed (``segment --json``'s ``changes``)."""
        return self.params.get("changes") or {}

    def change_lines(self) -> list[str]:
        """What changed, in sentences, the same in the CLI and the TUI's notification."""
        ch = self.changes
        if not ch:
            return []
        labels = {c.id: c.label for c in self.clusters}
        return [*_run_lines(ch), *_mood_lines(ch, labels)]

    def unanalysed_line(self) -> str:
        """Why the unanalysed tracks are not in a mood ("" when every track is)."""
        n = len(self.unanalysed)
        if not n:
            return ""
        why = {k: v for k, v in (self.params.get("unanalysed_why") or {}).items() if v}
        head = f"{count(n, 'track')} cannot be placed in a mood"
        if len(why) > 1:
            parts = [f"{v:,} {k.replace('no ', 'without ', 1)}" for k, v in why.items()]
            return f"{head}: {', '.join(parts)}."
        reason = next(iter(why), "no audio features")
        they = "it has" if n == 1 else "they have"
        return f"{head}: {they} {reason}."

    def to_json(self) -> dict:
        """The documented ``spotui segment --json`` shape."""
        model = self.params.get("model") or {}
        return {
            "method": self.method,
            "k": self.k,
            "k_chosen_by": "automatic" if self.requested_k is None else "user",
            "fitted_at": model.get("fitted_at"),
            "fitted_on": model.get("n_fit"),
            "silhouette": self.scores.get("silhouette"),
            "note": self.note,
            "reused": self.reused,
            "changes": self.changes,
            "clusters": [
                {
                    "id": c.id,
                    "label": c.label,
                    "size": c.size,
                    "reasons": list(c.reasons),
                    "centroid": c.centroid,
                    "track_ids": self.tracks_in(c.id),
                }
                for c in self.clusters
            ],
            "unanalysed": list(self.unanalysed),
            "unanalysed_why": self.params.get("unanalysed_why") or {},
        }


def _run_lines(ch: dict) -> list[str]:
    """Why the moods were made again (if they were), what joined them, what moved."""
    lines = []
    refit = ch.get("refit") or {}
    if refit.get("code") not in (None, "first"):
        lines.append(refit["text"])
    if ch.get("summary"):
        lines.append(ch["summary"] + ".")
    moved = ch.get("moved_tracks", 0)
    if moved:
        why = "" if refit else " (their audio features changed)"
        lines.append(f"{count(moved, 'track')} moved to another mood{why}.")
    return lines


def _mood_lines(ch: dict, labels: dict[int, str]) -> list[str]:
    """The moods renamed, new and gone."""
    lines = [f"“{r['from']}” is now “{r['to']}”." for r in ch.get("renamed", [])]
    added = [labels.get(cid, str(cid)) for cid in ch.get("added", [])]
    if added:
        lines.append("New moods: " + ", ".join(f"“{a}”" for a in added) + ".")
    gone = [r["label"] for r in ch.get("removed", [])]
    if gone:
        lines.append("Moods no longer there: " + ", ".join(f"“{g}”" for g in gone) + ".")
    return lines


def from_run(run) -> SegmentResult:
    """A result from a stored run (:class:`spotui.store.AnalysisRun`, read duck-typed so
    this module never imports the store)."""
    params = run.params
    clusters = [
        Cluster(
            id=c.id,
            label=c.label,
            size=c.size,
            reasons=tuple(c.reasons),
            centroid=c.centroid,
            color=cluster_color(c.id),
        )
        for c in run.clusters
    ]
    clusters.sort(key=lambda c: (-c.size, c.id))
    assignments: dict[str, int] = {}
    coords: dict[str, tuple[float, float]] = {}
    unanalysed = set()
    with no_gc():  # 20k+ small tuples, no cycles (see spotui.core.bulk)
        for tid, cid, x, y in run.assignments:
            if cid == UNANALYSED_ID:
                unanalysed.add(tid)
                continue
            assignments[tid] = cid
            coords[tid] = (x, y)
    order = params.get("unanalysed_order")
    return SegmentResult(
        method=run.method,
        k=run.k,
        scores=run.scores,
        clusters=clusters,
        assignments=assignments,
        coords=coords,
        unanalysed=[t for t in order if t in unanalysed] if order else sorted(unanalysed),
        library_centroid=params.get("library_centroid", {}),
        reused=True,
        requested_k=params.get("requested_k"),
        fingerprint=run.fingerprint,
        examples={int(k): v for k, v in params.get("examples", {}).items()},
        params=params,
        run_id=run.run_id,
    )

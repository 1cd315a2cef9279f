"""What to recommend for (:class:`Seeds`) and what came back (:class:`Recommendations`).

Why seeds are a value and not a list of ids: "this cluster" means the cluster's tracks in
the segmentation the user sees, which only the core knows; the faces say *which* cluster,
track or selection, and :meth:`spotui.session.Session.recommend` resolves it. Both faces
then title and export the answer the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spotui.analysis.recommend import RecommendationResult
    from spotui.model import Cluster, Features, RecommendationDetail, Track

TRACK, CLUSTER, SELECTION = "track", "cluster", "selection"


@dataclass(frozen=True)
class Seeds:
    """One track or several (their average sound), a mood cluster, or a map selection."""

    kind: str
    ids: tuple[str, ...] = ()
    cluster_id: int | None = None

    @classmethod
    def track(cls, ids: str | Sequence[str]) -> Seeds:
        return cls(TRACK, (ids,) if isinstance(ids, str) else tuple(ids))

    @classmethod
    def cluster(cls, cluster_id: int) -> Seeds:
        return cls(CLUSTER, cluster_id=cluster_id)

    @classmethod
    def selection(cls, ids: Sequence[str]) -> Seeds:
        return cls(SELECTION, tuple(ids))


@dataclass
class Recommendations:
    """The answer for some seeds: the results and what they were for."""

    seeds: Seeds
    seed_ids: list[str]
    results: list[RecommendationResult]
    #: the first seed that has audio features (track and selection seeds)
    first: Track | None = None
    #: the seed cluster (cluster seeds)
    cluster: Cluster | None = None

    @property
    def title(self) -> str:
        """For people: "Like “Song” by Artist and 2 more", "Like cluster 3 “Calm” (120 tracks)"."""
        n = len(self.seed_ids)
        if self.cluster is not None:
            return f"Like cluster {self.cluster.id} “{self.cluster.label}” ({n} tracks)"
        if self.seeds.kind == SELECTION:
            return f"Like the map selection ({n} tracks)"
        first = self.first
        title = f"Like “{first.name}” by {first.artist_line or 'unknown artist'}"
        return title + (f" and {n - 1} more" if n > 1 else "")

    @property
    def key(self) -> str:
        """The export mapping key: the same seeds export to the same playlist."""
        from spotui.export.targets import recommendation_target

        cid = self.cluster.id if self.cluster is not None else None
        return recommendation_target(self.seed_ids, cid)


def recommendation_detail(
    recs: Recommendations, index: int, features: Features | None, seed_features: list[dict]
) -> RecommendationDetail:
    """Result ``index`` of ``recs`` in full, with what to compare it with: the seed track's
    own features, the seeds' average (several tracks, a map selection) or, for a cluster,
    its centre. ``seed_features`` are the seeds' stored features (unused for a cluster)."""
    from spotui.model import RecommendationDetail

    rec = recs.results[index]
    if recs.cluster is not None:
        reference = dict(recs.cluster.centroid)
        label = f"the centre of {recs.cluster.label}"
    else:
        reference = _average(seed_features)
        label = (
            f"“{recs.first.name}”"
            if len(recs.seed_ids) == 1 and recs.first is not None
            else f"the average of the {len(recs.seed_ids)} seed tracks"
        )
    return RecommendationDetail(
        rec.track, features, rec.reason, rec.score, rec.in_library, reference, label
    )


def _average(rows: list[dict]) -> dict[str, float]:
    """Per feature, the mean of the values present (a feature nobody has is left out)."""
    out: dict[str, float] = {}
    for name in rows[0] if rows else ():
        values = [r[name] for r in rows if r.get(name) is not None]
        if values:
            out[name] = sum(values) / len(values)
    return out

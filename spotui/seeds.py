"""What to recommend for (:class:`Seeds`) and what came back (:class:`Recommendations`).

Why seeds are a value and not a list of ids: "this cluster" means the cluster's tracks in
the segmentation the user sees, which only the core knows; the faces say *which* cluster,
track or selection, and :meth:`spotui.session.Session.recommend` resolves it. Both faces
then title and export the answer the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spotui.analysis.recommend import RecommendationResult
    from spotui.model import Cluster, Track
    from spotui.sources.reccobeats import Discovery

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

    def short_title(self, result, tracks: Callable[[Sequence[str]], list[Track]]) -> str:
        """A pane title known before the answer: "Like cluster Calm", "Like “Song”".
        ``result``: the segmentation shown (or None); ``tracks``: ids -> stored tracks."""
        if self.kind == SELECTION:
            return "Like the map selection"
        if self.kind == CLUSTER:
            label = next(
                (c.label for c in (result.clusters if result else []) if c.id == self.cluster_id),
                f"c{self.cluster_id}",
            )
            return f"Like cluster {label}"
        track = tracks(self.ids[:1])
        return f"Like “{track[0].name}”" if track else "Recommendations"


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
    #: where discovered candidates came from, or why there are none (``discover=True``)
    discovery: Discovery | None = None

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

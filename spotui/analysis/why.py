""" "Why is this track here": the track's own case, not its cluster's description.

A cluster's reasons describe most of its members; a given track may be a borderline case.
So the detail pane explains the *track*: how far it sits from its own cluster's centre and
from the next nearest cluster's, in the analysis space the clusters were made in, and which
features decide between the two (those whose squared distance to the rival centre exceeds
the one to its own centre the most).

Pure Python on purpose: the detail pane paints before numpy is imported. Everything it needs
(the scaling and the centres) is stored with the segmentation result's ``params``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from spotui.feature_spec import (
    LOUDNESS_RANGE,
    SQRT_FEATURES,
    TEMPO_RANGE,
    format_value,
    unit_value,
)

#: Fixed ranges and square-rooted columns of ``spotui.analysis.matrix.to_unit``; the one
#: numpy-free copy, with ``unit_value``, is in feature_spec.
RANGES: dict[str, tuple[float, float]] = {"tempo": TEMPO_RANGE, "loudness": LOUDNESS_RANGE}
SQRT_COLUMNS: tuple[str, ...] = SQRT_FEATURES
#: Within this share of its own distance, the next cluster is "almost as close".
BORDERLINE = 0.15


def explain_membership(features: Mapping[str, float | None], result) -> list[str]:
    """Plain sentences on why the track with ``features`` sits in its cluster.

    ``result`` is a :class:`~spotui.analysis.result.SegmentResult` whose params carry the
    scaling and centres (results stored before they did give no lines).
    """
    scaling = result.params.get("scaling") or {}
    centers = {int(k): v for k, v in (result.params.get("centers") or {}).items()}
    columns = scaling.get("columns") or []
    if not columns or len(centers) < 2:
        return []
    x = []
    for j, c in enumerate(columns):
        u = unit_value(c, features.get(c))
        center, spread, w = scaling["center"][j], scaling["spread"][j], scaling["weights"][j]
        x.append(0.0 if u is None or u != u else (u - center) / spread * w)
    dist = {cid: math.dist(x, v) for cid, v in centers.items()}
    labels = {c.id: c.label for c in result.clusters}
    own = result.assignments.get(features.get("track_id", ""), None)
    own = own if own in dist else min(dist, key=dist.get)
    rival = min((c for c in dist if c != own), key=dist.get)
    lines = [
        f"{dist[own]:.1f} from the centre of {labels.get(own, own)}; the next nearest, "
        f"{labels.get(rival, rival)}, is {dist[rival]:.1f} away"
        + (" (a borderline track)" if dist[rival] - dist[own] <= BORDERLINE * dist[own] else "")
    ]
    gain = [
        ((x[j] - centers[rival][j]) ** 2 - (x[j] - centers[own][j]) ** 2, j)
        for j in range(len(columns))
    ]
    deciding = [j for g, j in sorted(gain, reverse=True)[:2] if g > 0]
    if deciding:
        own_c = _centroid(result, own)
        rival_c = _centroid(result, rival)
        parts = []
        for j in deciding:
            c = columns[j]
            v = features.get(c)
            if v is None or own_c.get(c) is None or rival_c.get(c) is None:
                continue
            parts.append(
                f"{c} {format_value(c, v)} (centre {format_value(c, own_c[c])} vs {format_value(c, rival_c[c])})"
            )
        if parts:
            lines.append("decided by " + "; ".join(parts))
    return lines


def _centroid(result, cluster_id: int) -> dict[str, float]:
    for c in result.clusters:
        if c.id == cluster_id:
            return c.centroid
    return {}

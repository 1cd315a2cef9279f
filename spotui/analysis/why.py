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
    x: list[float | None] = []
    for j, c in enumerate(columns):
        u = unit_value(c, features.get(c))
        center, spread, w = scaling["center"][j], scaling["spread"][j], scaling["weights"][j]
        x.append(None if u is None or u != u else (u - center) / spread * w)
    present = [j for j, v in enumerate(x) if v is not None]
    # over the features the track has, rescaled to the whole weight (as the model places it)
    weights = scaling["weights"]
    full = sum(w * w for w in weights)
    rescale = full / max(sum(weights[j] ** 2 for j in present), 1e-12)
    dist = {
        cid: math.sqrt(sum((x[j] - v[j]) ** 2 for j in present) * rescale)
        for cid, v in centers.items()
    }
    labels = {c.id: c.label for c in result.clusters}
    own = result.assignments.get(features.get("track_id", ""), None)
    own = own if own in dist else min(dist, key=dist.get)
    rival = min((c for c in dist if c != own), key=dist.get)
    lines = [
        f"{dist[own]:.1f} from the centre of {labels.get(own, own)}; the next nearest, "
        f"{labels.get(rival, rival)}, is {dist[rival]:.1f} away"
        + (" (a borderline track)" if dist[rival] - dist[own] <= BORDERLINE * dist[own] else "")
    ]
    gain = [((x[j] - centers[rival][j]) ** 2 - (x[j] - centers[own][j]) ** 2, j) for j in present]
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


#: Who gave a track's features, as the detail pane names them.
PROVIDER_NAMES = {"spotify": "Spotify", "reccobeats": "ReccoBeats", "demo": "the demo library"}


def provider_name(provider: str) -> str:
    """ "csv:<file>" -> "the CSV import <file>"; known providers by name."""
    if provider.startswith("csv"):
        name = provider.partition(":")[2]
        return f"the CSV import {name}" if name else "a CSV import"
    return PROVIDER_NAMES.get(provider, provider)


def feature_coverage(features: Mapping[str, float | None], provider: str) -> str:
    """Where the track's features came from and which of the nine mood features it lacks
    (a track is placed on the features it has; see spotui.analysis.mood_model)."""
    from spotui.feature_spec import MOOD_FEATURES

    missing = [c for c in MOOD_FEATURES if features.get(c) is None]
    source = f"Features from {provider_name(provider)}"
    if not missing:
        return source + "."
    if "energy" in missing or "valence" in missing:
        return (
            f"{source}; no {' or '.join(c for c in ('energy', 'valence') if c in missing)}, "
            "which every mood is made of, so it is not in a mood."
        )
    have = len(MOOD_FEATURES) - len(missing)
    return f"{source}; missing {', '.join(missing)}: placed on the {have} it has."


def _centroid(result, cluster_id: int) -> dict[str, float]:
    for c in result.clusters:
        if c.id == cluster_id:
            return c.centroid
    return {}

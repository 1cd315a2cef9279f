"""The mood model: what a fit produced, kept so the moods stay put as the library grows.

Why a model at all: re-clustering after every sync re-chose k and refitted every track, so a
sync of 60 songs relabelled a third of a real listener's library (measured: 37% per sync on
1,673 tracks, k going 6, 8, 8, 7, 4, 7). A listener learns their moods ("Calm Acoustic is
my evening"); that only holds if a mood is a fixed thing the library is sorted *into*.

So a fit (:func:`spotui.analysis.moods.segment.compute`) is stored with everything needed to place
more tracks the same way: the scaling that made the analysis space (per-column centre,
spread and weight), the centre of every mood in that space, k, the method, whether the user
chose k, when and on how many tracks it was fitted, and how far the fit's own tracks sit
from their centres (the :attr:`MoodModel.far_distance` quantile). After a sync or an import:

* a track already in a mood **keeps it** unless its own features changed (each assignment
  stores a signature of the features it was made from);
* a new track (or one whose features changed) **joins the nearest mood**, measured over the
  features it has: distance on the present dimensions, rescaled by the share of the weight
  they carry, so a track with 5 of the 9 features is placed, not left out. The minimum is
  :data:`PLACE_MINIMUM` (energy and valence: the two axes every mood word is made of);
* :func:`spotui.analysis.moods.refit_rule.refit_reason` decides whether the moods still describe
  the library; only then (or when the user asks) are they made again. The rule and its
  defaults are :class:`~spotui.analysis.moods.refit_rule.RefitRules`, overridable in
  ``config.toml`` under ``[moods]``.

Numpy only, no scikit-learn: placing 60 tracks into a 20,000-track library is a few matrix
products (see benchmarks/mood_stability.py for the measured time against a full refit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from spotui.analysis.matrix import MOOD_FEATURES, to_unit

#: Features a track must have to be placed in a mood: every mood word is a claim about
#: energy and valence, so a track without them cannot be said to have a mood.
PLACE_MINIMUM: tuple[str, ...] = ("energy", "valence")
_MASK64 = (1 << 64) - 1


@dataclass
class MoodModel:
    """A stored fit: the analysis space and the mood centres in it."""

    method: str
    requested_k: int | None
    columns: tuple[str, ...]
    center: np.ndarray
    spread: np.ndarray
    weights: np.ndarray
    centers: dict[int, np.ndarray]
    n_fit: int
    fitted_at: str = ""
    far_distance: float | None = None
    placed_since_fit: int = 0
    far_since_fit: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def k(self) -> int:
        return len(self.centers)

    @classmethod
    def from_params(cls, params: Mapping, method: str, requested_k: int | None) -> MoodModel | None:
        """The model stored in a result's params (None when they hold no centres: a result
        made before models were stored, or one that was not split)."""
        scaling = params.get("scaling") or {}
        centers = params.get("centers") or {}
        columns = tuple(scaling.get("columns") or ())
        if not centers or columns != MOOD_FEATURES:
            return None
        info = params.get("model") or {}
        return cls(
            method=method,
            requested_k=requested_k,
            columns=columns,
            center=np.asarray(scaling["center"], dtype=np.float64),
            spread=np.asarray(scaling["spread"], dtype=np.float64),
            weights=np.asarray(scaling["weights"], dtype=np.float64),
            centers={int(c): np.asarray(v, dtype=np.float64) for c, v in centers.items()},
            n_fit=int(info.get("n_fit") or params.get("n_analysed") or 0),
            fitted_at=str(info.get("fitted_at", "")),
            far_distance=info.get("far_distance"),
            placed_since_fit=int(info.get("placed_since_fit", 0)),
            far_since_fit=int(info.get("far_since_fit", 0)),
        )

    def info(self) -> dict:
        """What :meth:`from_params` reads back from ``params["model"]``."""
        return {
            "n_fit": self.n_fit,
            "fitted_at": self.fitted_at,
            "far_distance": self.far_distance,
            "placed_since_fit": self.placed_since_fit,
            "far_since_fit": self.far_since_fit,
        }

    # ------------------------------------------------------------------ placing
    def scale(self, raw: np.ndarray) -> np.ndarray:
        """Raw rows (original units, NaN = missing) in this model's analysis space (NaN kept)."""
        raw = np.atleast_2d(np.asarray(raw, dtype=np.float64))
        unit = np.column_stack([to_unit(c, raw[:, j]) for j, c in enumerate(self.columns)])
        return (unit - self.center) / self.spread * self.weights

    def distances(self, raw: np.ndarray) -> tuple[list[int], np.ndarray]:
        """Cluster ids and the ``(n, k)`` distances of raw rows to every centre, over each
        row's present features, rescaled to the whole weight (see the module docstring)."""
        x = self.scale(raw)
        present = ~np.isnan(x)
        x0 = np.where(present, x, 0.0)
        ids = sorted(self.centers)
        c = np.stack([self.centers[i] for i in ids]) if ids else np.zeros((0, x.shape[1]))
        m = present.astype(np.float64)
        d2 = (x0**2).sum(axis=1)[:, None] - 2.0 * x0 @ c.T + m @ (c**2).T
        w2 = self.weights**2
        rescale = w2.sum() / np.maximum(m @ w2, 1e-12)
        return ids, np.sqrt(np.maximum(d2, 0.0) * rescale[:, None])

    def place(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The nearest mood of each raw row and its distance (ties: the lowest id)."""
        ids, d = self.distances(raw)
        if len(raw) == 0 or not ids:
            return np.zeros(0, dtype=int), np.zeros(0)
        j = np.argmin(d, axis=1)
        return np.asarray(ids)[j], d[np.arange(len(d)), j]

    def measure_fit(self, raw: np.ndarray, cluster_of: np.ndarray, quantile: float) -> None:
        """Record how far the fitted tracks sit from their own centres (the yardstick of the
        "far from every mood" rule)."""
        ids, d = self.distances(raw)
        if not len(raw):
            return
        col = {cid: j for j, cid in enumerate(ids)}
        own = d[np.arange(len(d)), [col[int(c)] for c in cluster_of]]
        self.far_distance = round(float(np.quantile(own, quantile)), 5)


def placeable(full: np.ndarray) -> np.ndarray:
    """Rows of an ``(n, 9)`` raw array (MOOD_FEATURES order, NaN = missing) that have
    :data:`PLACE_MINIMUM`."""
    cols = [MOOD_FEATURES.index(c) for c in PLACE_MINIMUM]
    return ~np.isnan(np.asarray(full)[:, cols]).any(axis=1)


def signatures(full: np.ndarray) -> np.ndarray:
    """A 63-bit signature of each raw row: an assignment is kept while its track's features
    still have the signature it was made from (values rounded to 6 places; NaN counts)."""
    full = np.asarray(full, dtype=np.float64)
    if not len(full):
        return np.zeros(0, dtype=np.int64)
    r = np.round(full, 6)
    r = np.where(np.isnan(r), -7777.0, r) + 0.0  # + 0.0: -0.0 and 0.0 sign the same
    bits = np.ascontiguousarray(r).view(np.uint64).reshape(len(r), -1)
    mult = np.array(
        [(0x9E3779B97F4A7C15 ^ (j * 0xBF58476D1CE4E5B9)) & _MASK64 for j in range(bits.shape[1])],
        dtype=np.uint64,
    )
    with np.errstate(over="ignore"):
        h = (bits * mult).sum(axis=1, dtype=np.uint64)
        h ^= h >> np.uint64(29)
    return (h >> np.uint64(1)).astype(np.int64)

"""The feature matrix shared by segmentation and recommendations.

Why these transforms: the raw audio features mix scales (0..1 ratios, BPM, dB) and
shapes (speechiness and liveness are heavily right-skewed, most tracks near 0; instrumentalness
is bimodal with most tracks at ~0). Each column is first mapped to a comparable 0..1 range
(tempo and loudness by a fixed musical range, skewed ones by a square root; fixed ranges mean
one odd track cannot rescale the others), then centred on the library median and divided by a
spread that **no column can shrink**: the larger of the robust spread (IQR / 1.349), the
standard deviation and a small absolute floor. The robust spread alone is ~0.005 for
instrumentalness on a real library (most tracks are exactly 0), which made that one column's
scaled SD ~39 and let it decide every cluster; with the floor no scaled column's SD exceeds 1
before weighting. Finally each column is weighted by how much it says about *mood*: energy and
valence lead, texture (acoustic, instrumental, spoken, live) refines. The weights were chosen
on a real 17,949-track Kaggle sample (see benchmarks/segment.py): they trade silhouette on
the plain standardised features against mood purity (energy/valence spread inside clusters).

Numpy only: this module is imported on the TUI's path and must not pull in scikit-learn.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, islice

import numpy as np

# The mood columns (in matrix order) and the fixed ranges of ``to_unit`` are numpy-free
# facts the TUI's detail pane shares; they live in feature_spec.
from spotui.core.feature_spec import LOUDNESS_RANGE, MOOD_FEATURES, SQRT_FEATURES, TEMPO_RANGE

#: Bumped whenever columns, transforms or weights change, so stored results are redone.
FEATURE_VERSION = "mood-v2"

#: How much each column counts in distances. Energy and valence are the mood axes;
#: acousticness and loudness separate calm from loud textures; danceability, instrumentalness
#: and speechiness refine; tempo and liveness are weak (tempo repeats energy, liveness is
#: mostly audience noise). Measured on the real sample (benchmarks/segment.py, k=4..8):
#: equal weights give silhouette 0.16-0.20 but energy/valence spread inside clusters of
#: 0.62-0.70 / 0.78-0.89 of the library's; these give 0.13-0.16 with 0.48-0.58 / 0.55-0.59.
DEFAULT_WEIGHTS: dict[str, float] = {
    "danceability": 0.8,
    "energy": 1.2,
    "valence": 1.4,
    "acousticness": 1.0,
    "instrumentalness": 0.8,
    "speechiness": 0.6,
    "liveness": 0.3,
    "tempo": 0.3,
    "loudness": 0.8,
}

#: A track needs at least these to be analysed; other gaps are filled with the median.
REQUIRED_FEATURES: tuple[str, ...] = ("danceability", "energy", "valence")
MAX_MISSING = 2

_SQRT_COLUMNS = SQRT_FEATURES
#: Smallest spread a column is divided by, in 0..1 unit space: a column that barely varies in
#: this library (one genre, identical tracks) stays near 0 instead of having its noise blown
#: up to unit variance.
MIN_SPREAD = 0.04


def to_unit(column: str, values: np.ndarray) -> np.ndarray:
    """Map raw values of one feature to a comparable 0..1 range (NaN stays NaN)."""
    if column == "tempo":
        lo, hi = TEMPO_RANGE
        return np.clip((values - lo) / (hi - lo), 0.0, 1.0)
    if column == "loudness":
        lo, hi = LOUDNESS_RANGE
        return np.clip((values - lo) / (hi - lo), 0.0, 1.0)
    out = np.clip(values, 0.0, 1.0)
    if column in _SQRT_COLUMNS:
        out = np.sqrt(out)
    return out


@dataclass
class FeatureMatrix:
    """Analysed tracks as rows; ``raw`` keeps original units for labels and explanations."""

    track_ids: list[str]
    raw: np.ndarray  # (n, len(columns)) float64, original units, gaps filled with the median
    scaled: np.ndarray  # (n, len(columns)) float32, standardised and weighted
    columns: tuple[str, ...] = MOOD_FEATURES
    unanalysed: list[str] = field(default_factory=list)
    center: np.ndarray | None = None  # per column, in unit space
    spread: np.ndarray | None = None  # per column, in unit space
    weights: np.ndarray | None = None
    imputed: np.ndarray | None = None  # (n, len(columns)) bool: value was filled in

    def __len__(self) -> int:
        return len(self.track_ids)

    @property
    def index(self) -> dict[str, int]:
        if not hasattr(self, "_index"):
            self._index = {tid: i for i, tid in enumerate(self.track_ids)}
        return self._index

    def transform(self, raw: np.ndarray) -> np.ndarray:
        """Scale new raw rows (original units) exactly as this matrix's rows were scaled."""
        raw = np.atleast_2d(np.asarray(raw, dtype=np.float64))
        unit = np.column_stack([to_unit(c, raw[:, j]) for j, c in enumerate(self.columns)])
        return ((unit - self.center) / self.spread * self.weights).astype(np.float32)


def build_matrix(
    rows: Sequence[Sequence],
    all_track_ids: Sequence[str] | None = None,
    source_columns: Sequence[str] | None = None,
    weights: dict[str, float] | None = None,
    reference: FeatureMatrix | None = None,
) -> FeatureMatrix:
    """Build the matrix from store rows ``(track_id, *source_columns)`` (None = missing).

    ``all_track_ids`` lists every track that should be accounted for; those without
    (enough) features end up in ``unanalysed`` instead of being dropped. With
    ``reference`` the scaling statistics are taken from another matrix (e.g. scale a
    catalog exactly like the library it is compared with).
    """
    from spotui.core.records import FEATURE_NAMES

    source_columns = tuple(source_columns or FEATURE_NAMES)
    col_idx = [1 + source_columns.index(c) for c in MOOD_FEATURES]
    ids = [r[0] for r in rows]
    if rows:
        # dtype=float turns None into NaN in one C-level pass
        full = np.array([[r[j] for j in col_idx] for r in rows], dtype=np.float64)
    else:
        full = np.empty((0, len(MOOD_FEATURES)))
    return matrix_from_array(ids, full, all_track_ids, weights=weights, reference=reference)


def matrix_from_array(
    ids: Sequence[str],
    full: np.ndarray,
    all_track_ids: Sequence[str] | None = None,
    weights: dict[str, float] | None = None,
    reference: FeatureMatrix | None = None,
) -> FeatureMatrix:
    """The matrix from an ``(n, 9)`` array in :data:`MOOD_FEATURES` order, NaN = missing.

    Vectorised throughout: building a 100k-track recommendation pool must stay well under
    a second, and a Python loop over rows alone would eat a quarter of that.
    """
    full = np.asarray(full, dtype=np.float64).reshape(-1, len(MOOD_FEATURES))
    weights = weights or DEFAULT_WEIGHTS
    ids = list(ids)
    missing = np.isnan(full)
    required = [MOOD_FEATURES.index(c) for c in REQUIRED_FEATURES]
    ok = ~missing[:, required].any(axis=1) & (missing.sum(axis=1) <= MAX_MISSING)
    analysed_ids = list(compress(ids, ok.tolist()))
    imputed = missing[ok]
    raw = _filled(full[ok], imputed, reference)
    unit = (
        np.column_stack([to_unit(c, raw[:, j]) for j, c in enumerate(MOOD_FEATURES)])
        if len(raw)
        else np.empty((0, len(MOOD_FEATURES)))
    )
    center, spread = _scale_of(unit, reference)
    w = np.array([weights.get(c, 1.0) for c in MOOD_FEATURES])
    scaled = ((unit - center) / spread * w).astype(np.float32)
    unanalysed = _unanalysed(ids, ok, analysed_ids, all_track_ids)
    return FeatureMatrix(
        track_ids=analysed_ids,
        raw=raw,
        scaled=scaled,
        unanalysed=unanalysed,
        center=center,
        spread=spread,
        weights=w,
        imputed=imputed,
    )


def _filled(raw: np.ndarray, imputed: np.ndarray, reference: FeatureMatrix | None) -> np.ndarray:
    """Missing values filled with the column's median (the reference's when scaling a
    catalog against the library; 0.5 when there is none)."""
    if not raw.size:
        return raw
    if reference is None:
        medians = np.nanmedian(raw, axis=0) if imputed.any() else np.median(raw, axis=0)
    else:
        medians = _ref_raw_median(reference)
    medians = np.where(np.isnan(medians), 0.5, medians)
    return np.where(imputed, medians, raw)


def _scale_of(unit: np.ndarray, reference: FeatureMatrix | None) -> tuple[np.ndarray, np.ndarray]:
    """Centre and spread: the reference's, else this matrix's own (identity when empty)."""
    if reference is not None:
        return reference.center, reference.spread
    if len(unit):
        return column_scale(unit)
    return np.zeros(len(MOOD_FEATURES)), np.ones(len(MOOD_FEATURES))


def _unanalysed(
    ids: list[str],
    ok: np.ndarray,
    analysed_ids: list[str],
    all_track_ids: Sequence[str] | None,
) -> list[str]:
    """Tracks left out: of ``ids`` when no wider list is given, else of ``all_track_ids``."""
    if all_track_ids is None:
        return list(compress(ids, (~ok).tolist()))
    analysed = set(analysed_ids)
    return [tid for tid in all_track_ids if tid not in analysed]


def read_feature_rows(rows: Iterable[tuple]) -> tuple[list[str], np.ndarray]:
    """Track ids and an ``(n, len(MOOD_FEATURES))`` float64 array from ``(id, *values)`` rows,
    a few thousand at a time (a store cursor streams them): the recommendation pool's peak
    memory at 100k tracks was set by holding every row tuple, and a sliced copy of each, at
    once."""
    ids: list[str] = []
    blocks = []
    rows = iter(rows)
    while chunk := list(islice(rows, 8192)):
        ids.extend(r[0] for r in chunk)
        blocks.append(np.array([r[1:] for r in chunk], dtype=np.float64))
    if not blocks:
        return ids, np.empty((0, len(MOOD_FEATURES)))
    return ids, np.concatenate(blocks)


def column_scale(unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median and floored spread of each column (see the module docstring for why)."""
    center = np.median(unit, axis=0)
    q75, q25 = np.percentile(unit, [75, 25], axis=0)
    spread = np.maximum.reduce(
        [(q75 - q25) / 1.349, unit.std(axis=0), np.full(len(center), MIN_SPREAD)]
    )
    return center, spread


def _ref_raw_median(reference: FeatureMatrix) -> np.ndarray:
    return (
        np.median(reference.raw, axis=0)
        if len(reference.raw)
        else np.full(len(MOOD_FEATURES), np.nan)
    )

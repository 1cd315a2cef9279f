"""Offline evaluation of the recommender: metrics, labelled data, the notebook baseline.

Why beside the benchmarks and not in ``spotui.analysis``: the app never computes these; they
say how good its choices are on labelled data (benchmarks/rec_quality.py, benchmarks/hybrid.py
and the real-data tests), and keeping them out of the package keeps what ships to what runs.
The segmentation's own measures (silhouette, purity, ...) stay in
:mod:`spotui.analysis.evaluate`, since choosing k uses them at runtime.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


# ------------------------------------------------------------------ recommendation quality
def precision_at_k(relevant: Sequence[bool], k: int = 10) -> float:
    """Share of the first ``k`` recommendations that are relevant.

    Fewer than ``k`` results count the missing slots as misses, so a recommender cannot
    look better by returning less.
    """
    if k <= 0:
        raise ValueError("k must be positive")
    return sum(bool(r) for r in list(relevant)[:k]) / k


def reciprocal_rank(relevant: Sequence[bool]) -> float:
    """1 / rank of the first relevant recommendation (0 when none is); averaged, this is MRR."""
    for i, r in enumerate(relevant, 1):
        if r:
            return 1.0 / i
    return 0.0


def shares_genre(seed_genres: Sequence[str], genres: Sequence[str]) -> bool:
    """The relevance rule of the genre benchmark: at least one genre in common (any case)."""
    return bool({g.casefold() for g in seed_genres} & {g.casefold() for g in genres})


# ------------------------------------------------------------------ labelled recommendation data
def load_labelled_csv(path) -> tuple[list, list, dict[str, str]]:
    """Tracks, features and genre labels of a Kaggle-layout CSV (``.gz`` read directly).

    The tracks come back **without genres**: the label is returned separately, so a pool
    built from these tracks cannot see what it will be scored against. One track per row,
    file order (the first line wins if an id repeats).
    """
    import csv
    import gzip

    from spotui.analysis.matrix import MOOD_FEATURES
    from spotui.core.records import Features, Track

    opener = gzip.open if str(path).endswith(".gz") else open
    tracks, features, labels = [], [], {}
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            tid = row["track_id"]
            if tid in labels:
                continue
            labels[tid] = row["track_genre"]
            artists = tuple(a.strip() for a in row["artists"].split(";") if a.strip())
            tracks.append(Track(tid, row["track_name"], artists, album=row["album_name"]))
            values = {c: float(row[c]) for c in MOOD_FEATURES}
            features.append(Features(tid, "csv", **values))
    return tracks, features, labels


def split_seeds(ids: Sequence[str], seed: int = 0) -> tuple[list[str], list[str]]:
    """A fixed random half of ``ids`` to tune on and the other half to report on."""
    perm = np.random.default_rng(seed).permutation(len(ids))
    half = len(ids) // 2
    return [ids[i] for i in np.sort(perm[:half])], [ids[i] for i in np.sort(perm[half:])]


def zscore_cosine_topk(x: np.ndarray, rows: Sequence[int], k: int = 10) -> np.ndarray:
    """The notebook baseline: StandardScaler on the raw features, cosine, top-``k`` per row.

    ``x`` is ``(n, d)`` raw features; returns ``(len(rows), k)`` indices, the row itself
    excluded, best first.
    """
    x = np.asarray(x, dtype=np.float64)
    sd = x.std(axis=0)
    z = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    return cosine_topk(z, rows, k)


def cosine_topk(z: np.ndarray, rows: Sequence[int], k: int = 10, chunk: int = 1024) -> np.ndarray:
    """Top-``k`` rows by cosine to each of ``rows`` (itself excluded), best first."""
    u = z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)
    rows = np.asarray(rows)
    out = []
    for a in range(0, len(rows), chunk):
        r = rows[a : a + chunk]
        s = u[r] @ u.T
        s[np.arange(len(r)), r] = -np.inf
        idx = np.argpartition(-s, k, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(s, idx, axis=1), axis=1, kind="stable")
        out.append(np.take_along_axis(idx, order, axis=1))
    return np.vstack(out) if out else np.empty((0, k), dtype=int)

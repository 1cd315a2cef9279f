"""Quality measures for segmentation (and, later, recommendations): small pure functions.

Why our own silhouette: choosing k means scoring up to nine labelings of the same points.
scikit-learn's ``silhouette_score`` recomputes all pairwise distances every time; here the
distance matrix of a fixed-seed sample is computed once and each labeling costs one
matrix product. On the full data it equals scikit-learn's definition (singletons score 0).

numpy at module level only; scikit-learn is imported inside the functions that need it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

#: Seed for every sample drawn here, so the same input always gives the same score.
SAMPLE_SEED = 0


def sample_indices(n: int, size: int | None, seed: int = SAMPLE_SEED) -> np.ndarray:
    """Sorted indices of a fixed-seed sample of ``size`` rows out of ``n`` (all if smaller)."""
    if size is None or n <= size:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=size, replace=False))


def pairwise_distances(x: np.ndarray) -> np.ndarray:
    """Euclidean distances between all rows, float32.

    Rows are centred first so the ``|a|^2 + |b|^2 - 2ab`` expansion loses little precision
    in float32; everything is done in place because at a few thousand rows this matrix
    is the biggest allocation of a segmentation.
    """
    x = np.asarray(x, dtype=np.float32)
    x = x - x.mean(axis=0, dtype=np.float64).astype(np.float32)
    sq = np.einsum("ij,ij->i", x, x)
    d2 = x @ x.T
    d2 *= -2.0
    d2 += sq[:, None]
    d2 += sq[None, :]
    np.maximum(d2, 0.0, out=d2)
    np.fill_diagonal(d2, 0.0)
    return np.sqrt(d2, out=d2)


def silhouette_from_distances(dist: np.ndarray, labels: np.ndarray) -> float | None:
    """Mean silhouette of ``labels`` given the full distance matrix ``dist``.

    None when it is undefined (fewer than 2 or more than n - 1 clusters).
    """
    labels = np.asarray(labels)
    n = len(labels)
    _, inv = np.unique(labels, return_inverse=True)
    k = int(inv.max()) + 1 if n else 0
    if k < 2 or k > n - 1:
        return None
    onehot = np.zeros((n, k), dtype=np.float32)
    onehot[np.arange(n), inv] = 1.0
    sums = (dist @ onehot).astype(np.float64)  # (n, k): summed distance to each cluster
    counts = onehot.sum(axis=0).astype(np.float64)
    own = counts[inv]
    a = sums[np.arange(n), inv] / np.maximum(own - 1.0, 1.0)
    mean_other = sums / counts
    mean_other[np.arange(n), inv] = np.inf
    b = mean_other.min(axis=1)
    denom = np.maximum(a, b)
    s = np.where(denom > 0, (b - a) / np.where(denom > 0, denom, 1.0), 0.0)
    s[own <= 1] = 0.0
    return float(s.mean())


def silhouette(
    x: np.ndarray, labels: np.ndarray, sample_size: int | None = 4000, seed: int = SAMPLE_SEED
) -> float | None:
    """Silhouette on a fixed-seed sample of at most ``sample_size`` rows (all if None)."""
    idx = sample_indices(len(labels), sample_size, seed)
    return silhouette_from_distances(
        pairwise_distances(np.asarray(x)[idx]), np.asarray(labels)[idx]
    )


def davies_bouldin(x: np.ndarray, labels: np.ndarray) -> float | None:
    """Davies-Bouldin index (lower is better); None with fewer than 2 clusters."""
    labels = np.asarray(labels)
    if len(np.unique(labels)) < 2:
        return None
    from sklearn.metrics import davies_bouldin_score

    return float(davies_bouldin_score(x, labels))


def genre_nmi(
    assignments: Mapping[str, int], genres: Mapping[str, str | Sequence[str] | None]
) -> float | None:
    """NMI between clusters and each track's first genre, over tracks that have a genre.

    None when fewer than two genres or two clusters occur among those tracks, since NMI
    says nothing then.
    """
    clusters: list[int] = []
    labels: list[str] = []
    get = genres.get
    for tid, cid in assignments.items():
        g = get(tid)
        if g is None or g == "":
            continue
        if not isinstance(g, str):
            if not len(g):
                continue
            g = g[0]
        clusters.append(cid)
        labels.append(g)
    if len(set(clusters)) < 2 or len(set(labels)) < 2:
        return None
    from sklearn.metrics import normalized_mutual_info_score

    return float(normalized_mutual_info_score(labels, clusters))


# ------------------------------------------------------------------ recommendation quality
# (owned by the recommender; used by benchmarks/rec_quality.py)
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


# ------------------------------------------------------------------ segmentation criteria
def cluster_shares(labels: np.ndarray) -> np.ndarray:
    """Share of the rows in each cluster (order of ``np.unique``)."""
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return counts / max(len(labels), 1)


def mood_purity(raw: np.ndarray, labels: np.ndarray, columns: Sequence[int]) -> float:
    """Mean over ``columns`` of the pooled within-cluster SD divided by the library's SD.

    1.0 means the clusters say nothing about that feature; 0.5 means a track's energy (say)
    is known twice as precisely once its cluster is known. Columns that do not vary count 0.
    """
    raw = np.asarray(raw, dtype=np.float64)
    labels = np.asarray(labels)
    _, inv, counts = np.unique(labels, return_inverse=True, return_counts=True)
    out = []
    for j in columns:
        col = raw[:, j]
        total = col.var()
        if total <= 1e-12:
            out.append(0.0)
            continue
        sums = np.bincount(inv, weights=col)
        sq = np.bincount(inv, weights=col * col)
        within = (sq - sums * sums / counts).sum() / len(col)
        out.append(float(np.sqrt(max(within, 0.0) / total)))
    return float(np.mean(out)) if out else 0.0


def adjusted_rand(a: np.ndarray, b: np.ndarray) -> float:
    """Agreement of two labelings of the same rows, 1 = identical up to renaming, ~0 = chance."""
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(np.asarray(a), np.asarray(b)))


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

"""Quality measures the segmentation runs on: choosing k, and the scores stored with a result.

Only what the app computes at runtime lives here; the offline evaluation (precision, labelled
data sets, baselines) is beside the benchmarks that use it, in ``benchmarks/evaluation.py``.

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

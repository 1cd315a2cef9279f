"""Fitting one clustering: on the sample, then on every track; numpy in, labels out.

Why separate from :mod:`spotui.analysis.moods.segment`: choosing k fits many candidates on a
sample (:mod:`spotui.analysis.moods.choose_k`) and the final fit refines one on all tracks; both
use these functions, and neither needs the store, labels or the map. scikit-learn and scipy
are imported inside the functions, never at module import.
"""

from __future__ import annotations

import numpy as np

from spotui.analysis import evaluate

SEED = 0
#: KMeans restarts per k on the sample (the sample is small, restarts are cheap).
KMEANS_INIT = 3
#: Rows the GMM is fitted on (then every track is assigned by ``predict``).
GMM_FIT_SIZE = 20_000
#: Above this many tracks the final KMeans refinement is MiniBatch.
MINIBATCH_ABOVE = 250_000


def fit_sample(
    xs: np.ndarray, k: int, method: str, tree: np.ndarray | None = None, seed: int = SEED
) -> tuple[np.ndarray, object]:
    """Cluster the sample; returns its labels and what the full fit starts from."""
    if k <= 1:
        return np.zeros(len(xs), dtype=int), None
    if method == "kmeans":
        from sklearn.cluster import KMeans

        km = KMeans(n_clusters=k, n_init=KMEANS_INIT, random_state=seed).fit(xs)
        return km.labels_, km
    if method == "gmm":
        from sklearn.mixture import GaussianMixture

        gm = GaussianMixture(
            n_components=k, covariance_type="full", n_init=1, random_state=seed, reg_covar=1e-4
        ).fit(xs)
        return gm.predict(xs), gm
    from scipy.cluster.hierarchy import fcluster

    # ``tree`` is the sample's Ward linkage, built once per compute() for all k tried.
    if tree is None:
        from scipy.cluster.hierarchy import ward

        tree = ward(xs.astype(np.float64))
    return fcluster(tree, t=k, criterion="maxclust") - 1, None


def fit_full(
    x: np.ndarray,
    xs: np.ndarray,
    labels_s: np.ndarray,
    model,
    k: int,
    method: str,
    whole: bool,
    init: np.ndarray | None = None,
) -> np.ndarray:
    """Labels for every row, from ``init`` centres (kmeans) or else the sample's model."""
    if k <= 1:
        return np.zeros(len(x), dtype=int)
    if method == "kmeans":
        if whole and init is None:
            return np.asarray(labels_s)
        from sklearn.cluster import KMeans, MiniBatchKMeans

        init = model.cluster_centers_ if init is None else init.astype(x.dtype)
        if len(x) > MINIBATCH_ABOVE:
            mb = MiniBatchKMeans(
                n_clusters=k,
                init=init,
                n_init=1,
                batch_size=8192,
                random_state=SEED,
                max_no_improvement=10,
            ).fit(x)
            return mb.predict(x)
        # tol=0: Lloyd runs until no track changes cluster, so the answer is a fixed point
        # and making the moods again on the same library (which starts from these centres)
        # gives exactly the same moods; with the default tolerance each refit moved a few
        # more tracks (measured: 14, then 7 of 17,949).
        km = KMeans(n_clusters=k, init=init, n_init=1, random_state=SEED, tol=0.0, max_iter=500)
        return km.fit(x).labels_
    if method == "gmm":
        if whole:
            return np.asarray(labels_s)
        from sklearn.mixture import GaussianMixture

        fit_idx = evaluate.sample_indices(len(x), GMM_FIT_SIZE, SEED + 1)
        gm = GaussianMixture(
            n_components=k,
            covariance_type="full",
            n_init=1,
            random_state=SEED,
            reg_covar=1e-4,
            means_init=model.means_,
        ).fit(x[fit_idx])
        return gm.predict(x)
    # agglomerative: the sample's Ward clusters, every other track to the nearest centroid
    if whole:
        return np.asarray(labels_s)
    centers = np.stack([xs[labels_s == j].mean(axis=0) for j in range(k) if (labels_s == j).any()])
    return nearest(x, centers)


def nearest(x: np.ndarray, centers: np.ndarray, chunk: int = 65536) -> np.ndarray:
    out = np.empty(len(x), dtype=int)
    c2 = (centers.astype(np.float64) ** 2).sum(axis=1)
    for i in range(0, len(x), chunk):
        part = x[i : i + chunk].astype(np.float64)
        out[i : i + chunk] = np.argmin(c2[None, :] - 2 * part @ centers.T, axis=1)
    return out


def compact(labels: np.ndarray) -> np.ndarray:
    """Renumber labels 0..k-1, biggest cluster first (ties by first row), dropping empties."""
    labels = np.asarray(labels)
    uniq, inv, counts = np.unique(labels, return_inverse=True, return_counts=True)
    first = np.full(len(uniq), len(labels))
    np.minimum.at(first, inv, np.arange(len(labels)))
    order = sorted(range(len(uniq)), key=lambda j: (-counts[j], first[j]))
    remap = np.empty(len(uniq), dtype=int)
    remap[order] = np.arange(len(uniq))
    return remap[inv]


def previous_centers(x: np.ndarray, track_ids: list[str], previous, k: int) -> np.ndarray | None:
    """The previous run's clusters as centres in today's space, when it had the same k.

    Starting the final fit there keeps a re-run after a small sync next to the old answer
    (KMeans from the sample's centres can land in another local optimum).
    """
    if previous is None or previous.k != k or previous.requested_k is not None:
        return None
    cids = sorted({c.id for c in previous.clusters})
    pos = {cid: i for i, cid in enumerate(cids)}
    rows, which = [], []
    for i, tid in enumerate(track_ids):
        cid = previous.assignments.get(tid)
        if cid in pos:
            rows.append(i)
            which.append(pos[cid])
    if len(cids) != k or not rows:
        return None
    which_a = np.asarray(which)
    xr = x[np.asarray(rows)].astype(np.float64)
    counts = np.bincount(which_a, minlength=k)
    if (counts == 0).any():
        return None
    sums = np.zeros((k, x.shape[1]))
    np.add.at(sums, which_a, xr)
    return sums / counts[:, None]

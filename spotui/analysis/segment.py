"""Mood segmentation: feature matrix -> k labelled clusters, stable across re-runs.

Why it is built this way:

* **Choosing k by what a listener needs**, not by silhouette alone: separation, balance,
  mood purity and stability, on a fixed-seed sample of at most :data:`SAMPLE_SIZE` tracks
  (the rule and its thresholds are in :mod:`spotui.analysis.choose_k`). The silhouette uses
  one distance matrix of a sub-sample, so each candidate costs a matrix product. The chosen
  model is then refined on all tracks, starting from the sample's centroids (or from the
  previous run's clusters when k is unchanged, so a sync does not reshuffle the moods), so
  only a few Lloyd iterations run on the full data (MiniBatch above :data:`MINIBATCH_ABOVE`).
* **Small or odd libraries**: under ``choose_k.MIN_SPLIT`` tracks, with fewer than two
  distinct feature rows, or when no k is admissible in a small library, the library is one
  mood and the result says why (``params["note"]``); never a one-track "mood", never a
  scikit-learn warning on stderr.
* **Determinism.** Every random choice is seeded, rows come in track-id order, so the same
  library always gives the same clusters.
* **Stable ids.** Re-running after a sync matches the new clusters to the previous run's
  by shared tracks (Hungarian assignment on Jaccard overlap); a matched cluster keeps its
  id (so its colour and exported playlist) and its label while that is still true.
  Unmatched clusters get ids the previous run did not use, so an export of an old cluster
  is never silently taken over by a different one.
* **Reuse.** Results are stored with a fingerprint of the library's features, the feature
  version, this module's version and the method/k asked for; opening the app reads them
  back (:func:`load_result`, no scikit-learn import) instead of recomputing.

scikit-learn and scipy are imported inside the functions, never at module import.
"""

from __future__ import annotations

import functools
import hashlib
import warnings
from collections.abc import Callable, Mapping
from typing import ParamSpec, TypeVar

import numpy as np

from spotui.analysis import choose_k, evaluate
from spotui.analysis.matrix import FEATURE_VERSION, MOOD_FEATURES, FeatureMatrix, load_matrix
from spotui.analysis.moods import cluster_color, label_clusters, word_shares
from spotui.analysis.result import (  # noqa: F401 (re-exported; numpy-free for the TUI)
    UNANALYSED_ID,
    SegmentResult,
    _from_run,
    load_result,
)
from spotui.errors import NoFeaturesError, UserError
from spotui.feature_spec import METHODS
from spotui.model import Cluster
from spotui.progress import CancelCheck, Progress, check_cancel

#: Bump when the algorithm changes in a way that should invalidate stored results.
SEGMENT_VERSION = "segment-v2"
K_MIN, K_MAX = choose_k.K_MIN, choose_k.K_MAX
#: Largest k a user may ask for.
K_LIMIT = 50
#: Rows used to choose k; also the agglomerative sample.
SAMPLE_SIZE = 5000
#: Rows of that sample the silhouette is computed on (one distance matrix for every k).
SILHOUETTE_SAMPLE = 2500
#: KMeans restarts per k on the sample (the sample is small, restarts are cheap).
KMEANS_INIT = 3
#: Rows the GMM is fitted on (then every track is assigned by ``predict``).
GMM_FIT_SIZE = 20_000
#: Above this many tracks the final KMeans refinement is MiniBatch.
MINIBATCH_ABOVE = 250_000
SEED = 0
#: Jaccard overlap below which a new cluster is not considered the same as an old one.
MATCH_MIN_JACCARD = 0.25
EXAMPLES_PER_CLUSTER = 5


# ------------------------------------------------------------------ fingerprints / reuse
def fingerprint(store, method: str, k: int | None) -> str:
    """What a stored result depends on: library features, feature and algorithm versions,
    and the method/k asked for."""
    parts = [
        store.library_fingerprint(),
        FEATURE_VERSION,
        SEGMENT_VERSION,
        method,
        str(k or "auto"),
    ]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()


def is_current(store, result: SegmentResult) -> bool:
    """Whether ``result`` was made from the library as it is now (same method and k ask)."""
    return bool(result.fingerprint) and result.fingerprint == fingerprint(
        store, result.method, result.requested_k
    )


# ------------------------------------------------------------------ the store-facing call
def segment(
    store,
    k: int | None = None,
    method: str = "kmeans",
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
    force: bool = False,
) -> SegmentResult:
    """Segment the library, reusing the stored result when nothing it depends on changed.

    Raises :class:`NoFeaturesError` when no library track has audio features.
    """
    _check_args(k, method)
    report = progress or (lambda done, total, message: None)
    fp = fingerprint(store, method, k)
    if not force:
        run = store.latest_analysis(fp)
        if run is not None:
            report(1, 1, "reused the stored segmentation")
            return _from_run(run)
    check_cancel(cancel)
    report(0, 6, "loading audio features")
    matrix = load_matrix(store, "library")
    if len(matrix) == 0:
        total = len(matrix.unanalysed)
        raise NoFeaturesError(
            "No track in the library has audio features, so there is nothing to segment"
            + (f" ({total} tracks are unanalysed)" if total else " (the library is empty)")
            + ". Run `spotui sync` or import a CSV with audio features first."
        )
    previous = load_result(store)
    genres = {t.id: (t.genres[0] if t.genres else None) for t in store.get_tracks(scope="library")}
    result = compute(
        matrix,
        k=k,
        method=method,
        previous=previous,
        genres=genres,
        progress=progress,
        cancel=cancel,
    )
    check_cancel(cancel)
    result.fingerprint = fp
    save_result(store, result)
    report(6, 6, "saved")
    return result


def save_result(store, result: SegmentResult) -> int:
    """Store ``result`` (unanalysed tracks as cluster ``UNANALYSED_ID`` without a position)."""
    from spotui.store import StoredCluster

    params = dict(result.params)
    params.update(
        requested_k=result.requested_k,
        library_centroid=result.library_centroid,
        examples={str(k): v for k, v in result.examples.items()},
        unanalysed_order=list(result.unanalysed),
    )
    rows = [(tid, cid, *result.coords[tid]) for tid, cid in result.assignments.items()]
    rows += [(tid, UNANALYSED_ID, None, None) for tid in result.unanalysed]
    return store.save_analysis(
        fingerprint=result.fingerprint,
        feature_version=FEATURE_VERSION,
        method=result.method,
        k=result.k,
        params=params,
        scores=result.scores,
        clusters=[
            StoredCluster(
                id=c.id, label=c.label, size=c.size, reasons=c.reasons, centroid=c.centroid
            )
            for c in result.clusters
        ],
        assignments=rows,
    )


def _check_args(k: int | None, method: str) -> None:
    if method not in METHODS:
        raise UserError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    if k is not None and not 2 <= k <= K_LIMIT:
        raise UserError(f"k must be between 2 and {K_LIMIT} (got {k}).")


# ------------------------------------------------------------------ the pure computation
P = ParamSpec("P")
R = TypeVar("R")


def _single_threaded(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` with native thread pools (OpenMP, BLAS) limited to one thread.

    The clustering work is many small fits, and on a shared 2-core machine spinning OpenMP
    workers made it 3-10x slower (measured: 100k tracks 1.4 s single-threaded vs 4-14 s with
    the default pools while another process was busy).
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from threadpoolctl import threadpool_limits

        # scikit-learn's warnings (a KMeans that found fewer distinct clusters than asked) are
        # about inputs compute() already handles; they must not reach the user's terminal.
        with threadpool_limits(limits=1), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)

    return wrapper


@_single_threaded
def compute(
    matrix: FeatureMatrix,
    k: int | None = None,
    method: str = "kmeans",
    previous: SegmentResult | None = None,
    genres: Mapping[str, str | None] | None = None,
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
) -> SegmentResult:
    """Cluster ``matrix`` and label, explain, place and score the clusters (no store).

    Runs single-threaded in native code (see :func:`_single_threaded` for why).
    """
    _check_args(k, method)
    report = progress or (lambda done, total, message: None)
    x = np.ascontiguousarray(matrix.scaled, dtype=np.float32)
    n = len(x)
    raw = np.asarray(matrix.raw, dtype=np.float64)
    columns = tuple(matrix.columns)
    lib_mean = {c: float(raw[:, j].mean()) for j, c in enumerate(columns)} if n else {}
    if n == 0:
        return SegmentResult(
            method,
            0,
            {"silhouette": None, "davies_bouldin": None, "nmi": None},
            [],
            {},
            {},
            list(matrix.unanalysed),
            {},
            requested_k=k,
        )
    if k is not None and k > n:
        raise UserError(f"k={k} is more than the {n} tracks that have audio features.")

    # 1. Choose k on a fixed-seed sample (see choose_k for the rule).
    idx = evaluate.sample_indices(n, SAMPLE_SIZE, SEED)
    xs = x[idx]
    chosen, tried, note = _choose(x, xs, raw[idx], k, method, previous, progress, cancel)
    k_chosen, labels_s, model = chosen

    # 2. Fit / assign every track.
    check_cancel(cancel)
    report(2, 6, f"clustering {n} tracks into {k_chosen}")
    init = _previous_centers(x, matrix.track_ids, previous, k_chosen) if k is None else None
    labels = _fit_full(x, xs, labels_s, model, k_chosen, method, n == len(xs), init)
    labels = _compact(labels)
    k_final = int(labels.max()) + 1

    # 3. Stable ids: match to the previous run by shared tracks.
    check_cancel(cancel)
    report(3, 6, "matching clusters to the previous run")
    ids = matrix.track_ids
    id_of = _match_ids(labels, k_final, ids, previous)
    cluster_ids = np.array([id_of[j] for j in range(k_final)])
    final = cluster_ids[labels]

    # 4. Centroids (raw units), labels and reasons.
    report(4, 6, "labelling moods")
    sizes: dict[int, int] = {}
    centroids: dict[int, dict[str, float]] = {}
    scaled_centers: dict[int, np.ndarray] = {}
    for j in range(k_final):
        rows = labels == j
        cid = id_of[j]
        sizes[cid] = int(rows.sum())
        centroids[cid] = {
            c: round(float(raw[rows, col].mean()), 4) for col, c in enumerate(columns)
        }
        scaled_centers[cid] = x[rows].mean(axis=0)
    prev_labels = {c.id: c.label for c in previous.clusters} if previous else {}
    shares, library_shares = word_shares(raw, final, columns)
    moods = label_clusters(
        shares,
        library_shares,
        centroids,
        lib_mean,
        sizes,
        {cid: prev_labels[cid] for cid in centroids if cid in prev_labels},
    )
    clusters = [
        Cluster(
            id=cid,
            label=moods[cid].label,
            size=sizes[cid],
            reasons=moods[cid].reasons,
            centroid=centroids[cid],
            color=cluster_color(cid),
        )
        for cid in sorted(centroids, key=lambda c: (-sizes[c], c))
    ]
    examples = {}
    for cid, center in scaled_centers.items():
        members = np.flatnonzero(final == cid)
        d = ((x[members] - center) ** 2).sum(axis=1)
        order = members[np.lexsort((members, d))][:EXAMPLES_PER_CLUSTER]
        examples[cid] = [ids[i] for i in order]

    # 5. Map coordinates and quality.
    check_cancel(cancel)
    report(5, 6, "placing tracks on the mood map")
    xy = mood_xy(raw, columns)
    assignments = dict(zip(ids, final.tolist(), strict=True))
    coords = dict(zip(ids, map(tuple, np.round(xy, 4).tolist()), strict=True))
    sil = evaluate.silhouette(x, final, SILHOUETTE_SAMPLE, SEED) if k_final > 1 else None
    scores = {
        "silhouette": None if sil is None else round(sil, 4),
        "davies_bouldin": _round(evaluate.davies_bouldin(x, final)),
        "nmi": _round(evaluate.genre_nmi(assignments, genres)) if genres else None,
    }
    params = {
        "segment_version": SEGMENT_VERSION,
        "feature_version": FEATURE_VERSION,
        "n_analysed": n,
        "silhouette_sample": min(n, SILHOUETTE_SAMPLE),
        "k_tried": tried,
        "note": note,
        "scaling": {
            "columns": list(columns),
            "center": [round(float(v), 6) for v in matrix.center],
            "spread": [round(float(v), 6) for v in matrix.spread],
            "weights": [round(float(v), 6) for v in matrix.weights],
        },
        "centers": {str(cid): [round(float(v), 5) for v in c] for cid, c in scaled_centers.items()},
    }
    return SegmentResult(
        method=method,
        k=k_final,
        scores=scores,
        clusters=clusters,
        assignments=assignments,
        coords=coords,
        unanalysed=list(matrix.unanalysed),
        library_centroid={c: round(v, 4) for c, v in lib_mean.items()},
        reused=False,
        requested_k=k,
        examples=examples,
        params=params,
    )


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def _choose(
    x: np.ndarray,
    xs: np.ndarray,
    raw_s: np.ndarray,
    k: int | None,
    method: str,
    previous: SegmentResult | None,
    progress: Progress | None,
    cancel: CancelCheck | None,
) -> tuple[tuple[int, np.ndarray, object], dict, str | None]:
    """(k, sample labels, model), the table of every k tried, and a note when not split."""
    report = progress or (lambda done, total, message: None)
    n = len(x)
    distinct = len(np.unique(xs.round(5), axis=0))
    if k is not None:
        ks, note = [min(k, distinct)], None
    else:
        ks = choose_k.candidate_ks(n, distinct)
        note = None if ks else _small_note(n, distinct)
    if not ks or ks == [1]:
        return (1, np.zeros(len(xs), dtype=int), None), {}, note
    sil_rows = evaluate.sample_indices(len(xs), SILHOUETTE_SAMPLE, SEED)
    dist = evaluate.pairwise_distances(xs[sil_rows]) if len(sil_rows) > 2 else None
    tree = None
    if method == "agglomerative":
        from scipy.cluster.hierarchy import ward

        tree = ward(xs.astype(np.float64))
    mood_cols = [j for j, c in enumerate(MOOD_FEATURES) if c in ("energy", "valence")]
    half = np.arange(0, len(xs), 2)

    def refit(kk: int) -> np.ndarray:
        labels_h, _ = _fit_sample(xs[half], kk, method, None, seed=SEED + 1)
        centers = np.stack([xs[half][labels_h == j].mean(axis=0) for j in np.unique(labels_h)])
        return _nearest(xs, centers)

    candidates = []
    for i, kk in enumerate(ks):
        check_cancel(cancel)
        report(1, 6, f"trying k={kk} ({i + 1}/{len(ks)})")
        labels_s, model = _fit_sample(xs, kk, method, tree)
        candidates.append(
            choose_k.measure(
                kk,
                labels_s,
                model,
                n,
                dist,
                sil_rows,
                raw_s,
                mood_cols,
                refit if k is None and len(xs) >= 4 * kk else None,
            )
        )
    tried = {str(c.k): c.as_dict() for c in candidates}
    prev_k = previous.k if previous is not None and previous.requested_k is None else None
    best = candidates[0] if k is not None else choose_k.choose(candidates, n, prev_k)
    if best is None:
        note = (
            f"No split into moods holds up for these {n} tracks (each k tried left clusters "
            "overlapping, lopsided or tiny), so they are shown as one mood."
        )
        return (1, np.zeros(len(xs), dtype=int), None), tried, note
    return (best.k, best.labels, best.model), tried, None


def _small_note(n: int, distinct: int) -> str:
    if distinct < 2:
        return f"All {n} analysed tracks have the same audio features: one mood."
    return (
        f"{n} analysed tracks are too few to split into moods (at least "
        f"{choose_k.MIN_SPLIT} are needed): they are shown as one mood."
    )


def _previous_centers(
    x: np.ndarray, track_ids: list[str], previous: SegmentResult | None, k: int
) -> np.ndarray | None:
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


def _fit_sample(
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


def _fit_full(
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
        return KMeans(n_clusters=k, init=init, n_init=1, random_state=SEED).fit(x).labels_
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
    return _nearest(x, centers)


def _nearest(x: np.ndarray, centers: np.ndarray, chunk: int = 65536) -> np.ndarray:
    out = np.empty(len(x), dtype=int)
    c2 = (centers.astype(np.float64) ** 2).sum(axis=1)
    for i in range(0, len(x), chunk):
        part = x[i : i + chunk].astype(np.float64)
        out[i : i + chunk] = np.argmin(c2[None, :] - 2 * part @ centers.T, axis=1)
    return out


def _compact(labels: np.ndarray) -> np.ndarray:
    """Renumber labels 0..k-1, biggest cluster first (ties by first row), dropping empties."""
    labels = np.asarray(labels)
    uniq, inv, counts = np.unique(labels, return_inverse=True, return_counts=True)
    first = np.full(len(uniq), len(labels))
    np.minimum.at(first, inv, np.arange(len(labels)))
    order = sorted(range(len(uniq)), key=lambda j: (-counts[j], first[j]))
    remap = np.empty(len(uniq), dtype=int)
    remap[order] = np.arange(len(uniq))
    return remap[inv]


def _match_ids(
    labels: np.ndarray, k: int, track_ids: list[str], previous: SegmentResult | None
) -> dict[int, int]:
    """Map new cluster indices 0..k-1 to stable ids (see the module docstring)."""
    if previous is None or not previous.clusters:
        return {j: j for j in range(k)}
    old_ids = sorted({c.id for c in previous.clusters})
    old_pos = {cid: i for i, cid in enumerate(old_ids)}
    prev = previous.assignments
    overlap = np.zeros((k, len(old_ids)))
    new_common = np.zeros(k)
    old_common = np.zeros(len(old_ids))
    for tid, j in zip(track_ids, labels.tolist(), strict=True):
        cid = prev.get(tid)
        if cid is None or cid not in old_pos:
            continue
        overlap[j, old_pos[cid]] += 1
        new_common[j] += 1
        old_common[old_pos[cid]] += 1
    union = new_common[:, None] + old_common[None, :] - overlap
    jaccard = np.divide(overlap, union, out=np.zeros_like(overlap), where=union > 0)
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(-jaccard)
    mapping: dict[int, int] = {}
    for r, c in zip(rows, cols, strict=True):
        if jaccard[r, c] >= MATCH_MIN_JACCARD:
            mapping[int(r)] = old_ids[c]
    taken = set(old_ids)
    fresh = (i for i in range(10**6) if i not in taken)
    for j in range(k):
        if j not in mapping:
            mapping[j] = next(fresh)
    return mapping


def mood_xy(raw: np.ndarray, columns: tuple[str, ...] = MOOD_FEATURES) -> np.ndarray:
    """Mood-map positions: x = valence (sad to happy), y = energy (calm to energetic).

    Raw Spotify values, not a projection: the axes mean the same in every library and a
    listener can read them ("up is more energetic"), which a PCA's components cannot promise.
    """
    raw = np.asarray(raw, dtype=np.float64)
    if len(raw) == 0:
        return np.zeros((0, 2))
    return np.column_stack([raw[:, columns.index("valence")], raw[:, columns.index("energy")]])


def texture_coords(store) -> dict[str, tuple[float, float]]:
    """The map's second view: the analysis matrix's first two principal components.

    Computed on demand (not stored with every result): most users stay on the mood view,
    and 100k positions would double what the TUI reads at start-up.
    """
    matrix = load_matrix(store, "library")
    xy = pca_2d(matrix.scaled, tuple(matrix.columns))
    return dict(zip(matrix.track_ids, map(tuple, np.round(xy, 4).tolist()), strict=True))


def pca_2d(x: np.ndarray, columns: tuple[str, ...] = MOOD_FEATURES) -> np.ndarray:
    """First two principal components, oriented so energy grows to the right and valence
    upwards (signs are otherwise arbitrary and would flip the map between runs)."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) == 0:
        return np.zeros((0, 2))
    centered = x - x.mean(axis=0)
    cov = centered.T @ centered / max(len(x) - 1, 1)
    values, vectors = np.linalg.eigh(cov)
    top = vectors[:, np.argsort(values)[::-1][:2]]
    if top.shape[1] < 2:
        top = np.column_stack([top, np.zeros(len(columns))])
    for axis, feature in ((0, "energy"), (1, "valence")):
        j = columns.index(feature) if feature in columns else int(np.argmax(np.abs(top[:, axis])))
        if top[j, axis] < 0 or (
            top[j, axis] == 0 and top[np.argmax(np.abs(top[:, axis])), axis] < 0
        ):
            top[:, axis] *= -1
    return centered @ top

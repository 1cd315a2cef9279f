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
from spotui.analysis.fitting import SEED, compact, fit_full, previous_centers
from spotui.analysis.matrix import FEATURE_VERSION, FeatureMatrix, load_matrix
from spotui.analysis.moods import cluster_color, label_clusters, word_shares
from spotui.analysis.projection import mood_xy, pca_2d, texture_coords  # noqa: F401 (re-exported)
from spotui.analysis.result import (  # noqa: F401 (re-exported; numpy-free for the TUI)
    UNANALYSED_ID,
    SegmentResult,
    _from_run,
    load_result,
)
from spotui.analysis.stable_ids import match_ids
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
        empty = {"silhouette": None, "davies_bouldin": None, "nmi": None}
        return SegmentResult(
            method, 0, empty, [], {}, {}, list(matrix.unanalysed), {}, requested_k=k
        )
    if k is not None and k > n:
        raise UserError(f"k={k} is more than the {n} tracks that have audio features.")

    final, tried, note = _cluster(matrix, x, raw, k, method, previous, progress, cancel)
    ids = matrix.track_ids

    # 4. Centroids (raw units), labels, reasons and the most typical tracks.
    report(4, 6, "labelling moods")
    clusters, examples, centers = _describe(x, raw, columns, final, ids, previous, lib_mean)

    # 5. Map coordinates and quality.
    check_cancel(cancel)
    report(5, 6, "placing tracks on the mood map")
    xy = mood_xy(raw, columns)
    assignments = dict(zip(ids, final.tolist(), strict=True))
    coords = dict(zip(ids, map(tuple, np.round(xy, 4).tolist()), strict=True))
    scores = _scores(x, final, assignments, genres)
    params = _params(matrix, tried, note, centers)
    return SegmentResult(
        method=method,
        k=len(clusters),
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


def _cluster(
    matrix: FeatureMatrix,
    x: np.ndarray,
    raw: np.ndarray,
    k: int | None,
    method: str,
    previous: SegmentResult | None,
    progress: Progress | None,
    cancel: CancelCheck | None,
) -> tuple[np.ndarray, dict, str | None]:
    """Every track's stable cluster id, the table of k tried, and a note if not split."""
    report = progress or (lambda done, total, message: None)
    n = len(x)
    # 1. Choose k on a fixed-seed sample (see choose_k for the rule).
    idx = evaluate.sample_indices(n, SAMPLE_SIZE, SEED)
    xs = x[idx]
    prev_k = previous.k if previous is not None and previous.requested_k is None else None
    chosen, tried, note = choose_k.run(
        x, xs, raw[idx], k, method, prev_k, SILHOUETTE_SAMPLE, progress, cancel
    )
    k_chosen, labels_s, model = chosen

    # 2. Fit / assign every track.
    check_cancel(cancel)
    report(2, 6, f"clustering {n} tracks into {k_chosen}")
    init = previous_centers(x, matrix.track_ids, previous, k_chosen) if k is None else None
    labels = fit_full(x, xs, labels_s, model, k_chosen, method, n == len(xs), init)
    labels = compact(labels)
    k_final = int(labels.max()) + 1

    # 3. Stable ids: match to the previous run by shared tracks.
    check_cancel(cancel)
    report(3, 6, "matching clusters to the previous run")
    id_of = match_ids(labels, k_final, matrix.track_ids, previous)
    cluster_ids = np.array([id_of[j] for j in range(k_final)])
    final = cluster_ids[labels]

    return final, tried, note


def _describe(
    x: np.ndarray,
    raw: np.ndarray,
    columns: tuple[str, ...],
    final: np.ndarray,
    ids: list[str],
    previous: SegmentResult | None,
    lib_mean: dict[str, float],
) -> tuple[list[Cluster], dict[int, list[str]], dict[int, np.ndarray]]:
    """Clusters with labels and reasons, example tracks, and centres in the analysis space."""
    sizes: dict[int, int] = {}
    centroids: dict[int, dict[str, float]] = {}
    centers: dict[int, np.ndarray] = {}
    for cid in np.unique(final).tolist():
        rows = final == cid
        sizes[cid] = int(rows.sum())
        centroids[cid] = {c: round(float(raw[rows, j].mean()), 4) for j, c in enumerate(columns)}
        centers[cid] = x[rows].mean(axis=0)
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
    for cid, center in centers.items():
        members = np.flatnonzero(final == cid)
        d = ((x[members] - center) ** 2).sum(axis=1)
        order = members[np.lexsort((members, d))][:EXAMPLES_PER_CLUSTER]
        examples[cid] = [ids[i] for i in order]
    return clusters, examples, centers


def _params(matrix: FeatureMatrix, tried: dict, note: str | None, centers: dict) -> dict:
    """What is stored with a result besides the clusters: versions, the k table, and the
    scaling and centres the numpy-free "why is this track here" needs."""
    return {
        "segment_version": SEGMENT_VERSION,
        "feature_version": FEATURE_VERSION,
        "n_analysed": len(matrix),
        "silhouette_sample": min(len(matrix), SILHOUETTE_SAMPLE),
        "k_tried": tried,
        "note": note,
        "scaling": {
            "columns": list(matrix.columns),
            "center": [round(float(v), 6) for v in matrix.center],
            "spread": [round(float(v), 6) for v in matrix.spread],
            "weights": [round(float(v), 6) for v in matrix.weights],
        },
        "centers": {str(cid): [round(float(v), 5) for v in c] for cid, c in centers.items()},
    }


def _scores(x: np.ndarray, final: np.ndarray, assignments: dict, genres) -> dict:
    """Quality of a labelling (None where undefined, e.g. one cluster)."""
    split = len(np.unique(final)) > 1
    sil = evaluate.silhouette(x, final, SILHOUETTE_SAMPLE, SEED) if split else None
    return {
        "silhouette": _round(sil),
        "davies_bouldin": _round(evaluate.davies_bouldin(x, final)),
        "nmi": _round(evaluate.genre_nmi(assignments, genres)) if genres else None,
    }


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 4)

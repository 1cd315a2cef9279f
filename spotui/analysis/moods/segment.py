"""Mood segmentation: feature matrix -> k labelled clusters, stable across re-runs.

Why it is built this way:

* **Choosing k by what a listener needs**, not by silhouette alone: separation, balance,
  mood purity and stability, on a fixed-seed sample of at most :data:`SAMPLE_SIZE` tracks
  (the rule and its thresholds are in :mod:`spotui.analysis.moods.choose_k`). The silhouette uses
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
  back (:func:`spotui.session.mood_store.load_result`, no scikit-learn import) instead of
  recomputing.
* **Arrays in, records out.** Nothing here reads or writes the store: the library comes in
  as :class:`LibraryFeatures`, a run goes out as a :class:`SegmentResult` and, for the
  store, a :class:`RunToSave`. :mod:`spotui.session.mood_store` does the reading, the
  order of the steps and the saving.

scikit-learn and scipy are imported inside the functions, never at module import.
"""

from __future__ import annotations

import functools
import hashlib
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import compress
from typing import ParamSpec, TypeVar

import numpy as np

from spotui.analysis import evaluate
from spotui.analysis.matrix import (
    FEATURE_VERSION,
    MOOD_FEATURES,
    FeatureMatrix,
    matrix_from_array,
)
from spotui.analysis.moods import choose_k
from spotui.analysis.moods.fitting import SEED, compact, fit_full, previous_centers
from spotui.analysis.moods.labels import cluster_color, label_clusters, label_reasons, word_shares
from spotui.analysis.moods.map_axes import mood_xy, pca_2d  # noqa: F401 (re-exported)
from spotui.analysis.moods.model import MoodModel, placeable, signatures
from spotui.analysis.moods.refit_rule import (
    RefitReason,
    RefitRules,
    label_word_share,
    refit_reason,
    summarise_new,
)
from spotui.analysis.moods.result import (  # noqa: F401 (re-exported; numpy-free for the TUI)
    UNANALYSED_ID,
    SegmentResult,
)
from spotui.analysis.moods.stable_ids import match_ids
from spotui.core.bulk import no_gc
from spotui.core.errors import NoFeaturesError, UserError
from spotui.core.feature_spec import DEFAULT_METHOD, METHODS
from spotui.core.progress import CancelCheck, Progress, check_cancel
from spotui.core.records import Cluster

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
def fingerprint(lib: LibraryFeatures) -> str:
    """What a stored result depends on: library membership and features, and the feature
    and algorithm versions.

    Method and k are not part of it: they belong to the mood model, which a changed library
    is placed into (:func:`place`), not refitted for."""
    h = hashlib.sha1("|".join((FEATURE_VERSION, SEGMENT_VERSION)).encode())
    h.update("\0".join(lib.all_ids).encode())
    h.update("\0".join(lib.ids).encode())
    h.update(np.ascontiguousarray(lib.full).tobytes())
    return h.hexdigest()


#: ``k`` for a segmentation: choose automatically (a user going back from a k they chose).
AUTO = "auto"


# ------------------------------------------------------------------ what a run decides
def asked_reason(previous, k, method, refit: bool) -> RefitReason | None:
    """The user's own reason to make the moods again, if they gave one."""
    if refit:
        return RefitReason("asked", "You asked for the moods to be made again.")
    if previous is None:
        return None
    if k == AUTO and previous.requested_k is not None:
        return RefitReason("k", "You went back to choosing the number of moods automatically.")
    if isinstance(k, int) and k != previous.requested_k:
        return RefitReason("k", f"You chose {k} moods.")
    if method is not None and method != previous.method:
        return RefitReason("method", f"You chose the {method} method.")
    return None


def refit_why(
    previous: SegmentResult | None, asked: RefitReason | None, placed: Placed | None
) -> RefitReason:
    """Why the moods are made again: placing found them stale, the user asked, or there is
    no model this spotui can place tracks in (none yet, or made differently)."""
    if placed is not None and placed.reason is not None:
        return placed.reason
    if asked is not None:
        return asked
    if previous is None:
        return RefitReason("first", "These are the library's first moods.")
    return RefitReason("version", "spotui now makes moods differently, so they were made again.")


def require_placeable(lib: LibraryFeatures) -> None:
    """Raise :class:`NoFeaturesError` (what to do next, for the user) when no track can be
    placed: a segmentation of nothing would be an empty screen without a reason."""
    if lib.placeable.any():
        return
    total = len(lib.all_ids)
    raise NoFeaturesError(
        "No track in the library has audio features, so there is nothing to segment"
        + (f" ({total} tracks are unanalysed)" if total else " (the library is empty)")
        + ". Run `spotui sync` or import a CSV with audio features first."
    )


def _requested_k(previous, k) -> int | None:
    if k == AUTO:
        return None
    if isinstance(k, int):
        return k
    return previous.requested_k if previous is not None else None


def stored_model(previous: SegmentResult | None) -> MoodModel | None:
    """The stored mood model, if the stored result has one this spotui can place tracks in
    (a result made with other feature transforms must be made again)."""
    if previous is None or previous.params.get("feature_version") != FEATURE_VERSION:
        return None
    return MoodModel.from_params(previous.params, previous.method, previous.requested_k)


def make_again(
    lib: LibraryFeatures,
    previous: SegmentResult | None,
    k: int | str | None,
    method: str | None,
    reason: RefitReason,
    genres: Mapping[str, str | None],
    rules: RefitRules,
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
) -> tuple[SegmentResult, list[str]]:
    """New moods for the library (``k``/``method`` None keep the previous run's) and the
    tracks that joined a mood in them (what the clusters pane marks as new)."""
    chosen_method = method or (previous.method if previous is not None else DEFAULT_METHOD)
    result = compute(
        lib.fit_matrix(),
        k=_requested_k(previous, k),
        method=chosen_method,
        previous=previous,
        genres=genres,
        progress=progress,
        cancel=cancel,
    )
    result = _place_partial(result, lib, rules)
    check_cancel(cancel)
    news = _news(previous, result, reason)
    result.params["changes"] = changes(previous, result, reason)
    return result, news


# ------------------------------------------------------------------ what the store writes
#: An assignment as stored: track id, cluster id, map x, map y, feature signature.
AssignmentRow = tuple[str, int, float | None, float | None, int | None]


@dataclass
class RunToSave:
    """A segmentation as the store writes it: the run's record and its assignment rows.

    ``base_run`` (a run this one only placed tracks into) and ``removed`` let the store
    write 60 rows for 60 new tracks instead of the whole library."""

    fingerprint: str
    feature_version: str
    method: str
    k: int
    params: dict
    scores: dict
    clusters: list[Cluster]
    assignments: list[AssignmentRow]
    news: Sequence[str]
    base_run: int | None = None
    removed: list[str] = field(default_factory=list)


def run_to_save(
    result: SegmentResult,
    signatures: Mapping[str, int] | None = None,
    news: Sequence[str] = (),
    base: tuple[SegmentResult, Sequence[str]] | None = None,
) -> RunToSave:
    """``result`` as the store writes it (unanalysed tracks as cluster ``UNANALYSED_ID``
    without a position), each assignment with the signature of the features it was made
    from. ``base``: the stored result this one placed tracks into, and the tracks placed
    anew: only those (and tracks gone or newly unplaceable) are written."""
    params = dict(result.params)
    params.update(
        requested_k=result.requested_k,
        library_centroid=result.library_centroid,
        examples={str(k): v for k, v in result.examples.items()},
        unanalysed_order=list(result.unanalysed),
    )
    sig = signatures or {}
    run = RunToSave(
        fingerprint=result.fingerprint,
        feature_version=FEATURE_VERSION,
        method=result.method,
        k=result.k,
        params=params,
        scores=result.scores,
        clusters=list(result.clusters),
        assignments=[],
        news=news,
    )
    if base is not None and base[0].run_id is not None:
        run.base_run = base[0].run_id
        run.assignments, run.removed = _rows_placed_into(result, sig, *base)
    else:
        run.assignments = _rows_of_all(result, sig)
    return run


def _rows_of_all(result: SegmentResult, sig: Mapping[str, int]) -> list[AssignmentRow]:
    coords = result.coords
    rows = [(tid, cid, *coords[tid], sig.get(tid)) for tid, cid in result.assignments.items()]
    rows += [(tid, UNANALYSED_ID, None, None, None) for tid in result.unanalysed]
    return rows


def _rows_placed_into(
    result: SegmentResult,
    sig: Mapping[str, int],
    before: SegmentResult,
    placed: Sequence[str],
) -> tuple[list[AssignmentRow], list[str]]:
    """The rows that differ from ``before`` (the tracks placed anew, the newly unanalysed)
    and the tracks ``before`` had that are gone."""
    cid_of, coords = result.assignments, result.coords
    rows = [(tid, cid_of[tid], *coords[tid], sig.get(tid)) for tid in placed]
    old_un = set(before.unanalysed)
    rows += [(t, UNANALYSED_ID, None, None, None) for t in result.unanalysed if t not in old_un]
    now = result.assignments.keys() | set(result.unanalysed)
    removed = [t for t in (*before.assignments, *old_un) if t not in now]
    return rows, removed


# ------------------------------------------------------------------ the library as placed
#: A library feature table row: track id, whether it has features, then MOOD_FEATURES.
LibraryRow = tuple


@dataclass
class LibraryFeatures:
    """Every library track's nine mood features (NaN = missing), in track-id order."""

    ids: list[str]  # tracks with any stored features
    full: np.ndarray  # (len(ids), 9) in MOOD_FEATURES order
    all_ids: list[str]  # every library track

    @classmethod
    def from_table(cls, table: Sequence[LibraryRow]) -> LibraryFeatures:
        """From ``(track_id, has_features, *MOOD_FEATURES)`` rows in track-id order (so runs
        are repeatable), as the store's library feature table hands them."""
        with no_gc():  # see spotui.core.bulk
            all_ids = [r[0] for r in table]
            have = [r for r in table if r[1]]
            full = (
                np.array([r[2:] for r in have], dtype=np.float64)
                if have
                else np.empty((0, len(MOOD_FEATURES)))
            )
        return cls([r[0] for r in have], full, all_ids)

    @functools.cached_property
    def placeable(self) -> np.ndarray:
        return placeable(self.full)

    @functools.cached_property
    def signatures(self) -> np.ndarray:
        return signatures(self.full)

    def signature_of(self) -> dict[str, int]:
        return dict(zip(self.ids, self.signatures.tolist(), strict=True))

    def fit_matrix(self) -> FeatureMatrix:
        """The tracks a fit is made from (complete enough: see matrix.REQUIRED_FEATURES)."""
        return matrix_from_array(self.ids, self.full, self.all_ids)

    def unanalysed(self) -> list[str]:
        """Library tracks that cannot be placed: no features, or no energy or valence."""
        ok = set(compress(self.ids, self.placeable.tolist()))
        return [t for t in self.all_ids if t not in ok]

    def placeable_rows(self) -> tuple[np.ndarray, list[str]]:
        """Rows (into ``full``) and ids of the tracks that can be placed, in track-id order."""
        rows = np.flatnonzero(self.placeable)
        return rows, [self.ids[i] for i in rows.tolist()]


@dataclass
class Placed:
    """The stored moods with the library placed in them, or why they must be made again."""

    result: SegmentResult
    reason: RefitReason | None
    news: list[str]
    #: Tracks placed anew (new, or their features changed): what the store must write.
    placed: list[str] = field(default_factory=list)


def place(
    lib: LibraryFeatures,
    previous: SegmentResult,
    model: MoodModel,
    run_signatures: Mapping[str, int | None],
    rules: RefitRules,
) -> Placed:
    """Keep every assignment whose track's features are unchanged (``run_signatures``: the
    stored run's signature per track); place the rest."""
    rows, ids = lib.placeable_rows()
    keep = _unchanged(ids, lib.signatures[rows], previous.assignments, run_signatures, model)
    cluster_of = np.array([previous.assignments.get(t, -2) for t in ids], dtype=int)
    todo = np.flatnonzero(~keep)
    if len(todo):
        cluster_of[todo] = _place_counted(model, lib.full[rows[todo]])
    labels = {c.id: c.label for c in previous.clusters}
    kept_coords = _kept_coords(ids, keep, previous.coords)
    result, shares = assemble(
        model, labels, ids, lib.full[rows], cluster_of, lib.unanalysed(), previous, kept_coords
    )
    result.params["unanalysed_why"] = unanalysed_why(lib)
    reason = _placed_reason(model, rules, cluster_of, labels, shares)
    if reason is not None:
        return Placed(result, reason, [])
    placed_ids = [ids[j] for j in todo.tolist()]
    result.params["changes"] = changes(previous, result, None, placed_ids)
    news = [t for t in placed_ids if t not in previous.assignments]
    return Placed(result, None, news, placed_ids)


def _unchanged(
    ids: list[str],
    sig_now: np.ndarray,
    assigned: Mapping[str, int],
    run_signatures: Mapping[str, int | None],
    model: MoodModel,
) -> np.ndarray:
    """Which tracks keep their stored mood: in a mood the model still has, and features
    unchanged since (no stored signature counts as unchanged)."""
    cluster_of = np.array([assigned.get(t, -2) for t in ids], dtype=int)
    old_sig = [run_signatures.get(t) for t in ids]
    same = np.array(
        [o is None or o == n for o, n in zip(old_sig, sig_now.tolist(), strict=True)], dtype=bool
    )
    return same & np.isin(cluster_of, list(set(model.centers)))


def _kept_coords(
    ids: list[str], keep: np.ndarray, pos: Mapping[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """Map positions of the tracks that stayed where they were (the rest are computed)."""
    return {t: pos[t] for t, k in zip(ids, keep.tolist(), strict=True) if k and t in pos}


def _place_counted(model: MoodModel, raw: np.ndarray) -> np.ndarray:
    """Place tracks in the model's moods, counting them (and the far ones) for the refit rule."""
    placed, dist = model.place(raw)
    model.placed_since_fit += len(raw)
    if model.far_distance is not None:
        model.far_since_fit += int((dist > model.far_distance).sum())
    return placed


def _placed_reason(
    model: MoodModel,
    rules: RefitRules,
    cluster_of: np.ndarray,
    labels: Mapping[int, str],
    shares: dict,
) -> RefitReason | None:
    """Whether the moods, with the library placed in them, must be made again."""
    sizes = {cid: int((cluster_of == cid).sum()) for cid in model.centers}
    n_now = len(cluster_of)
    if model.k <= 1 and n_now != model.n_fit:
        return RefitReason(
            "growth",
            f"Your library went from {model.n_fit:,} to {n_now:,} tracks with features, so "
            "its moods were made again.",
        )
    return refit_reason(model, rules, n_now, sizes, labels, label_word_share(labels, shares))


def assemble(
    model: MoodModel,
    labels: Mapping[int, str],
    ids: list[str],
    raw: np.ndarray,
    cluster_of: np.ndarray,
    unanalysed: list[str],
    base: SegmentResult,
    known_coords: Mapping[str, tuple[float, float]] | None = None,
) -> tuple[SegmentResult, dict]:
    """A result from the model and every placed track (``raw``: NaN = missing), keeping
    ``labels``; sizes, centroids, reasons' numbers, examples and map positions are those of
    the tracks now in each mood. ``base`` gives method, scores and the fit's params.
    Also returns each mood's word shares (for the refit rule)."""
    cluster_of = np.asarray(cluster_of, dtype=int)
    lib_mean = {c: round(float(np.nanmean(raw[:, j])), 4) for j, c in enumerate(MOOD_FEATURES)}
    shares, library_shares = word_shares(raw, cluster_of, MOOD_FEATURES)
    sizes, centroids = _placed_sizes(model, raw, cluster_of)

    def mood(cid: int) -> Cluster:
        label = labels.get(cid, "")
        return Cluster(
            id=cid,
            label=labels.get(cid, f"Mood {cid}"),
            size=sizes[cid],
            reasons=label_reasons(
                label, shares.get(cid, {}), library_shares, centroids.get(cid), lib_mean
            ),
            centroid=centroids.get(cid, {}),
            color=cluster_color(cid),
        )

    order = sorted(model.centers, key=lambda c: (-sizes[c], c))
    clusters = [mood(cid) for cid in order if sizes[cid] or model.k > 1]
    params = {k: v for k, v in base.params.items() if k != "changes"}
    params["n_analysed"] = len(ids)
    params["model"] = model.info()
    params["unanalysed_why"] = base.params.get("unanalysed_why", {})
    result = SegmentResult(
        method=base.method,
        k=len(model.centers),
        scores=dict(base.scores),
        clusters=clusters,
        assignments=dict(zip(ids, cluster_of.tolist(), strict=True)),
        coords=_placed_coords(ids, raw, known_coords or {}),
        unanalysed=list(unanalysed),
        library_centroid=lib_mean,
        reused=False,
        requested_k=model.requested_k,
        examples=_placed_examples(model, ids, raw, cluster_of),
        params=params,
    )
    return result, shares


def _placed_sizes(
    model: MoodModel, raw: np.ndarray, cluster_of: np.ndarray
) -> tuple[dict[int, int], dict[int, dict[str, float]]]:
    """Each mood's size and, for moods that have tracks, its centroid (raw units, NaN-aware)."""
    sizes, centroids = {}, {}
    for cid in sorted(model.centers):
        rows = cluster_of == cid
        sizes[cid] = int(rows.sum())
        if sizes[cid]:
            means = np.nanmean(raw[rows], axis=0).tolist()
            centroids[cid] = {c: round(v, 4) for c, v in zip(MOOD_FEATURES, means, strict=True)}
    return sizes, centroids


def _placed_examples(
    model: MoodModel, ids: list[str], raw: np.ndarray, cluster_of: np.ndarray
) -> dict[int, list[str]]:
    """Each mood's most typical tracks: the closest to its centre first (ties by row)."""
    _, dist = model.distances(raw)
    examples = {}
    for j, cid in enumerate(sorted(model.centers)):
        members = np.flatnonzero(cluster_of == cid)
        d = dist[members, j]
        examples[cid] = [ids[i] for i in members[np.lexsort((members, d))][:EXAMPLES_PER_CLUSTER]]
    return examples


def _placed_coords(
    ids: list[str], raw: np.ndarray, known: Mapping[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """Map positions: kept for tracks that stayed, computed for the rest (energy and
    valence, the map's axes, are present for every placed track)."""
    fresh = [i for i, t in enumerate(ids) if t not in known]
    xy = np.round(mood_xy(raw[fresh], MOOD_FEATURES), 4).tolist() if fresh else []
    coords = dict(known)
    coords.update(zip([ids[i] for i in fresh], map(tuple, xy), strict=True))
    return {t: coords[t] for t in ids} if len(coords) != len(ids) else coords


def _place_partial(result: SegmentResult, lib: LibraryFeatures, rules: RefitRules) -> SegmentResult:
    """After a fit on the tracks complete enough for it: the model's yardstick, and every
    other placeable track (a few features missing) placed in the new moods."""
    model = MoodModel.from_params(result.params, result.method, result.requested_k)
    if model is None:  # not split: one mood of everything placeable
        return result
    rows, ids = lib.placeable_rows()
    _measure(model, lib, result.assignments, ids, rules)
    result.params["unanalysed_why"] = unanalysed_why(lib)
    todo = [j for j, tid in enumerate(ids) if tid not in result.assignments]
    if not todo:
        result.params["model"] = model.info()
        result.unanalysed = lib.unanalysed()
        return result
    cluster_of = np.empty(len(ids), dtype=int)
    for j, tid in enumerate(ids):
        cid = result.assignments.get(tid)
        if cid is not None:
            cluster_of[j] = cid
    placed, _ = model.place(lib.full[rows[np.asarray(todo)]])
    cluster_of[np.asarray(todo)] = placed
    labels = {c.id: c.label for c in result.clusters}
    placed_result, _ = assemble(
        model, labels, ids, lib.full[rows], cluster_of, lib.unanalysed(), result
    )
    return placed_result


def _measure(
    model: MoodModel,
    lib: LibraryFeatures,
    assignments: Mapping[str, int],
    ids: list[str],
    rules: RefitRules,
) -> None:
    """The fresh model's yardstick (how far its own tracks sit) and when it was fitted."""
    index = {tid: i for i, tid in enumerate(lib.ids)}
    fit_ids = [t for t in ids if t in assignments]
    fit_rows = np.asarray([index[t] for t in fit_ids], dtype=int)
    fit_of = np.asarray([assignments[t] for t in fit_ids], dtype=int)
    model.measure_fit(lib.full[fit_rows], fit_of, rules.far_quantile)
    model.n_fit = len(ids)
    model.fitted_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def unanalysed_why(lib: LibraryFeatures) -> dict[str, int]:
    """How many library tracks cannot be placed, by why: the Unanalysed pane says it."""
    with_features = set(lib.ids)
    missing_axes = int((~lib.placeable).sum())
    return {
        "no audio features": sum(1 for t in lib.all_ids if t not in with_features),
        "no energy or valence": missing_axes,
    }


def _news(previous, result: SegmentResult, reason: RefitReason | None) -> list[str]:
    """Tracks that joined a mood in this run (none on the first moods: everything is new)."""
    if previous is None or (reason is not None and reason.code in ("first", "version")):
        return []
    return [tid for tid in result.assignments if tid not in previous.assignments]


#: At most this many moved tracks are listed in ``changes`` (all are counted).
CHANGES_LISTED = 200


def changes(
    previous,
    result: SegmentResult,
    reason: RefitReason | None,
    placed: Sequence[str] | None = None,
) -> dict:
    """What this run changed against the previous one: the ``changes`` of ``segment --json``.

    ``placed``: when the run only placed tracks, the ones it placed (no other track can be
    new or have moved, so only they are looked at)."""
    before = previous.assignments if previous is not None else {}
    now = result.assignments
    candidates = now if placed is None else placed
    new_by = _new_by_mood(_new_tracks(previous, before, candidates), now)
    moved = _moved(before, now, candidates)
    labels = {c.id: c.label for c in result.clusters}
    return {
        "new_tracks": sum(new_by.values()),
        "new_by_mood": new_by,
        "moved_tracks": len(moved),
        "moved": moved[:CHANGES_LISTED],
        "removed_tracks": sum(1 for t in before if t not in now),
        **_mood_changes(previous, labels),
        "refit": reason.as_dict() if reason is not None else None,
        "summary": summarise_new({labels.get(int(cid), cid): n for cid, n in new_by.items()}),
    }


def _new_tracks(previous, before: Mapping[str, int], candidates: Iterable[str]) -> list[str]:
    """Tracks in no mood before this run (none on the first run: nothing is "new" then)."""
    if previous is None:
        return []
    return [t for t in candidates if t not in before]


def _moved(
    before: Mapping[str, int], now: Mapping[str, int], candidates: Iterable[str]
) -> list[dict]:
    """Tracks now in another mood than in the previous run."""
    return [
        {"track_id": t, "from": before[t], "to": now[t]}
        for t in candidates
        if t in before and before[t] != now[t]
    ]


def _new_by_mood(new: Sequence[str], now: Mapping[str, int]) -> dict[str, int]:
    """How many new tracks each mood got (keys as strings: the ``--json`` shape)."""
    new_by: dict[str, int] = {}
    for tid in new:
        cid = str(now[tid])
        new_by[cid] = new_by.get(cid, 0) + 1
    return new_by


def _mood_changes(previous, labels: Mapping[int, str]) -> dict:
    """The moods renamed, added and gone since ``previous`` (none added on the first run)."""
    old = {c.id: c.label for c in previous.clusters} if previous is not None else {}
    return {
        "renamed": _renamed(old, labels),
        "added": [] if previous is None else [cid for cid in labels if cid not in old],
        "removed": [{"id": cid, "label": lb} for cid, lb in old.items() if cid not in labels],
    }


def _renamed(old: Mapping[int, str], labels: Mapping[int, str]) -> list[dict]:
    """Moods that kept their id under another label."""
    return [
        {"id": cid, "from": old[cid], "to": label}
        for cid, label in labels.items()
        if cid in old and old[cid] != label
    ]


def check_args(k: int | str | None, method: str | None) -> None:
    """Typed errors, for the user, for a k or a method spotui cannot segment with."""
    if method is not None and method not in METHODS:
        raise UserError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    if isinstance(k, str):
        if k != AUTO:
            raise UserError(f"k must be a number between 2 and {K_LIMIT}, or {AUTO}.")
        return
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
    check_args(k, method)
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

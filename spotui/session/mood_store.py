"""The moods and the store: read the library for a segmentation, run it, save what it made.

Why here and not in :mod:`spotui.analysis.moods`: analysis takes arrays and records and
hands back records (:class:`~spotui.analysis.moods.segment.LibraryFeatures` in,
:class:`~spotui.analysis.moods.result.SegmentResult` and
:class:`~spotui.analysis.moods.segment.RunToSave` out), so it can be tested and benchmarked
without a database; which rows to read, in which order the steps run and what is written
back is the session's business, and lives in this one module.

numpy and scikit-learn are imported inside the functions that compute: :func:`load_result`
runs on the TUI's first-paint path, where importing numpy costs ~0.1 s holding the GIL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from spotui.analysis.moods.result import SegmentResult, from_run
from spotui.core.bulk import no_gc
from spotui.core.progress import CancelCheck, Progress, check_cancel

if TYPE_CHECKING:
    from spotui.analysis.matrix import FeatureMatrix
    from spotui.analysis.moods.refit_rule import RefitRules
    from spotui.analysis.moods.segment import LibraryFeatures, Placed
    from spotui.store import Store


# ------------------------------------------------------------------ reading
def load_result(store: Store) -> SegmentResult | None:
    """The last stored result, possibly stale; cheap (no numpy, no scikit-learn, no recompute)."""
    run = store.moods.latest_analysis()
    if run is None:
        return None
    return from_run(run)


def read_library(store: Store) -> LibraryFeatures:
    """The library's features as one array (rows in track-id order, so runs are repeatable)."""
    from spotui.analysis.matrix import MOOD_FEATURES
    from spotui.analysis.moods.segment import LibraryFeatures

    return LibraryFeatures.from_table(store.tracks.library_feature_table(MOOD_FEATURES))


def fingerprint(store: Store, lib: LibraryFeatures | None = None) -> str:
    """The stored library's fingerprint (from ``lib`` when the caller has just read it)."""
    from spotui.analysis.moods import segment

    return segment.fingerprint(lib if lib is not None else read_library(store))


def is_current(store: Store, result: SegmentResult) -> bool:
    """Whether ``result`` was made from the library as it is now."""
    return bool(result.fingerprint) and result.fingerprint == fingerprint(store)


def load_matrix(
    store: Store, scope: str = "library", reference: FeatureMatrix | None = None
) -> FeatureMatrix:
    """The matrix for every track of ``scope`` in ``store``; featureless ones are unanalysed."""
    from spotui.analysis.matrix import build_matrix

    rows = store.tracks.feature_rows(scope)
    return build_matrix(rows, all_track_ids=store.tracks.track_ids(scope), reference=reference)


def texture_coords(store: Store) -> dict[str, tuple[float, float]]:
    """The mood map's texture (PCA) view of the stored library."""
    from spotui.analysis.moods import map_axes

    return map_axes.texture_coords(load_matrix(store, "library"))


def library_genres(store: Store) -> dict[str, str | None]:
    """Each library track's first genre: only the scores' genre NMI reads it."""
    return {
        t.id: (t.genres[0] if t.genres else None) for t in store.tracks.get_tracks(scope="library")
    }


# ------------------------------------------------------------------ one segmentation
def segment(
    store: Store,
    k: int | str | None = None,
    method: str | None = None,
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
    force: bool = False,
    *,
    refit: bool = False,
    rules: RefitRules | None = None,
) -> SegmentResult:
    """The library's moods: the stored ones with new tracks placed in them, made again only
    when asked or when :func:`~spotui.analysis.moods.refit_rule.refit_reason` says they no
    longer describe the library.

    ``k``: None keeps the model's (a k the user chose stays chosen);
    :data:`~spotui.analysis.moods.segment.AUTO` goes back to choosing automatically; a
    number chooses it. ``method``: None keeps the model's. ``refit`` (or ``force``): make
    the moods again now. Raises :class:`~spotui.core.errors.NoFeaturesError` when no
    library track can be placed.
    """
    with no_gc():  # tens of thousands of small objects, no cycles: see spotui.core.bulk
        return _segment(store, k, method, progress, cancel, refit or force, rules)


def _silent(done: int, total: int, message: str) -> None:
    """Progress nobody listens to."""


def _segment(store, k, method, progress, cancel, refit: bool, rules) -> SegmentResult:
    from spotui.analysis.moods import segment as moods
    from spotui.analysis.moods.refit_rule import RefitRules

    moods.check_args(k, method)
    rules = rules or RefitRules()
    report = progress or _silent
    previous = load_result(store)
    asked = moods.asked_reason(previous, k, method, refit)
    lib = read_library(store)
    fp = fingerprint(store, lib)
    if asked is None and previous is not None and previous.fingerprint == fp:
        report(1, 1, "reused the stored moods")
        return previous
    check_cancel(cancel)
    report(0, 6, "loading audio features")
    moods.require_placeable(lib)
    model = moods.stored_model(previous)
    placed = None
    if asked is None and model is not None:
        placed = moods.place(
            lib, previous, model, store.moods.assignment_signatures(previous.run_id), rules
        )
        if placed.reason is None:
            return _save_placed(store, lib, previous, placed, fp, report)
    reason = moods.refit_why(previous, asked, placed)
    genres = library_genres(store)
    result, news = moods.make_again(
        lib, previous, k, method, reason, genres, rules, progress=progress, cancel=cancel
    )
    result.fingerprint = fp
    save_result(store, result, signatures=lib.signature_of(), news=news)
    report(6, 6, "saved")
    return result


def _save_placed(
    store: Store,
    lib: LibraryFeatures,
    previous: SegmentResult,
    placed: Placed,
    fp: str,
    report: Progress,
) -> SegmentResult:
    """Save the stored moods with the new tracks placed in them: only the rows that changed."""
    placed.result.fingerprint = fp
    save_result(
        store,
        placed.result,
        signatures=lib.signature_of(),
        news=placed.news,
        base=(previous, placed.placed),
    )
    report(6, 6, "placed the new tracks in their moods")
    return placed.result


def save_result(
    store: Store,
    result: SegmentResult,
    signatures: Mapping[str, int] | None = None,
    news: Sequence[str] = (),
    base: tuple[SegmentResult, Sequence[str]] | None = None,
) -> int:
    """Store ``result`` (see :func:`~spotui.analysis.moods.segment.run_to_save` for which
    rows); returns the new run's id."""
    from spotui.analysis.moods.segment import run_to_save
    from spotui.store import StoredCluster

    run = run_to_save(result, signatures, news, base)
    return store.moods.save_analysis(
        fingerprint=run.fingerprint,
        feature_version=run.feature_version,
        method=run.method,
        k=run.k,
        params=run.params,
        scores=run.scores,
        clusters=[
            StoredCluster(
                id=c.id, label=c.label, size=c.size, reasons=c.reasons, centroid=c.centroid
            )
            for c in run.clusters
        ],
        assignments=run.assignments,
        news=run.news,
        base_run=run.base_run,
        removed=run.removed,
    )

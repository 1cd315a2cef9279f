"""How many moods: the documented rule that picks k for a library.

Silhouette alone, the notebook answer, picks k=2 or 3 on real libraries (a loud/quiet split)
and happily returns one cluster holding most of the tracks. A listener wants moods they
recognise, of useful size, that come out the same next week. So every candidate k is fitted
on a fixed-seed sample (:data:`spotui.analysis.moods.segment.SAMPLE_SIZE`, >= 5,000 tracks when the
library has them) and must pass all of these to be **admissible**:

* **separation**: silhouette (in the analysis space, on a fixed sub-sample) >= :data:`SIL_FLOOR`;
* **balance**: no cluster over :data:`MAX_SHARE` of the tracks, none under :data:`MIN_SHARE`,
  and none smaller than :data:`MIN_TRACKS` tracks (no one-track "moods");
* **mood purity**: the energy and valence spread inside clusters at most :data:`MAX_IMPURITY`
  of the library's (see :func:`spotui.analysis.evaluate.mood_purity`);
* **stability**: refitting on half the sample with another seed gives the same partition
  (adjusted Rand index >= :data:`MIN_STABILITY`).

Among admissible candidates the highest ``score = silhouette + 0.25 * (1 - impurity) +
0.1 * stability`` wins, except that when the moods are made again the previous automatic k
is kept unless the new best beats it by more than the **measured noise** of the two scores:
each k is also fitted on two half-samples with other seeds, and its noise is the spread
(max - min) of the three scores; the margin is the larger of the two candidates' spreads.
A fixed margin (0.02 before) was smaller than the noise on real libraries, so k flipped
between runs that differed by a few tracks. The kept k is judged with some slack
(:data:`KEEP_SLACK`): a hard cut-off that a few tracks cross (a largest mood of 40.7% against
the 40% limit, measured on the real sample) must not replace every mood. If no k is
admissible, a library of fewer than :data:`SMALL_LIBRARY` tracks stays
one mood (splitting it would be noise); a larger one takes the best score among candidates
that at least pass balance. Libraries under :data:`MIN_SPLIT` tracks are never split.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from spotui.analysis import evaluate
from spotui.analysis.matrix import MOOD_FEATURES
from spotui.analysis.moods import fitting
from spotui.analysis.moods.fitting import fit_sample, nearest
from spotui.core.progress import CancelCheck, Progress, check_cancel

K_MIN, K_MAX = 4, 12
SIL_FLOOR = 0.10
MAX_SHARE = 0.40
MIN_SHARE = 0.01
MIN_TRACKS = 4
MAX_IMPURITY = 0.85
MIN_STABILITY = 0.60
#: How far past the limits the previous k may be and still be kept (a band of hysteresis).
KEEP_SLACK = {"silhouette": 0.02, "max_share": 0.05, "impurity": 0.05, "stability": 0.10}
#: Fewer analysed tracks than this are one mood: there is nothing to split.
MIN_SPLIT = 20
#: Below this many tracks, when no k is admissible, the library stays one mood.
SMALL_LIBRARY = 200
#: A candidate k needs at least this many tracks per cluster on average.
TRACKS_PER_CLUSTER = 8


@dataclass
class Candidate:
    """One k tried on the sample, with every number the rule looks at."""

    k: int
    labels: np.ndarray
    model: object
    silhouette: float | None
    max_share: float
    min_share: float
    smallest: int  # estimated size of the smallest cluster in the whole library
    impurity: float
    stability: float | None
    #: Spread (max - min) of the score over the sample fit and two half-sample fits.
    noise: float = 0.0

    def problems(self, slack: bool = False) -> list[str]:
        """Why this k is not admissible (empty when it is); ``slack``: with the previous
        k's hysteresis (:data:`KEEP_SLACK`)."""
        give = KEEP_SLACK if slack else dict.fromkeys(KEEP_SLACK, 0.0)
        out = []
        if self.silhouette is None or self.silhouette < SIL_FLOOR - give["silhouette"]:
            out.append("clusters overlap")
        if self.max_share > MAX_SHARE + give["max_share"]:
            out.append(f"one cluster holds {self.max_share:.0%}")
        if self.min_share < MIN_SHARE or self.smallest < MIN_TRACKS:
            out.append(f"a cluster of {self.smallest} tracks")
        if self.impurity > MAX_IMPURITY + give["impurity"]:
            out.append("moods mixed")
        if self.stability is not None and self.stability < MIN_STABILITY - give["stability"]:
            out.append("unstable")
        return out

    @property
    def balanced(self) -> bool:
        return (
            self.max_share <= MAX_SHARE
            and self.min_share >= MIN_SHARE
            and self.smallest >= MIN_TRACKS
        )

    @property
    def score(self) -> float:
        return _score(self.silhouette, self.impurity, self.stability)

    def as_dict(self) -> dict:
        r = _round
        return {
            "silhouette": r(self.silhouette),
            "max_share": r(self.max_share),
            "min_share": r(self.min_share),
            "impurity": r(self.impurity),
            "stability": r(self.stability),
            "score": r(self.score),
            "noise": r(self.noise),
            "admissible": not self.problems(),
        }


def _score(silhouette: float | None, impurity: float, stability: float | None) -> float:
    sil = -1.0 if silhouette is None else silhouette
    stab = 1.0 if stability is None else stability
    return sil + 0.25 * (1.0 - impurity) + 0.1 * stab


def _round(v: float | None) -> float | None:
    return None if v is None else round(float(v), 4)


def candidate_ks(n: int, distinct: int) -> list[int]:
    """The k worth trying for ``n`` analysed tracks of which ``distinct`` differ."""
    if n < MIN_SPLIT or distinct < 2:
        return []
    hi = min(K_MAX, n // TRACKS_PER_CLUSTER, distinct)
    lo = max(2, min(K_MIN, hi))
    return list(range(lo, hi + 1))


def measure(
    k: int,
    labels: np.ndarray,
    model: object,
    n_total: int,
    dist: np.ndarray | None,
    sil_rows: np.ndarray,
    raw: np.ndarray,
    mood_columns: Sequence[int],
    refit: Callable[[int, int], np.ndarray] | None,
) -> Candidate:
    """Score one labelling of the sample; ``refit(k, half)`` relabels it from a fit on half
    ``half`` (0 or 1) of the sample with another seed: their agreement with the sample's
    labels is the stability, their scores' spread the noise."""
    shares = evaluate.cluster_shares(labels)

    def sil_of(lab: np.ndarray) -> float | None:
        return evaluate.silhouette_from_distances(dist, lab[sil_rows]) if dist is not None else None

    sil = sil_of(labels)
    impurity = evaluate.mood_purity(raw, labels, mood_columns)
    stability, noise = None, 0.0
    if refit is not None:
        halves = [refit(k, h) for h in (0, 1)]
        agree = [evaluate.adjusted_rand(labels, lab) for lab in halves]
        stability = float(np.mean(agree))
        scores = [_score(sil, impurity, stability)]
        scores += [
            _score(sil_of(lab), evaluate.mood_purity(raw, lab, mood_columns), a)
            for lab, a in zip(halves, agree, strict=True)
        ]
        noise = float(max(scores) - min(scores))
    return Candidate(
        k=k,
        labels=labels,
        model=model,
        silhouette=sil,
        max_share=float(shares.max()),
        min_share=float(shares.min()),
        smallest=int(np.floor(shares.min() * n_total)),
        impurity=impurity,
        stability=stability,
        noise=noise,
    )


def choose(candidates: Sequence[Candidate], n: int, previous_k: int | None) -> Candidate | None:
    """The winner under the module's rule, or None when the library should stay one mood."""
    if not candidates:
        return None
    admissible = [c for c in candidates if not c.problems()]
    if not admissible:
        if n < SMALL_LIBRARY:
            return None
        admissible = [c for c in candidates if c.balanced] or list(candidates)
    best = max(admissible, key=lambda c: (c.score, -c.k))
    kept = next((c for c in candidates if c.k == previous_k and not c.problems(slack=True)), None)
    if kept is not None and best.score - kept.score <= max(best.noise, kept.noise):
        return kept
    return best


def run(
    x: np.ndarray,
    xs: np.ndarray,
    raw_s: np.ndarray,
    k: int | None,
    method: str,
    previous_k: int | None,
    silhouette_sample: int,
    progress: Progress | None,
    cancel: CancelCheck | None,
) -> tuple[tuple[int, np.ndarray, object], dict, str | None]:
    """(k, sample labels, model), the table of every k tried, and a note when not split.

    ``k`` given: that k (no choice). ``previous_k``: the last automatic run's k (kept unless
    clearly beaten). ``silhouette_sample``: rows of ``xs`` the silhouette is computed on.
    """
    n = len(x)
    one = (1, np.zeros(len(xs), dtype=int), None)
    distinct = len(np.unique(xs.round(5), axis=0))
    if k is not None:
        ks, note = [min(k, distinct)], None
    else:
        ks = candidate_ks(n, distinct)
        note = None if ks else small_note(n, distinct)
    if not ks or ks == [1]:
        return one, {}, note
    candidates = _try_all(xs, raw_s, n, ks, method, silhouette_sample, k is None, progress, cancel)
    tried = {str(c.k): c.as_dict() for c in candidates}
    best = candidates[0] if k is not None else choose(candidates, n, previous_k)
    if best is None:
        note = (
            f"No split into moods holds up for these {n} tracks (each k tried left clusters "
            "overlapping, lopsided or tiny), so they are shown as one mood."
        )
        return one, tried, note
    return (best.k, best.labels, best.model), tried, None


def _try_all(
    xs: np.ndarray,
    raw_s: np.ndarray,
    n: int,
    ks: list[int],
    method: str,
    silhouette_sample: int,
    with_stability: bool,
    progress: Progress | None,
    cancel: CancelCheck | None,
) -> list[Candidate]:
    """Fit and measure every k on the sample (one distance matrix, one Ward tree for all)."""
    report = progress or (lambda done, total, message: None)
    sil_rows = evaluate.sample_indices(len(xs), silhouette_sample, fitting.SEED)
    dist = evaluate.pairwise_distances(xs[sil_rows]) if len(sil_rows) > 2 else None
    tree = None
    if method == "agglomerative":
        from scipy.cluster.hierarchy import ward

        tree = ward(xs.astype(np.float64))
    mood_cols = [j for j, c in enumerate(MOOD_FEATURES) if c in ("energy", "valence")]
    halves = (np.arange(0, len(xs), 2), np.arange(1, len(xs), 2))

    def refit(kk: int, h: int) -> np.ndarray:
        part = xs[halves[h]]
        labels_h, _ = fit_sample(part, kk, method, None, seed=fitting.SEED + 1 + h)
        centers = np.stack([part[labels_h == j].mean(axis=0) for j in np.unique(labels_h)])
        return nearest(xs, centers)

    candidates = []
    for i, kk in enumerate(ks):
        check_cancel(cancel)
        report(1, 6, f"trying k={kk} ({i + 1}/{len(ks)})")
        labels_s, model = fit_sample(xs, kk, method, tree)
        stable = refit if with_stability and len(xs) >= 4 * kk else None
        candidates.append(measure(kk, labels_s, model, n, dist, sil_rows, raw_s, mood_cols, stable))
    return candidates


def small_note(n: int, distinct: int) -> str:
    if distinct < 2:
        return f"All {n} analysed tracks have the same audio features: one mood."
    return (
        f"{n} analysed tracks are too few to split into moods (at least "
        f"{MIN_SPLIT} are needed): they are shown as one mood."
    )

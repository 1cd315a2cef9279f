"""What an order costs: follow the arc's energy curve, and make every transition smooth.

For an order s of n tracks with arc targets t (see :mod:`arcs`)::

    cost(s) = w_fit * sum_p fit(s_p, p)  +  sum_p [ w_bpm * bpm(s_p, s_p+1)
                                                   + w_key * key(s_p, s_p+1)
                                                   + w_valence * valence(s_p, s_p+1) ]

* fit = |energy - target| at each position;
* bpm = the tempo step in percent after folding half/double time (:mod:`tempo`);
* key = the Camelot distance's cost (:data:`camelot.DISTANCE_COST`: same key 0, the smooth
  moves 0.2, the rest rising to 1);
* valence = |valence jump|, so a sad ballad does not follow a euphoric one.

**Units.** Each term is divided by its median over random pairs of real tracks (the
17,949-track Kaggle sample, :data:`TYPICAL`), so 1.0 in any term is "as rough as two random
tracks", and a weight says how much that term matters, not how big its numbers happen to be.

**Missing features** cost 1.0 in their term, what a typical random transition (or placement)
costs there: a track without a key is neither pulled towards nor pushed from anything on
harmony, the other terms place it, and nothing crashes. A missing energy costs the same at
every position, so it lands where its neighbours suit it.

**Weights** (:data:`DEFAULT_WEIGHTS`), chosen on the real sample with benchmarks/arcs.py
(``--sweep``, 30 k-means clusters of 121-300 tracks from the ``tune`` seeds; the table reports
60 clusters from the held-out ``test`` seeds):

* the three transition terms count equally once scaled. With 1/1/1 a random order's terms
  (0.94 BPM, 0.99 key, 0.65 valence) drop to 0.30 / 0.37 / 0.26, a third of each, so none is
  sacrificed for the others; doubling any one weight buys ~0.1 of that term for ~0.1 of the
  other two and a worse fit (e.g. BPM x2: 0.19 / 0.43 / 0.29, fit error 0.040 -> 0.051), so no
  term is worth more than another on this data;
* the fit weight (3) is the smallest on the grid 0.5, 1, 2, 3, 5, 8 whose curve-fit error
  stays within 0.03 energy of the best possible fit (the tracks sorted onto the curve) on
  every arc (build 0.028, wind-down 0.028, peak 0.020, wave 0.011 above it; 2 gives 0.040):
  0.03 is half a step of the preview's 8-level sparkline over a typical cluster's energy
  range (~0.5), so the curve the listener sees follows the arc, and the freedom left goes to
  smoothness (mean transition cost ~1.0 against ~2.7 for a random order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from spotui.analysis.order import arcs
from spotui.analysis.order.camelot import DISTANCE_COST, Camelot, camelot
from spotui.core.records import Features

#: Median of each raw term over 20,000 random pairs of real tracks (benchmarks/arcs.py
#: prints them): folded tempo step (fraction), Camelot cost, valence jump, energy gap.
TYPICAL = {"bpm": 0.19, "key": 0.52, "valence": 0.265, "energy": 0.248}

#: What a missing feature costs in its term, in TYPICAL units: a random pair's median.
NEUTRAL = 1.0


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each term counts, on TYPICAL-scaled costs (see the module docstring)."""

    fit: float = 3.0
    bpm: float = 1.0
    key: float = 1.0
    valence: float = 1.0


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class FlowTracks:
    """The features an order is judged on, as arrays (NaN or -1 where unknown)."""

    ids: tuple[str, ...]
    energy: np.ndarray
    valence: np.ndarray
    tempo: np.ndarray
    key: np.ndarray
    mode: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_arrays(
        cls,
        ids: Sequence[str],
        energy: Sequence[float | None],
        valence: Sequence[float | None] | None = None,
        tempo: Sequence[float | None] | None = None,
        key: Sequence[int | None] | None = None,
        mode: Sequence[int | None] | None = None,
    ) -> FlowTracks:
        n = len(ids)
        if len(set(ids)) != n:
            raise ValueError("an order cannot hold a track twice")

        def floats(v):
            a = np.full(n, np.nan) if v is None else np.array(v, dtype=np.float64)
            if a.shape != (n,):
                raise ValueError("every feature needs one value per track")
            return a

        def ints(v):
            a = floats(v)
            return np.where(np.isfinite(a), a, -1).astype(np.int64)

        t = floats(tempo)
        # tempo 0 is how the real sample says "could not be timed"
        t = np.where(t > 0, t, np.nan)
        return cls(tuple(ids), floats(energy), floats(valence), t, ints(key), ints(mode))

    @classmethod
    def from_features(cls, features: Sequence[Features]) -> FlowTracks:
        return cls.from_arrays(
            [f.track_id for f in features],
            [f.energy for f in features],
            [f.valence for f in features],
            [f.tempo for f in features],
            [f.key for f in features],
            [f.mode for f in features],
        )

    def camelot(self, i: int) -> Camelot | None:
        return camelot(int(self.key[i]), int(self.mode[i])) if self.mode[i] >= 0 else None


def _pairwise_bpm(tempo: np.ndarray) -> np.ndarray:
    """Folded tempo steps as fractions (0.1 = 10%), NaN where a tempo is unknown."""
    r = np.log2(tempo[None, :] / tempo[:, None])
    return 2.0 ** np.abs(r - np.round(r)) - 1.0


def _pairwise_key(tracks: FlowTracks) -> np.ndarray:
    """Camelot costs (0..1), NaN where a key or mode is unknown."""
    ok = (tracks.key >= 0) & (tracks.key <= 11) & ((tracks.mode == 0) | (tracks.mode == 1))
    major = np.where(tracks.mode == 1, tracks.key, (tracks.key + 3) % 12)
    number = (7 * major + 7) % 12
    d = np.abs(number[:, None] - number[None, :])
    steps = np.minimum(d, 12 - d) + (tracks.mode[:, None] != tracks.mode[None, :])
    cost = np.asarray(DISTANCE_COST)[steps]
    return np.where(ok[:, None] & ok[None, :], cost, np.nan)


def transition_terms(tracks: FlowTracks) -> dict[str, np.ndarray]:
    """Each transition term for every pair, in TYPICAL units, missing ones NEUTRAL."""
    raw = {
        "bpm": _pairwise_bpm(tracks.tempo),
        "key": _pairwise_key(tracks),
        "valence": np.abs(tracks.valence[None, :] - tracks.valence[:, None]),
    }
    return {k: np.nan_to_num(v / TYPICAL[k], nan=NEUTRAL) for k, v in raw.items()}


def transition_matrix(tracks: FlowTracks, weights: Weights = DEFAULT_WEIGHTS) -> np.ndarray:
    """Weighted cost of playing j right after i (symmetric: every term is)."""
    terms = transition_terms(tracks)
    return (
        weights.bpm * terms["bpm"] + weights.key * terms["key"] + weights.valence * terms["valence"]
    )


def fit_matrix(
    tracks: FlowTracks, target: np.ndarray, weights: Weights = DEFAULT_WEIGHTS
) -> np.ndarray:
    """Weighted fit cost of track i at position p (rows tracks, columns positions)."""
    gap = np.abs(tracks.energy[:, None] - np.asarray(target)[None, :]) / TYPICAL["energy"]
    return weights.fit * np.nan_to_num(gap, nan=NEUTRAL)


@dataclass(frozen=True)
class Problem:
    """An ordering problem, ready for a solver: fit (track x position) and transition costs."""

    tracks: FlowTracks
    arc: str
    target: np.ndarray
    fit: np.ndarray
    transition: np.ndarray
    weights: Weights

    @classmethod
    def build(
        cls, tracks: FlowTracks, arc: str = arcs.DEFAULT_ARC, weights: Weights = DEFAULT_WEIGHTS
    ) -> Problem:
        target = arcs.targets(arcs.check_arc(arc), tracks.energy)
        return cls(
            tracks,
            arc,
            target,
            fit_matrix(tracks, target, weights),
            transition_matrix(tracks, weights),
            weights,
        )

    def cost(self, seq: Sequence[int] | np.ndarray) -> float:
        s = np.asarray(seq, dtype=np.int64)
        fit = self.fit[s, np.arange(len(s))].sum()
        return float(fit + self.transition[s[:-1], s[1:]].sum())


@dataclass(frozen=True, slots=True)
class FlowStep:
    """One track of an order as the preview shows it."""

    track_id: str
    energy: float | None
    target: float | None
    tempo: float | None
    camelot: str | None
    #: weighted cost of this position's fit to the arc
    fit_cost: float
    #: weighted cost of the transition into this track (None for the first)
    transition_cost: float | None
    #: folded tempo step from the previous track in percent (None: first or unknown tempo)
    bpm_step: float | None
    #: Camelot distance from the previous track (None: first or unknown key)
    key_distance: int | None


@dataclass(frozen=True, slots=True)
class FlowOrder:
    """An order and what it costs, term by term."""

    arc: str
    order: tuple[str, ...]
    steps: tuple[FlowStep, ...]
    #: the objective (weighted fit + weighted transitions)
    total: float
    #: mean |energy - target| over tracks with an energy, in energy units (0..1)
    fit_error: float
    #: mean weighted transition cost (0 for fewer than two tracks)
    mean_transition: float
    #: weighted cost of each transition, len(order) - 1 of them
    transitions: tuple[float, ...]

    @property
    def energy(self) -> list[float | None]:
        return [s.energy for s in self.steps]

    @property
    def target(self) -> list[float | None]:
        return [s.target for s in self.steps]


def _num(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def _step(problem: Problem, p: int, i: int, prev: int | None) -> FlowStep:
    """Position ``p`` of an order holding track ``i``, after track ``prev`` (None: first)."""
    from spotui.analysis.order.camelot import camelot_distance
    from spotui.analysis.order.tempo import folded_step

    tr = problem.tracks
    here = tr.camelot(i)
    base = FlowStep(
        track_id=tr.ids[i],
        energy=_num(tr.energy[i]),
        target=_num(problem.target[p]),
        tempo=_num(tr.tempo[i]),
        camelot=None if here is None else str(here),
        fit_cost=float(problem.fit[i, p]),
        transition_cost=None,
        bpm_step=None,
        key_distance=None,
    )
    if prev is None:
        return base
    before = tr.camelot(prev)
    return replace(
        base,
        transition_cost=float(problem.transition[prev, i]),
        bpm_step=folded_step(_num(tr.tempo[prev]), _num(tr.tempo[i])),
        key_distance=None if here is None or before is None else camelot_distance(before, here),
    )


def describe(problem: Problem, seq: Sequence[int] | np.ndarray) -> FlowOrder:
    """The record of an order given as indices into ``problem.tracks``."""
    tr = problem.tracks
    s = [int(i) for i in seq]
    if sorted(s) != list(range(len(tr))):
        raise ValueError("an order must hold every track exactly once")
    trans = [float(problem.transition[a, b]) for a, b in zip(s, s[1:], strict=False)]
    steps = [_step(problem, p, i, s[p - 1] if p else None) for p, i in enumerate(s)]
    gaps = np.abs(tr.energy[s] - problem.target)
    gaps = gaps[np.isfinite(gaps)]
    return FlowOrder(
        arc=problem.arc,
        order=tuple(tr.ids[i] for i in s),
        steps=tuple(steps),
        total=problem.cost(s) if s else 0.0,
        fit_error=float(gaps.mean()) if len(gaps) else 0.0,
        mean_transition=float(np.mean(trans)) if trans else 0.0,
        transitions=tuple(trans),
    )

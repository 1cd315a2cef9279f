"""The objective's terms agree with the scalar rules, and missing features are neutral."""

from __future__ import annotations

import numpy as np
import pytest

from spotui.analysis.order.camelot import DISTANCE_COST, camelot, camelot_distance
from spotui.analysis.order.objective import (
    NEUTRAL,
    TYPICAL,
    FlowTracks,
    Problem,
    Weights,
    describe,
    transition_terms,
)
from spotui.analysis.order.tempo import folded_step
from spotui.core.records import Features


def random_tracks(n: int, seed: int) -> FlowTracks:
    r = np.random.default_rng(seed)
    return FlowTracks.from_arrays(
        [f"t{i}" for i in range(n)],
        r.random(n),
        r.random(n),
        r.uniform(60, 180, n),
        r.integers(0, 12, n),
        r.integers(0, 2, n),
    )


def test_pairwise_terms_match_the_scalar_rules():
    tr = random_tracks(20, 1)
    terms = transition_terms(tr)
    for i in range(20):
        for j in range(20):
            step = folded_step(float(tr.tempo[i]), float(tr.tempo[j]))
            assert terms["bpm"][i, j] == pytest.approx(step / 100 / TYPICAL["bpm"])
            a = camelot(int(tr.key[i]), int(tr.mode[i]))
            b = camelot(int(tr.key[j]), int(tr.mode[j]))
            cost = DISTANCE_COST[camelot_distance(a, b)]
            assert terms["key"][i, j] == pytest.approx(cost / TYPICAL["key"])
    for m in terms.values():
        assert np.allclose(m, m.T)


def test_missing_features_cost_the_neutral_amount():
    tr = FlowTracks.from_arrays(
        ["a", "b", "c"],
        [0.5, None, 0.7],
        [0.5, 0.5, None],
        [120, 0, None],  # tempo 0 is the real sample's "not timed"
        [0, -1, 5],
        [1, 1, None],
    )
    terms = transition_terms(tr)
    assert terms["bpm"][0, 1] == NEUTRAL and terms["bpm"][0, 2] == NEUTRAL
    assert terms["key"][0, 1] == NEUTRAL and terms["key"][0, 2] == NEUTRAL
    assert terms["valence"][0, 2] == NEUTRAL and terms["valence"][0, 1] == 0
    p = Problem.build(tr, "build")
    # a track without energy costs the same at every position
    assert np.all(p.fit[1] == p.fit[1, 0])
    rec = describe(p, [0, 1, 2])
    assert rec.steps[1].energy is None and rec.steps[1].bpm_step is None
    assert rec.steps[1].camelot is None and rec.steps[2].key_distance is None
    assert np.isfinite(rec.total)


def test_the_record_adds_up():
    tr = random_tracks(6, 2)
    p = Problem.build(tr, "peak", Weights(fit=2.0, bpm=1.5))
    seq = [3, 1, 0, 5, 2, 4]
    rec = describe(p, seq)
    assert rec.order == tuple(f"t{i}" for i in seq)
    assert rec.total == pytest.approx(p.cost(seq))
    assert rec.total == pytest.approx(sum(s.fit_cost for s in rec.steps) + sum(rec.transitions))
    assert rec.mean_transition == pytest.approx(np.mean(rec.transitions))
    gaps = [abs(s.energy - s.target) for s in rec.steps]
    assert rec.fit_error == pytest.approx(np.mean(gaps))
    assert rec.steps[0].transition_cost is None and rec.steps[0].bpm_step is None
    assert rec.steps[1].bpm_step == pytest.approx(folded_step(tr.tempo[3], tr.tempo[1]))
    assert rec.energy == [s.energy for s in rec.steps]


def test_records_in_and_bad_orders_out():
    feats = [
        Features("x", "spotify", energy=0.3, valence=0.2, tempo=100.0, key=0, mode=1),
        Features("y", "spotify", energy=0.6),
    ]
    tr = FlowTracks.from_features(feats)
    assert tr.ids == ("x", "y") and str(tr.camelot(0)) == "8B" and tr.camelot(1) is None
    p = Problem.build(tr, "build")
    with pytest.raises(ValueError):
        describe(p, [0, 0])
    with pytest.raises(ValueError):
        FlowTracks.from_arrays(["a", "a"], [0.1, 0.2])

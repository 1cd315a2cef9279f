"""The heuristic against brute force, exact orders where they are determinate, and bounds."""

from __future__ import annotations

import numpy as np
import pytest

from spotui.analysis.order import solve as sv
from spotui.analysis.order.arcs import ARCS
from spotui.analysis.order.objective import FlowTracks, Problem
from tests.analysis.order.test_objective import random_tracks


@pytest.mark.parametrize("seed", range(12))
def test_heuristic_is_within_5_percent_of_brute_force_on_8_tracks(seed):
    tr = random_tracks(8, seed)
    for arc in ARCS:
        p = Problem.build(tr, arc)
        best = p.cost(sv.brute_force(p))
        got = p.cost(sv.solve(p))
        assert got <= best * 1.05 + 1e-9, (arc, got, best)


@pytest.mark.parametrize("seed", range(4))
def test_with_a_start_the_start_comes_first_and_stays_close_to_the_optimum(seed):
    tr = random_tracks(8, seed)
    for arc in ARCS:
        p = Problem.build(tr, arc)
        seq = sv.solve(p, start="t5")
        assert seq[0] == 5 and sorted(seq) == list(range(8))
        best = sv.brute_force(p, start="t5")
        assert best[0] == 5
        assert p.cost(seq) <= p.cost(best) * 1.1


@pytest.mark.parametrize(
    "n, reach, lo", [(3, 48, 0), (5, 48, 1), (12, 48, 0), (12, 3, 1), (30, 7, 0)]
)
def test_every_move_is_priced_at_exactly_what_it_changes(n, reach, lo):
    rng = np.random.default_rng(n + reach)
    for arc in ("build", "wave", "steady"):
        p = Problem.build(random_tracks(n, n), arc)
        seq = rng.permutation(n)
        moves = sv._Neighbourhood(n, reach, lo).moves(p, seq)
        for m in moves:
            moved = sv._apply(seq, [m])
            assert p.cost(moved) - p.cost(seq) == pytest.approx(m[0], abs=1e-9)
            assert lo == 0 or moved[0] == seq[0]
        together = sv._apply(seq, moves)
        assert p.cost(together) - p.cost(seq) == pytest.approx(sum(m[0] for m in moves))


def same_but(**columns):
    n = len(next(iter(columns.values())))
    base = {"energy": [0.5] * n, "valence": [0.5] * n, "tempo": [120.0] * n}
    base |= {"key": [0] * n, "mode": [1] * n}
    base |= columns
    return FlowTracks.from_arrays([f"t{i}" for i in range(n)], **base)


def test_build_and_wind_down_sort_by_energy_when_nothing_else_differs():
    tr = same_but(energy=[0.5, 0.1, 0.9, 0.3, 0.7])
    assert sv.order(tr, "build").order == ("t1", "t3", "t0", "t4", "t2")
    assert sv.order(tr, "wind-down").order == ("t2", "t4", "t0", "t3", "t1")
    rec = sv.order(tr, "build")
    assert rec.fit_error == 0 and rec.total == 0


def test_steady_walks_the_tempo_from_the_start():
    tr = same_but(tempo=[100.0, 130.0, 110.0, 120.0, 140.0])
    rec = sv.order(tr, "steady", start="t0")
    assert rec.order == ("t0", "t2", "t3", "t1", "t4")
    assert [round(s.tempo) for s in rec.steps] == [100, 110, 120, 130, 140]


def test_steady_walks_round_the_wheel():
    # G (9B), C (8B), A (11B), D (10B), E (12B): one smooth step at a time from C
    tr = same_but(key=[7, 0, 9, 2, 4])
    rec = sv.order(tr, "steady", start="t1")
    assert [s.camelot for s in rec.steps] == ["8B", "9B", "10B", "11B", "12B"]
    assert all(s.key_distance == 1 for s in rec.steps[1:])


def test_missing_features_never_crash():
    tr = FlowTracks.from_arrays(
        [f"t{i}" for i in range(12)],
        [None, 0.2, 0.9, None, 0.4, 0.5, 0.3, None, 0.8, 0.1, 0.6, 0.7],
        [None] * 12,
        [0, 120, None, 90, 180, 60, 128, 0, 95, 140, 70, 100],
        [-1, 0, 5, None, 7, 2, -1, 11, 3, 4, 9, 1],
        [1, 0, None, 1, 1, 0, 1, 0, 1, 0, 1, 0],
    )
    for arc in ARCS:
        rec = sv.order(tr, arc)
        assert sorted(rec.order) == sorted(tr.ids) and np.isfinite(rec.total)
    nothing = FlowTracks.from_arrays(["a", "b", "c"], [None] * 3)
    assert sorted(sv.order(nothing, "peak").order) == ["a", "b", "c"]


def test_tiny_inputs():
    assert sv.order(same_but(energy=[]), "build").order == ()
    assert sv.order(same_but(energy=[0.3]), "build").order == ("t0",)
    assert sv.order(same_but(energy=[0.6, 0.3]), "build").order == ("t1", "t0")
    assert sv.order(same_but(energy=[0.6, 0.3]), "build", start="t0").order == ("t0", "t1")


def test_a_start_that_is_not_there_and_brute_force_beyond_its_size_are_refused():
    tr = random_tracks(10, 0)
    with pytest.raises(ValueError, match="start track"):
        sv.order(tr, "build", start="nope")
    with pytest.raises(ValueError, match="brute force"):
        sv.brute_force(Problem.build(tr, "build"))


def test_heuristic_beats_random_order_on_a_larger_set():
    tr = random_tracks(200, 3)
    p = Problem.build(tr, "peak")
    rng = np.random.default_rng(0)
    random_cost = np.mean([p.cost(rng.permutation(200)) for _ in range(5)])
    assert p.cost(sv.solve(p)) < 0.5 * random_cost


def test_the_result_is_deterministic():
    tr = random_tracks(60, 9)
    assert sv.order(tr, "wave").order == sv.order(tr, "wave").order


def test_the_order_does_not_depend_on_the_clock(monkeypatch):
    """A machine so loaded that every round seems to take 0.1 s (the old 0.4 s bound cut
    such a run after four rounds) gives the same order: the bound is rounds, not seconds."""
    tr = random_tracks(300, 5)
    idle = sv.order(tr, "peak").order
    clock = iter(range(10**6))
    monkeypatch.setattr(sv.time, "perf_counter", lambda: 0.1 * next(clock))
    assert sv.order(tr, "peak").order == idle


def test_rounds_are_the_bound_and_the_clock_only_a_last_resort(monkeypatch):
    p = Problem.build(random_tracks(120, 2), "build")
    seq = sv.greedy(p)
    rounds = []
    real = sv._Neighbourhood.moves
    monkeypatch.setattr(
        sv._Neighbourhood, "moves", lambda self, *a: rounds.append(1) or real(self, *a)
    )
    sv.improve(p, seq, max_rounds=3)
    assert len(rounds) == 3
    rounds.clear()
    sv.improve(p, seq, deadline=float("-inf"))  # the safety cap stops after one round
    assert len(rounds) == 1
    assert sv.SAFETY_TIME_LIMIT >= 30 * 0.5  # far above what 500 tracks take


def test_exact_returns_the_brute_force_record():
    tr = random_tracks(6, 4)
    rec = sv.exact(tr, "peak")
    p = Problem.build(tr, "peak")
    assert rec.total == pytest.approx(p.cost(sv.brute_force(p)))
    assert rec.total <= sv.order(tr, "peak").total + 1e-9

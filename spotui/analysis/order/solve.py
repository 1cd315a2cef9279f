"""Finding a cheap order: greedy starts improved by 2-opt, or-opt and swap moves; brute force.

Why not an exact solver: with a cost per position (the arc) and per transition this is a
travelling-salesman problem whose costs depend on where a track lands, NP-hard and far past
exact methods at 500 tracks in half a second. Why these moves: 2-opt (reverse a stretch) and
or-opt (move a run of 1-3 tracks elsewhere) are the standard local moves for sequencing; a
swap of two tracks is added because with a cost per position it escapes local optima the
other two cannot (on 8-track fixtures the worst gap to the optimum fell from 14% to 3.5%), and
with prefix sums along the fit matrix's diagonals every one of them is priced in O(1), so all
~n^2 moves of a round are priced at once in numpy instead of in a Python loop. Each round
applies the best improving moves whose stretches do not overlap (they do not change each
other's prices), which cuts the rounds from ~n to a few dozen.

Bounds: a start's rounds stop when no move improves or after :data:`MAX_ROUNDS` rounds,
whichever comes first: a bound on the work (rounds of n x reach priced moves, for a number of
starts that depends on n alone), never on the clock, so the same tracks give the same order
however busy the machine is: a preview matches its export, a reorder is not repeated. Real
clusters converge in 7-38 rounds per start from 100 to 2,000 tracks (benchmarks/arcs.py), so
the bound rarely decides; when it does, it decides the same way every run. At 500 tracks a
round costs ~10 ms of CPU, so 40 rounds and the set-up stay within 0.5 s of CPU.

The wall clock is only a last resort (:data:`SAFETY_TIME_LIMIT`, 100x what 500 tracks take):
it exists so that a pathologically starved machine (swapping, a debugger) still gets an order
back; only then can the order depend on load.

Reach: moves span at most :data:`REACH` positions. On real clusters (benchmarks/arcs.py
``--reach``) the full neighbourhood finds orders 3-6% cheaper for 4-8x the time, which 500
tracks in half a second cannot afford.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence

import numpy as np

from spotui.analysis.order import arcs
from spotui.analysis.order.objective import (
    DEFAULT_WEIGHTS,
    FlowOrder,
    FlowTracks,
    Problem,
    Weights,
    describe,
)

#: Largest input brute force takes (9! = 362,880 orders is about a second).
BRUTE_FORCE_MAX = 9
#: Starts improved per call: max(1, min(n, START_BUDGET // n)), so 8 tracks try every first
#: track, 100 tracks four and 400 or more one; the work is ~START_BUDGET x n.
START_BUDGET = 400
#: How far a move reaches (positions); see :func:`_moves`.
REACH = 48
#: Block lengths or-opt moves.
OR_OPT_BLOCKS = (1, 2, 3)
_INF = np.inf
#: Improvement rounds per start (see "Bounds" above): the deterministic work bound.
MAX_ROUNDS = 40
#: Seconds after which a solve stops improving whatever the rounds say: far above any normal
#: run (500 tracks take ~0.3 s), so it only triggers on pathological load (see "Bounds").
SAFETY_TIME_LIMIT = 30.0
#: A move must gain at least this much (floating-point noise must not loop forever).
_EPS = 1e-9


def order(
    tracks: FlowTracks | Sequence,
    arc: str = arcs.DEFAULT_ARC,
    *,
    start: str | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
    time_limit: float | None = SAFETY_TIME_LIMIT,
    max_rounds: int = MAX_ROUNDS,
) -> FlowOrder:
    """The order of ``tracks`` that flows along ``arc`` (first ``start`` if given)."""
    if not isinstance(tracks, FlowTracks):
        tracks = FlowTracks.from_features(tracks)
    problem = Problem.build(tracks, arc, weights)
    return describe(
        problem, solve(problem, start=start, time_limit=time_limit, max_rounds=max_rounds)
    )


def solve(
    problem: Problem,
    *,
    start: str | None = None,
    time_limit: float | None = SAFETY_TIME_LIMIT,
    max_rounds: int = MAX_ROUNDS,
) -> np.ndarray:
    """Indices of the heuristic's order: the best of a few improved greedy starts.

    Why several starts: on small inputs one local optimum can be 20-24% off the best order
    (measured on 8-track fixtures), and each start costs ~n^2, so short lists can afford
    many. The starts are the best-fitting first tracks, or, when the user chose the first
    track, the best second ones. The number of starts and their rounds depend on n only,
    never on the clock, so the answer does not depend on how busy the machine is.
    """
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    first = _start_index(problem, start)
    n = len(problem.tracks)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    k = max(1, min(n, START_BUDGET // n))
    if first is None:
        prefixes = [[int(f)] for f in np.argsort(problem.fit[:, 0], kind="stable")[:k]]
    else:
        # the first track is the user's; vary the second instead
        after = problem.transition[first] + problem.fit[:, min(1, n - 1)]
        after[first] = _INF
        seconds = np.argsort(after, kind="stable")[: min(k, n - 1)]
        prefixes = [[first, int(s)] for s in seconds] if n > 1 else [[first]]
    best, best_cost = None, _INF
    for prefix in prefixes:
        seq = greedy(problem, prefix)
        seq = improve(
            problem, seq, fixed=first is not None, deadline=deadline, max_rounds=max_rounds
        )
        cost = problem.cost(seq)
        if cost < best_cost - _EPS:
            best, best_cost = seq, cost
    assert best is not None
    return best


def _start_index(problem: Problem, start: str | None) -> int | None:
    if start is None:
        return None
    try:
        return problem.tracks.ids.index(start)
    except ValueError:
        raise ValueError(f"the start track {start} is not among the tracks to order") from None


def greedy(problem: Problem, prefix: Sequence[int] | None = None) -> np.ndarray:
    """Nearest-neighbour construction: each position takes the unused track cheapest there
    (its fit at that position plus the transition into it), after ``prefix`` (default: the
    track that fits the arc's first position best)."""
    n = len(problem.tracks)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if not prefix:
        prefix = [int(np.argmin(problem.fit[:, 0]))]
    seq = np.empty(n, dtype=np.int64)
    used = np.zeros(n, dtype=bool)
    seq[: len(prefix)] = prefix
    used[list(prefix)] = True
    for p in range(len(prefix), n):
        c = problem.transition[seq[p - 1]] + problem.fit[:, p]
        c[used] = _INF
        seq[p] = int(np.argmin(c))
        used[seq[p]] = True
    return seq


def improve(
    problem: Problem,
    seq: np.ndarray,
    *,
    fixed: bool = False,
    deadline: float | None = None,
    max_rounds: int = MAX_ROUNDS,
    reach: int | None = None,
) -> np.ndarray:
    """2-opt and or-opt rounds until no move gains or ``max_rounds`` (the work bound) are
    done; ``deadline`` (perf_counter) is the last-resort safety cap. ``fixed`` keeps seq[0]."""
    seq = np.array(seq, dtype=np.int64)
    n = len(seq)
    if n < 3:
        return seq
    hood = _Neighbourhood(n, REACH if reach is None else reach, 1 if fixed else 0)
    for _ in range(max_rounds):
        moves = hood.moves(problem, seq)
        if not moves:
            break
        seq = _apply(seq, moves)
        if deadline is not None and time.perf_counter() > deadline:
            break
    return seq


class _Neighbourhood:
    """Every 2-opt and or-opt move of reach <= ``reach``, priced in one pass per round.

    Why the reach bound: the arc's targets pin every track near its own slot (its energy's
    quantile), so improving moves are local, and a round then prices n x reach moves instead
    of n^2 (benchmarks/arcs.py ``--reach`` measures what the full neighbourhood adds). Why
    flat indices: the positions a move reads depend on n alone, so they are computed once
    and each round is a few ``take`` calls on the fit and transition matrices, padded with a
    zero row and column so that "no neighbour" (before the first, after the last) reads 0.
    """

    def __init__(self, n: int, reach: int, lo: int) -> None:
        self.n, self.lo = n, lo
        self.w = w = max(1, min(reach, n - 1))
        i = np.arange(n)[:, None]
        d = np.arange(1, w + 1)[None, :]
        self.i = np.broadcast_to(i, (n, w))

        def pos(a):  # a position, or n (the zero pad) when there is none
            return np.where((a >= 0) & (a < n), a, n)

        def cell(a, b):
            return (pos(a) * (n + 1) + pos(b)).ravel()

        def blocked(ok):
            return np.where(ok, 0.0, _INF).ravel()

        j = i + d
        self.opt2 = {
            "j": np.broadcast_to(j, (n, w)).ravel(),
            "i": pos(np.broadcast_to(i, (n, w))).ravel(),
            "j1": pos(j + 1).ravel(),
            "before": cell(i - 1, j),
            "after": cell(i, j + 1),
            "jp": pos(j).ravel(),
            "blocked": blocked((j < n) & (i >= lo)),
        }
        # swap the tracks at i and j = i + d (d >= 2; d = 1 is a 2-opt of two)
        jj = np.broadcast_to(j, (n, w)).ravel()
        self.swap = {
            "j": jj,
            "i": pos(np.broadcast_to(i, (n, w))).ravel(),
            "jp": pos(jj),
            "ij": cell(np.broadcast_to(i, (n, w)), j),
            "ji": cell(j, np.broadcast_to(i, (n, w))),
            "edges": [
                cell(i - 1, j),
                cell(j, i + 1),
                cell(j - 1, np.broadcast_to(i, (n, w))),
                cell(np.broadcast_to(i, (n, w)), j + 1),
            ],
            "blocked": blocked((j < n) & (i >= lo) & (d >= 2)),
        }
        self.blocks = []
        for L in OR_OPT_BLOCKS:
            if n <= L:
                break
            jf = i + L - 1 + d
            jb = i - d
            ip = pos(np.broadcast_to(i, (n, w))).ravel()
            common = {
                "i": ip,
                "iL": pos(np.broadcast_to(i + L, (n, w))).ravel(),
                "iL1": pos(np.broadcast_to(i + L - 1, (n, w))).ravel(),
                "across": cell(np.broadcast_to(i - 1, (n, w)), np.broadcast_to(i + L, (n, w))),
                "old": [pos(np.broadcast_to(i + m, (n, w))).ravel() for m in range(L)],
            }
            fwd = {
                "j": np.broadcast_to(jf, (n, w)).ravel(),
                "j1": pos(jf + 1).ravel(),
                "jp": pos(jf).ravel(),
                "moved": [cell(np.broadcast_to(i + m, (n, w)), jf - L + 1 + m) for m in range(L)],
                "into": cell(jf, np.broadcast_to(i, (n, w))),
                "out": cell(np.broadcast_to(i + L - 1, (n, w)), jf + 1),
                "blocked": blocked((jf < n) & (i >= lo) & (i <= n - L)),
            }
            bwd = {
                "j": np.broadcast_to(jb, (n, w)).ravel(),
                "jp": pos(jb).ravel(),
                "moved": [cell(np.broadcast_to(i + m, (n, w)), jb + m) for m in range(L)],
                "into": cell(jb - 1, np.broadcast_to(i, (n, w))),
                "out": cell(np.broadcast_to(i + L - 1, (n, w)), jb),
                "blocked": blocked((jb >= lo) & (i <= n - L)),
            }
            self.blocks.append((L, common, fwd, bwd))

    def moves(self, problem: Problem, seq: np.ndarray) -> list[tuple]:
        """The best improving moves of this round whose stretches do not overlap."""
        n, w = self.n, self.w
        G = np.zeros((n + 1, n + 1))
        G[:n, :n] = problem.fit[seq]  # G[a, k]: the track at position a, if placed at k
        T = np.zeros((n + 1, n + 1))
        T[:n, :n] = problem.transition[np.ix_(seq, seq)]  # T[a, b]: a's track, then b's
        g, t = G.ravel(), T.ravel()
        diag = G.diagonal().copy()  # padded: diag[n] = 0
        C = np.concatenate([[0.0], np.cumsum(diag[:n])])
        e = T.diagonal(1)[: n - 1]  # e[a]: the edge a -> a+1 now
        e_in = np.concatenate([[0.0], e, [0.0]])  # into position i (0 for the first)
        e_out = np.concatenate([e, [0.0, 0.0]])  # out of position j (0 for the last)
        candidates = []

        # 2-opt: reverse i..j. T is symmetric, so the inner edges keep their cost; the reversed
        # stretch's fit is an anti-diagonal sum of G, built up two cells at a time over d.
        rev = np.zeros((n, w))
        two_back, one_back = diag[:n], None
        for d in range(1, w + 1):
            m = n - d
            r = G.diagonal(-d)[:m] + G.diagonal(d)[:m]
            if d >= 2:
                r = r + two_back[1 : 1 + m]
            rev[:m, d - 1] = r
            two_back, one_back = one_back, r
            if d == 1:
                two_back, one_back = diag[:n], r
        o = self.opt2
        delta = (
            rev.ravel()
            - (C[np.minimum(o["j"] + 1, n)] - C[o["i"]])
            + t.take(o["before"])
            - e_in[o["i"]]
            + t.take(o["after"])
            - e_out[o["jp"]]
            + o["blocked"]
        )
        candidates += _best(delta, "2opt", 0, self.i.ravel(), o["j"])

        sw = self.swap
        delta = (
            g.take(sw["ij"])
            + g.take(sw["ji"])
            - diag[sw["i"]]
            - diag[sw["jp"]]
            + sum(t.take(k) for k in sw["edges"])
            - e_in[sw["i"]]
            - e_out[sw["i"]]
            - e_in[sw["jp"]]
            - e_out[sw["jp"]]
            + sw["blocked"]
        )
        candidates += _best(delta, "swap", 0, self.i.ravel(), sw["j"])

        for L, c, fwd, bwd in self.blocks:
            block_old = sum(diag[k] for k in c["old"])
            across = t.take(c["across"]) - e_out[c["iL1"]] - e_in[c["i"]]
            # forward: the block goes after j (j >= i + L); i+L..j shift left by L
            q = np.zeros(n + 1)
            q[L:n] = G[np.arange(L, n), np.arange(n - L)] - diag[L:n]
            Q = np.concatenate([[0.0], np.cumsum(q)])
            delta = (
                Q[np.minimum(fwd["j"] + 1, n + 1)]
                - Q[np.minimum(c["iL"], n)]
                + sum(g.take(k) for k in fwd["moved"])
                - block_old
                + across
                + t.take(fwd["into"])
                + t.take(fwd["out"])
                - e_out[fwd["jp"]]
                + fwd["blocked"]
            )
            candidates += _best(delta, "or", L, self.i.ravel(), fwd["j"])
            # backward: the block goes before j (lo <= j < i); j..i-1 shift right by L
            r = np.zeros(n + 1)
            r[: n - L] = G[np.arange(n - L), np.arange(L, n)] - diag[: n - L]
            R = np.concatenate([[0.0], np.cumsum(r)])
            delta = (
                R[c["i"]]
                - R[bwd["jp"]]
                + sum(g.take(k) for k in bwd["moved"])
                - block_old
                + across
                + t.take(bwd["into"])
                - e_in[bwd["jp"]]
                + t.take(bwd["out"])
                + bwd["blocked"]
            )
            candidates += _best(delta, "or", L, self.i.ravel(), bwd["j"])

        taken = np.zeros(n + 2, dtype=bool)
        chosen = []
        for gain, kind, a, b, L in sorted(candidates):
            # the stretch a move changes, with the neighbours whose edges it rewires
            first, last = (b - 1, a + L) if kind == "or" and b < a else (a - 1, b + 1)
            if taken[first + 1 : last + 2].any():
                continue
            taken[first + 1 : last + 2] = True
            chosen.append((gain, kind, a, b, L))
        return chosen


def _best(
    delta: np.ndarray, kind: str, L: int, i: np.ndarray, j: np.ndarray, k: int = 96
) -> list[tuple]:
    """The ``k`` most improving moves of one kind, as (delta, kind, i, j, L)."""
    k = min(k, delta.size)
    idx = np.argpartition(delta, k - 1)[:k]
    idx = idx[delta[idx] < -_EPS]
    return [(float(delta[x]), kind, int(i[x]), int(j[x]), L) for x in idx]


def _apply(seq: np.ndarray, moves: list[tuple]) -> np.ndarray:
    """Apply non-overlapping moves; each keeps the positions outside its stretch, so any
    order of application gives the same sequence."""
    s = seq.copy()
    for _, kind, i, j, L in moves:
        if kind == "2opt":
            s[i : j + 1] = s[i : j + 1][::-1].copy()
        elif kind == "swap":
            s[i], s[j] = s[j], s[i]
        elif j >= i + L:
            block = s[i : i + L].copy()
            s[i : j - L + 1] = s[i + L : j + 1].copy()
            s[j - L + 1 : j + 1] = block
        else:
            block = s[i : i + L].copy()
            s[j + L : i + L] = s[j:i].copy()
            s[j : j + L] = block
    return s


def brute_force(problem: Problem, *, start: str | None = None) -> np.ndarray:
    """The exact optimum by trying every order: the yardstick for the heuristic's tests."""
    n = len(problem.tracks)
    if n > BRUTE_FORCE_MAX:
        raise ValueError(f"brute force takes at most {BRUTE_FORCE_MAX} tracks, not {n}")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    first = _start_index(problem, start)
    rest = [i for i in range(n) if i != first]
    perms = np.array(list(itertools.permutations(rest)), dtype=np.int64).reshape(-1, len(rest))
    if first is not None:
        perms = np.hstack([np.full((len(perms), 1), first), perms])
    cost = problem.fit[perms, np.arange(n)].sum(axis=1)
    cost += problem.transition[perms[:, :-1], perms[:, 1:]].sum(axis=1)
    return perms[int(np.argmin(cost))]


def exact(tracks: FlowTracks, arc: str = arcs.DEFAULT_ARC, **kw) -> FlowOrder:
    """:func:`brute_force` as a record (tiny inputs only)."""
    weights = kw.pop("weights", DEFAULT_WEIGHTS)
    problem = Problem.build(tracks, arc, weights)
    return describe(problem, brute_force(problem, **kw))

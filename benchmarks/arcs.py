"""Ordering moods so they flow (issue 23): spotui's order against random, energy and BPM sorts.

    python -m benchmarks.arcs                      # the real sample, held-out seeds
    python -m benchmarks.arcs --sweep              # the weight sweep the defaults were read from
    python -m benchmarks.arcs --reach 500          # the full neighbourhood instead of REACH

Clusters are cut from the real sample (../shared/data/spotify_tracks_114genre_sample.csv.gz)
the way a listener's moods are: for each seed, 4 random genres are pooled and split by
k-means (k = 3) on the z-scored energy, valence, danceability and acousticness, the features
spotui's moods lead with; a cluster of fewer than 30 tracks is dropped and one of more than
300 is cut to a random 300. The ``tune`` seeds (0-9) chose the weights (``--sweep``); the
table reports the ``test`` seeds (100-119) unless asked otherwise.

Per arc, averaged over clusters: the mean weighted transition cost and the curve-fit error
(mean |energy - target|) of a random order, the tracks sorted by energy (ascending), sorted by
BPM (ascending) and spotui's order, all scored by the same objective; then the transitions in
plain units (folded BPM step, Camelot distance, valence jump) and the time to order 100 and 500
real tracks against sorting them by energy (numpy argsort), measured in the same run.

Not part of CI; prints a table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

from spotui.analysis.order import arcs
from spotui.analysis.order.objective import (
    DEFAULT_WEIGHTS,
    TYPICAL,
    FlowTracks,
    Problem,
    Weights,
    describe,
)
from spotui.analysis.order.solve import REACH, improve, solve

CSV = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
CSV = CSV / "spotify_tracks_114genre_sample.csv.gz"
SEEDS = {"tune": range(10), "test": range(100, 120)}
CLUSTER_FEATURES = ["energy", "valence", "danceability", "acousticness"]
METHODS = ("random", "energy sort", "BPM sort", "spotui")


def load(path: Path):
    import pandas as pd

    return pd.read_csv(path).drop_duplicates("track_id").reset_index(drop=True)


def tracks_of(df) -> FlowTracks:
    return FlowTracks.from_arrays(
        df.track_id.tolist(),
        df.energy.to_numpy(),
        df.valence.to_numpy(),
        df.tempo.to_numpy(),
        df.key.to_numpy(),
        df["mode"].to_numpy(),
    )


def clusters(df, seeds) -> list[tuple[str, FlowTracks]]:
    """Listener-like moods: k-means clusters of a few pooled genres (see the docstring)."""
    from sklearn.cluster import KMeans

    genres = sorted(df.track_genre.unique())
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        mix = sorted(rng.choice(genres, 4, replace=False))
        pool = df[df.track_genre.isin(mix)].reset_index(drop=True)
        x = pool[CLUSTER_FEATURES].to_numpy(dtype=np.float64)
        x = (x - x.mean(axis=0)) / x.std(axis=0)
        labels = KMeans(3, n_init=4, random_state=seed).fit_predict(x)
        for c in range(3):
            members = pool[labels == c]
            if len(members) < 30:
                continue
            if len(members) > 300:
                members = members.iloc[np.sort(rng.choice(len(members), 300, replace=False))]
            out.append(("+".join(mix), tracks_of(members)))
    return out


def orders(problem: Problem, rng: np.random.Generator, reach: int | None) -> dict:
    tr = problem.tracks
    n = len(tr)
    seq = (
        solve(problem)
        if reach is None
        else improve(problem, solve(problem), deadline=None, reach=reach)
    )
    return {
        "random": rng.permutation(n),
        "energy sort": np.argsort(tr.energy, kind="stable"),
        "BPM sort": np.argsort(tr.tempo, kind="stable"),
        "spotui": seq,
    }


def best_fit(problem: Problem) -> float:
    """The smallest curve-fit error any order can have: energies sorted onto sorted targets."""
    e = np.sort(problem.tracks.energy)
    return float(np.mean(np.abs(e - np.sort(problem.target))))


def plain_units(problem: Problem, seq) -> tuple[float, float, float, float]:
    """Mean folded BPM step (%), share of smooth key moves, mean Camelot distance, valence jump."""
    rec = describe(problem, seq)
    bpm = [s.bpm_step for s in rec.steps[1:] if s.bpm_step is not None]
    keys = [s.key_distance for s in rec.steps[1:] if s.key_distance is not None]
    val = np.abs(np.diff(problem.tracks.valence[np.asarray(seq)]))
    return (
        float(np.mean(bpm)),
        float(np.mean(np.array(keys) <= 1)),
        float(np.mean(keys)),
        float(np.nanmean(val)),
    )


def table(groups, weights: Weights, reach: int | None) -> None:
    rng = np.random.default_rng(0)
    print(
        f"{'arc':<10}"
        + "".join(f"{m + ' trans':>18}" for m in METHODS)
        + "".join(f"{m + ' fit':>16}" for m in METHODS)
        + f"{'best fit':>10}"
    )
    units = {m: [] for m in METHODS}
    for arc in arcs.ARCS:
        trans = {m: [] for m in METHODS}
        fit = {m: [] for m in METHODS}
        best = []
        for _, tr in groups:
            problem = Problem.build(tr, arc, weights)
            best.append(best_fit(problem))
            for m, seq in orders(problem, rng, reach).items():
                rec = describe(problem, seq)
                trans[m].append(rec.mean_transition)
                fit[m].append(rec.fit_error)
                units[m].append(plain_units(problem, seq))
        print(
            f"{arc:<10}"
            + "".join(f"{np.mean(trans[m]):>18.2f}" for m in METHODS)
            + "".join(f"{np.mean(fit[m]):>16.3f}" for m in METHODS)
            + f"{np.mean(best):>10.3f}"
        )
    print("\nTransitions in plain units (all arcs):")
    print(
        f"{'order':<14}{'BPM step %':>11}{'smooth keys':>13}{'Camelot dist':>14}{'valence jump':>14}"
    )
    for m in METHODS:
        b, s, k, v = np.mean(units[m], axis=0)
        print(f"{m:<14}{b:>11.1f}{s:>13.0%}{k:>14.2f}{v:>14.3f}")


def sweep(groups) -> None:
    """The trade-off the default weights were read from (run on the tune seeds)."""
    print("fit weight: curve-fit error above the best possible fit / mean transition cost")
    print(f"{'w_fit':>6}" + "".join(f"{a:>18}" for a in arcs.ARCS))
    for w in (0.5, 1.0, 2.0, 3.0, 5.0, 8.0):
        weights = Weights(fit=w)
        cells = []
        for arc in arcs.ARCS:
            excess, trans = [], []
            for _, tr in groups:
                problem = Problem.build(tr, arc, weights)
                rec = describe(problem, solve(problem))
                excess.append(rec.fit_error - best_fit(problem))
                # transitions on the default scale, so rows compare
                trans.append(rec.mean_transition)
            cells.append(f"{np.mean(excess):.3f} / {np.mean(trans):.2f}")
        print(f"{w:>6.1f}" + "".join(f"{c:>18}" for c in cells))
    print("\ntransition weights (fit at the default): each term's mean, in TYPICAL units")
    print(f"{'bpm/key/valence':<18}{'bpm':>8}{'key':>8}{'valence':>9}{'fit err':>9}")
    from spotui.analysis.order.objective import transition_terms

    for wb, wk, wv in ((1, 1, 1), (2, 1, 1), (1, 2, 1), (1, 1, 2), (0, 0, 0)):
        weights = Weights(fit=DEFAULT_WEIGHTS.fit, bpm=wb, key=wk, valence=wv)
        means, fits = [], []
        for _, tr in groups:
            problem = Problem.build(tr, "build", weights)
            seq = solve(problem)
            terms = transition_terms(tr)
            means.append([terms[k][seq[:-1], seq[1:]].mean() for k in ("bpm", "key", "valence")])
            fits.append(describe(problem, seq).fit_error)
        b, k, v = np.mean(means, axis=0)
        print(f"{f'{wb}/{wk}/{wv}':<18}{b:>8.2f}{k:>8.2f}{v:>9.2f}{np.mean(fits):>9.3f}")


def typical(df) -> None:
    """The medians TYPICAL holds, recomputed from 20,000 random pairs."""
    tr = tracks_of(df)
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, len(tr), 20_000), rng.integers(0, len(tr), 20_000)
    from spotui.analysis.order.objective import _pairwise_bpm, _pairwise_key

    sub = np.unique(np.concatenate([a, b]))[:3000]
    small = FlowTracks.from_arrays(
        [tr.ids[i] for i in sub],
        tr.energy[sub],
        tr.valence[sub],
        tr.tempo[sub],
        tr.key[sub],
        tr.mode[sub],
    )
    x, y = rng.integers(0, len(sub), 20_000), rng.integers(0, len(sub), 20_000)
    got = {
        "bpm": np.nanmedian(_pairwise_bpm(small.tempo)[x, y]),
        "key": np.nanmedian(_pairwise_key(small)[x, y]),
        "valence": np.median(np.abs(small.valence[x] - small.valence[y])),
        "energy": np.median(np.abs(small.energy[x] - small.energy[y])),
    }
    print(
        "TYPICAL (random real pairs, median): "
        + ", ".join(f"{k} {got[k]:.3f} (used {TYPICAL[k]})" for k in got)
    )


def timings(df, repeat: int) -> None:
    rng = np.random.default_rng(7)
    print(
        f"\n{'tracks':>7}{'arc':>8}{'spotui s':>10}{'cpu s':>8}{'energy sort s':>15}{'ratio':>10}"
    )
    for n in (100, 500):
        sub = df.iloc[np.sort(rng.choice(len(df), n, replace=False))]
        for arc in ("steady", "peak"):
            spent, cpu, base = [], [], []
            for _ in range(repeat):
                t, c = time.perf_counter(), time.process_time()
                tr = tracks_of(sub)
                problem = Problem.build(tr, arc)
                describe(problem, solve(problem))
                spent.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
                t = time.perf_counter()
                np.argsort(sub.energy.to_numpy(), kind="stable")
                base.append(time.perf_counter() - t)
            a, b = statistics.median(spent), statistics.median(base)
            c = statistics.median(cpu)
            print(f"{n:>7}{arc:>8}{a:>10.3f}{c:>8.3f}{b:>15.5f}{a / b:>9.0f}x")
    print(f"load average while timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv", nargs="?", default=str(CSV), help="Kaggle-layout CSV (the real sample)")
    ap.add_argument("--half", choices=tuple(SEEDS), default="test")
    ap.add_argument("--sweep", action="store_true", help="the weight sweep (on the tune seeds)")
    ap.add_argument("--reach", type=int, default=None, help=f"move reach (default {REACH})")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    df = load(Path(args.csv))
    half = "tune" if args.sweep else args.half
    groups = clusters(df, SEEDS[half])
    sizes = [len(tr) for _, tr in groups]
    print(
        f"{Path(args.csv).name}: {len(groups)} clusters from {half} seeds, "
        f"{min(sizes)}-{max(sizes)} tracks (median {int(np.median(sizes))}); weights {DEFAULT_WEIGHTS}"
    )
    if args.sweep:
        typical(df)
        sweep(groups)
        return
    table(groups, DEFAULT_WEIGHTS, args.reach)
    timings(df, args.repeat)


if __name__ == "__main__":
    main()

"""Speed of ``spotui.analysis.recommend.recommender`` against the obvious baselines, side by side.

    python -m benchmarks.recommend            # 100k and 1M candidates (needs ~3 GB RAM, ~2 min)
    python -m benchmarks.recommend --quick    # 100k only

What is measured (median over many seeds, after a warm-up):

* top-10: ``Recommender.recommend(seed, n=10, diversity=0, artist_cap=None)`` against
  scikit-learn ``euclidean_distances(X, q)`` + ``argsort`` on the same scaled matrix (what
  a notebook does), and against numpy with a full ``argsort`` on our own ``[x, |x|^2]``
  matrix (to show what ``argpartition`` buys);
* top-10 with the defaults (MMR diversity 0.3, at most 2 per artist);
* building the pool from a store (``recommend_store.recommender``) against the two
  ``mood_store.load_matrix`` calls it replaces, on a demo store of 100k library tracks
  (+1000 catalog), created in a temp dir; and the cached path (signature check only).

Not part of CI: timings depend on the machine; this prints a table to read.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from spotui.analysis.recommend.recommender import Recommender
from spotui.session.mood_store import load_matrix
from spotui.session.recommend_store import recommender
from spotui.sources import demo
from spotui.store import Store, track_from_row

GOALS = {  # case -> goal in ms
    "top-10, 100k": 3.0,
    "top-10, 1M": 30.0,
    "top-10 + MMR + artist cap, 100k": 10.0,
    "top-10 + MMR + artist cap, 1M": None,
    "build pool from store, 100k": 1000.0,
}


def timed(fn, repeat: int) -> float:
    """Median wall time of ``fn()`` in ms."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def synthetic_pool(n: int, seed: int = 0) -> Recommender:
    """``n`` tracks from 10 mood clusters (like the demo library), 1% of them as catalog."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0.1, 0.9, (10, 7))
    g = rng.integers(0, 10, n)
    unit = np.clip(centres[g] + rng.normal(0, 0.08, (n, 7)), 0, 1)
    tempo = rng.normal(115, 20, n).clip(55, 210)
    loud = rng.normal(-8, 3, n).clip(-40, 0)
    full = np.column_stack([unit, tempo, loud])
    ids = [f"t{i:09d}" for i in range(n)]
    n_artists = max(10, n // 12)
    artists = [json.dumps([f"Artist {a}"]) for a in range(n_artists)]
    genre = [json.dumps([f"genre {k}"]) for k in range(10)]
    track_artist = rng.integers(0, n_artists, n)
    meta = {
        tid: (tid, f"Song {i}", artists[track_artist[i]], "", None, None, genre[g[i]], None)
        for i, tid in enumerate(ids)
    }
    rows = [(tid, *vals) for tid, vals in zip(ids, full.tolist(), strict=True)]
    n_cat = n // 100
    return Recommender.from_rows(
        rows, meta, ids[n_cat:], ids[:n_cat], to_track=lambda _tid, row: track_from_row(row)
    )


def bench_queries(rec: Recommender, label: str, repeat: int) -> list[tuple]:
    from sklearn.metrics.pairwise import euclidean_distances

    rng = np.random.default_rng(1)
    seeds = [rec.ids[i] for i in rng.integers(0, len(rec), repeat)]
    for s in seeds:  # warm-up: parse each result's metadata once, as a running app would have
        rec.recommend([s], n=10, diversity=0.0, artist_cap=None)
        rec.recommend([s], n=10)
    it = iter(seeds * 3)

    ours = timed(lambda: rec.recommend([next(it)], n=10, diversity=0.0, artist_cap=None), repeat)
    it = iter(seeds * 3)
    mmr = timed(lambda: rec.recommend([next(it)], n=10), repeat)

    x = rec.scaled  # the same standardised, weighted float32 matrix

    def sk():
        i = rec.index[next(it)]
        dist = euclidean_distances(x, x[i : i + 1]).ravel()
        order = np.argsort(dist)
        return [j for j in order[:11] if j != i][:10]

    it = iter(seeds * 3)
    sk_ms = timed(sk, max(5, repeat // 4))

    aug = rec.aug_t

    def full_sort():
        i = rec.index[next(it)]
        sims = np.append(2.0 * x[i], -1.0).astype(np.float32) @ aug
        order = np.argsort(-sims)
        return [j for j in order[:11] if j != i][:10]

    it = iter(seeds * 3)
    np_ms = timed(full_sort, max(5, repeat // 4))
    return [
        (f"top-10, {label}", ours, sk_ms, "sklearn euclidean_distances + argsort"),
        (f"top-10, {label}", ours, np_ms, "numpy matvec + full argsort"),
        (
            f"top-10 + MMR + artist cap, {label}",
            mmr,
            sk_ms,
            "sklearn euclidean_distances + argsort",
        ),
    ]


def bench_build(n: int) -> list[tuple]:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.sqlite3")
        t = time.perf_counter()
        demo.populate(store, n_tracks=n)
        print(f"(populated a {n:,}-track demo store in {time.perf_counter() - t:.1f} s)")
        recommender(store, use_cache=False)  # warm the page cache
        ours = timed(lambda: recommender(store, use_cache=False), 5)

        def baseline():
            lib = load_matrix(store, "library")
            return load_matrix(store, "catalog", reference=lib)

        base = timed(baseline, 3)
        recommender(store)
        cached = timed(lambda: recommender(store), 5)
        store.close()
    label = f"{n // 1000}k"
    return [
        (f"build pool from store, {label}", ours, base, "mood_store.load_matrix x2 (no metadata)"),
        (f"cached pool (signature check), {label}", cached, ours, "rebuilding it"),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="skip the 1M-candidate run")
    ap.add_argument("--repeat", type=int, default=60, help="queries per case")
    args = ap.parse_args()

    rows = bench_build(100_000)
    sizes = [100_000] if args.quick else [100_000, 1_000_000]
    for n in sizes:
        t = time.perf_counter()
        rec = synthetic_pool(n)
        print(f"(built a synthetic {n:,}-track pool in {time.perf_counter() - t:.1f} s)")
        rows += bench_queries(rec, f"{n // 1000}k" if n < 1_000_000 else "1M", args.repeat)
        del rec

    print()
    print(
        f"{'case':<40} {'ours ms':>9} {'baseline ms':>12} {'speed-up':>9} {'goal ms':>8}  baseline"
    )
    for case, ours, base, what in rows:
        goal = GOALS.get(case)
        mark = "" if goal is None else (" ok" if ours <= goal else " MISSED")
        goal_s = "-" if goal is None else f"{goal:g}"
        print(
            f"{case:<40} {ours:>9.2f} {base:>12.2f} {base / ours:>8.1f}x {goal_s:>8}{mark:<7} {what}"
        )


if __name__ == "__main__":
    main()

"""How well discovery's seed sets cover a mood cluster, on a real library.

    python -m benchmarks.discovery [KAGGLE.csv[.gz]]

ReccoBeats takes at most 5 seeds per request, so what spotui asks for a cluster depends
on which tracks it sends. Rows, per run on the same clusters (spotui's own segmentation
of ``../shared/data/spotify_tracks_114genre_sample.csv.gz`` by default):

* **spotui cover (3 x 5)**: :func:`spotui.analysis.recommend.discovery_seeds.seed_sets` (15 sub-centres'
  nearest tracks, 3 requests);
* **random 15**: 15 random tracks of the cluster (3 requests; mean of 20 draws);
* **random 5**: 5 random tracks (1 request; mean of 20 draws);
* **centre 5**: the 5 tracks nearest the cluster centre (the "most typical" tracks).

Columns: ``reach``: mean distance from a cluster track to its nearest seed, in the
recommender's space, over the cluster's median neighbour distance (lower = every part of
the mood is near some seed); ``far 10%``: the same at the 90th percentile (the corners);
``genres``: share of the cluster's genres (those with at least 3% of its tracks) that
some seed has (genre labels never reach the algorithm); ``time``: seed choice per cluster.
Not part of CI; prints a table.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.segment import REAL, real_library
from spotui.analysis.matrix import matrix_from_array
from spotui.analysis.moods.segment import compute
from spotui.analysis.recommend.discovery_seeds import covering_seeds
from spotui.analysis.recommend.recommender import RECOMMEND_WEIGHTS

ROOT = Path(__file__).resolve().parents[1]

DRAWS = 20


def score(x: np.ndarray, seeds: list[int], genres: list[str], unit: float) -> tuple:
    d = np.min(np.linalg.norm(x[:, None, :] - x[seeds][None, :, :], axis=2), axis=1)
    names, counts = np.unique(genres, return_counts=True)
    common = set(names[counts >= 0.03 * len(genres)])
    hit = {genres[s] for s in seeds} & common
    return d.mean() / unit, np.percentile(d, 90) / unit, len(hit) / max(1, len(common))


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else REAL
    ids, full, genre_of = real_library(path)
    result = compute(matrix_from_array(ids, full))
    scaled = matrix_from_array(ids, full, weights=RECOMMEND_WEIGHTS)
    row = {t: i for i, t in enumerate(scaled.track_ids)}
    rng = np.random.default_rng(0)
    rows: dict[str, list[tuple]] = {}
    times = []
    for c in result.clusters:
        members = [t for t in result.tracks_in(c.id) if t in row]
        x = scaled.scaled[[row[t] for t in members]].astype(np.float64)
        genres = [genre_of[t] for t in members]
        sample = x[rng.choice(len(x), size=min(len(x), 400), replace=False)]
        nn = np.sort(np.linalg.norm(sample[:, None] - sample[None], axis=2), axis=1)[:, 1]
        unit = float(np.median(nn))
        t0 = time.perf_counter()
        sets = covering_seeds(list(range(len(members))), x)
        times.append(time.perf_counter() - t0)
        chosen = [i for s in sets for i in s]
        rows.setdefault("spotui cover (3 x 5)", []).append(score(x, chosen, genres, unit))
        for name, k in (("random 15", 15), ("random 5", 5)):
            draws = [
                score(x, list(rng.choice(len(x), k, replace=False)), genres, unit)
                for _ in range(DRAWS)
            ]
            rows.setdefault(name, []).append(tuple(np.mean(draws, axis=0)))
        centre = np.argsort(np.linalg.norm(x - x.mean(axis=0), axis=1))[:5]
        rows.setdefault("centre 5", []).append(score(x, list(centre), genres, unit))
    print(f"{len(ids):,} tracks, {len(result.clusters)} clusters ({path.name})")
    print(f"{'seeds':<22} {'reach':>7} {'far 10%':>8} {'genres':>7}")
    for name, vals in rows.items():
        reach, far, gen = np.mean(vals, axis=0)
        print(f"{name:<22} {reach:7.2f} {far:8.2f} {gen:7.0%}")
    print(f"seed choice: {1000 * np.median(times):.1f} ms median per cluster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

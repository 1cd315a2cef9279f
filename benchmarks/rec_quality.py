"""Recommendation quality on a genre-labelled library: genre precision@10 and MRR.

    python benchmarks/rec_quality.py                      # the demo library (2000 tracks)
    python benchmarks/rec_quality.py dataset.csv          # Kaggle "Spotify Tracks Dataset"
    python benchmarks/rec_quality.py dataset.csv --seeds 1000 --k 10

A recommendation is relevant when it shares a genre with the seed (the Kaggle file lists
a track once per genre; those lines are merged into one track with all its genres, by the
app's own CSV parser). Seeds are sampled with a fixed seed, so runs are comparable. Every
seed's own id is excluded from its results; the candidate pool is the whole file.

Rows (all in the same run, on the same seeds):

* baseline: min-max scaled raw features (the same nine columns), unweighted cosine, top-k;
* spotui content only, plain top-k (no diversity, no artist cap, no metadata);
* spotui content only, with the defaults (MMR diversity 0.3, at most 2 per artist);
* spotui hybrid: the defaults plus the genre blend (0.03) -- it uses the very labels the
  benchmark scores, so read it as "how much the blend reorders", not as independent quality;
* spotui with an artist blend (0.05) instead: artists are not the label, but correlate with it.

Not part of CI; prints a table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spotui.analysis.evaluate import precision_at_k, reciprocal_rank, shares_genre  # noqa: E402
from spotui.analysis.matrix import MOOD_FEATURES  # noqa: E402
from spotui.analysis.recommend import Recommender  # noqa: E402
from spotui.model import Features, Track  # noqa: E402
from spotui.sources import demo  # noqa: E402


def load(path: str | None) -> tuple[list[Track], list[Features], str]:
    if path is None:
        lib = demo.generate()
        return lib.tracks, lib.features, f"demo library ({len(lib.tracks)} tracks)"
    from spotui.sources.csv_import import parse_csv

    parsed = parse_csv(path)
    return parsed.tracks, parsed.features, f"{path} ({len(parsed.tracks)} tracks)"


class Baseline:
    """Min-max scaled features, unweighted cosine, full sort: what a first notebook does."""

    def __init__(self, tracks: list[Track], features: list[Features]):
        rows = [
            (f.track_id, [getattr(f, c) for c in MOOD_FEATURES])
            for f in features
            if all(getattr(f, c) is not None for c in MOOD_FEATURES)
        ]
        self.ids = [r[0] for r in rows]
        x = np.array([r[1] for r in rows], dtype=np.float64)
        lo, hi = x.min(axis=0), x.max(axis=0)
        x = (x - lo) / np.where(hi > lo, hi - lo, 1.0)
        self.x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        self.index = {t: i for i, t in enumerate(self.ids)}

    def recommend(self, seed: str, k: int) -> list[str]:
        i = self.index[seed]
        order = np.argsort(-(self.x @ self.x[i]), kind="stable")
        return [self.ids[j] for j in order[: k + 1] if j != i][:k]


def evaluate(name: str, recommend, seeds: list[str], genres: dict, k: int) -> tuple:
    precisions, rrs = [], []
    t = time.perf_counter()
    for s in seeds:
        recs = recommend(s)
        hits = [shares_genre(genres[s], genres.get(r, ())) for r in recs]
        precisions.append(precision_at_k(hits, k))
        rrs.append(reciprocal_rank(hits))
    ms = (time.perf_counter() - t) * 1000 / len(seeds)
    return name, statistics.fmean(precisions), statistics.fmean(rrs), ms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv", nargs="?", help="Kaggle-layout CSV (default: the demo library)")
    ap.add_argument("--seeds", type=int, default=500, help="how many seed tracks (default 500)")
    ap.add_argument("--k", type=int, default=10, help="list length (default 10)")
    ap.add_argument("--seed", type=int, default=0, help="random seed for sampling seeds")
    args = ap.parse_args()

    tracks, features, what = load(args.csv)
    genres = {t.id: t.genres for t in tracks}
    k = args.k

    base = Baseline(tracks, features)
    content = Recommender.from_tracks(tracks, features, genre_boost=0.0)
    hybrid = Recommender.from_tracks(tracks, features)  # default genre blend
    artist = Recommender.from_tracks(tracks, features, genre_boost=0.0, artist_boost=0.05)

    eligible = sorted(t for t in base.ids if t in content.index and genres.get(t))
    rng = np.random.default_rng(args.seed)
    seeds = [
        eligible[i]
        for i in rng.choice(len(eligible), min(args.seeds, len(eligible)), replace=False)
    ]

    def ours(rec: Recommender, **kw):
        return lambda s: [r.track.id for r in rec.recommend([s], n=k, **kw)]

    plain = {"diversity": 0.0, "artist_cap": None}
    rows = [
        evaluate("baseline: min-max + cosine", lambda s: base.recommend(s, k), seeds, genres, k),
        evaluate("spotui content, plain top-k", ours(content, **plain), seeds, genres, k),
        evaluate("spotui content, MMR 0.3 + cap 2 (default)", ours(content), seeds, genres, k),
        evaluate("spotui + genre blend 0.03 (uses labels)", ours(hybrid), seeds, genres, k),
        evaluate("spotui + artist blend 0.05", ours(artist), seeds, genres, k),
    ]
    b_p, b_m = rows[0][1], rows[0][2]
    print(f"{what}; {len(seeds)} seeds (sampling seed {args.seed}); k = {k}")
    print(
        f"{'recommender':<44} {'P@' + str(k):>7} {'vs base':>8} {'MRR':>7} {'vs base':>8} {'ms/seed':>8}"
    )
    for name, p, m, ms in rows:
        print(f"{name:<44} {p:>7.3f} {p - b_p:>+8.3f} {m:>7.3f} {m - b_m:>+8.3f} {ms:>8.2f}")


if __name__ == "__main__":
    main()

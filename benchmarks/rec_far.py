"""Where "nothing sounds close" starts: the best sound a random library seed gets.

    python -m benchmarks.rec_far                        # the synthetic demo library
    python -m benchmarks.rec_far spotify_tracks.csv.gz  # a Kaggle-layout CSV (real data)

For random library tracks as seeds (fixed seed, defaults: MMR 0.3, 2 per artist, versions
of the seed skipped), the ``nearest`` sound of :meth:`Recommender.recommend` (the closest
candidate that could have been returned), as percentiles; the same for 25-track seeds
(a random 25 of a seed's 200 nearest tracks, the shape of "for you"); and, for scale, the
sound of two random library tracks. ``FAR_SOUND`` (spotui/analysis/recommend/scoring.py) is the
5th percentile of the one-seed row on the real sample: a seed whose nearest candidate is
farther than that is farther from everything than 95 of 100 real tracks are. Genre labels
never reach the recommender (:func:`benchmarks.rec_quality.load` drops them).
"""

from __future__ import annotations

import argparse

import numpy as np

from benchmarks.rec_quality import load
from spotui.analysis.recommend.recommender import Recommender
from spotui.analysis.recommend.scoring import FAR_SOUND

PERCENTILES = (1, 5, 10, 25, 50)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv", nargs="?", help="Kaggle-layout CSV (default: the demo library)")
    ap.add_argument("--seeds", type=int, default=3000)
    args = ap.parse_args()
    tracks, features, _, what = load(args.csv)
    assert not any(t.genres for t in tracks), "genre labels must not reach the recommender"
    rec = Recommender.from_tracks(tracks, features)
    rng = np.random.default_rng(0)
    seeds = rng.choice(len(rec), min(args.seeds, len(rec)), replace=False)
    one = np.array([rec.recommend([rec.ids[s]], n=10).nearest for s in seeds])
    x = rec.scaled.astype(np.float64)
    many = []
    for s in seeds[:500]:
        near = np.argsort(np.linalg.norm(x - x[s], axis=1))[:200]
        group = [rec.ids[g] for g in rng.choice(near, 25, replace=False)]
        many.append(rec.recommend(group, n=10).nearest)
    a, b = rng.integers(0, len(x), 20_000), rng.integers(0, len(x), 20_000)
    pairs = rec.similarity(np.linalg.norm(x[a] - x[b], axis=1))
    print(f"{what}; d10 = {rec.d_ref:.3f}")
    print("best sound of a seed      " + "  ".join(f"p{p}" for p in PERCENTILES))
    for label, v in (("one seed", one), ("25 seeds", np.array(many))):
        cells = "  ".join(f"{q:.3f}" for q in np.percentile(v, PERCENTILES))
        print(f"{label:<9} (n={len(v):>4}) {cells}")
    p50, p90, p99 = np.percentile(pairs, (50, 90, 99))
    print(f"two random tracks: median {p50:.3f}, p90 {p90:.3f}, p99 {p99:.3f}")
    print(
        f"FAR_SOUND = {FAR_SOUND}: {np.mean(one < FAR_SOUND):.1%} of one-track seeds and "
        f"{np.mean(np.array(many) < FAR_SOUND):.1%} of 25-track seeds get the note; "
        f"{np.mean(pairs >= FAR_SOUND):.2%} of random pairs sound at least that close"
    )


if __name__ == "__main__":
    main()

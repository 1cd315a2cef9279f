"""Mood segmentation quality and speed on a real library, against the notebook baseline.

    python -m benchmarks.segment [KAGGLE.csv[.gz]] [--sizes 10000,100000] [--repeat 3]

Without a path it uses ``../shared/data/spotify_tracks_114genre_sample.csv.gz`` when present
(17,949 real tracks, 113 genres; see its PROVENANCE.md). ``--sizes`` adds synthetic demo
libraries of those sizes for the speed goals (10k <= 1 s).

Rows, all in one run on the same tracks:

* **spotui**: ``segment.compute`` as the app runs it (k chosen by ``choose_k``).
* **baseline best k**: what a notebook does: StandardScaler on the nine raw features,
  ``KMeans(k, n_init=10)`` for k in 2..12, the best silhouette wins.
* **baseline at spotui's k**: the same, at spotui's k (like-for-like).

Columns, computed the same way for every row:

* ``sil``: silhouette on the **plain standardised nine features** (not each method's own
  space), on a fixed-seed 6,000-track sample;
* ``largest``: the largest cluster's share of the tracks;
* ``purity e/v``: within-cluster SD of energy and of valence over the library's (lower is
  purer; 1.0 = the clusters say nothing about mood);
* ``kept``: share of tracks that keep their label (spotui) or matched cluster (baseline)
  after 5% more tracks are added and the library is segmented again;
* ``NMI``: against the genre labels (which never reach any algorithm here);
* ``time``: seconds for one segmentation (spotui: median of ``--repeat``).

Not part of CI; prints a table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from spotui.analysis import evaluate
from spotui.analysis.matrix import MOOD_FEATURES, build_matrix, matrix_from_array
from spotui.analysis.moods.segment import compute
from spotui.core.records import FEATURE_NAMES
from spotui.sources.demo import generate

ROOT = Path(__file__).resolve().parents[1]

REAL = ROOT.parent / "shared" / "data" / "spotify_tracks_114genre_sample.csv.gz"
SIL_SAMPLE = 6000
EJ, VJ = MOOD_FEATURES.index("energy"), MOOD_FEATURES.index("valence")


def real_library(path: Path):
    import pandas as pd

    df = pd.read_csv(path).drop_duplicates("track_id").sort_values("track_id")
    full = df[list(MOOD_FEATURES)].to_numpy(dtype=np.float64)
    return df.track_id.tolist(), full, dict(zip(df.track_id, df.track_genre, strict=True))


def demo_library(n: int, seed: int = 7):
    lib = generate(n, seed=seed)
    rows = sorted(
        (
            (
                f.track_id,
                *(np.nan if getattr(f, c) is None else getattr(f, c) for c in MOOD_FEATURES),
            )
            for f in lib.features
        ),
        key=lambda r: r[0],
    )
    ids = [r[0] for r in rows]
    return (
        ids,
        np.array([r[1:] for r in rows], dtype=np.float64),
        {t.id: t.genres[0] for t in lib.tracks},
    )


def baseline_fit(full: np.ndarray, k: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    z = (full - full.mean(axis=0)) / full.std(axis=0)
    return KMeans(n_clusters=k, n_init=10, random_state=42).fit(z).labels_


def matched_kept(before: dict, after: dict) -> float:
    """Share of tracks whose cluster is the same after Hungarian matching of cluster ids."""
    from scipy.optimize import linear_sum_assignment

    common = list(before)
    a = np.array([before[t] for t in common])
    b = np.array([after[t] for t in common])
    ka, kb = a.max() + 1, b.max() + 1
    m = np.zeros((ka, kb))
    np.add.at(m, (a, b), 1)
    r, c = linear_sum_assignment(-m)
    return float(m[r, c].sum() / len(common))


class Scorer:
    """The shared yardstick: standardised features, one fixed sample, the same formulas."""

    def __init__(self, full: np.ndarray, ids: list[str], genres: dict):
        ok = ~np.isnan(full).any(axis=1)
        self.ids = [t for t, o in zip(ids, ok, strict=True) if o]
        self.raw = full[ok]
        z = (self.raw - self.raw.mean(axis=0)) / self.raw.std(axis=0)
        self.idx = evaluate.sample_indices(len(z), SIL_SAMPLE, 123)
        self.dist = evaluate.pairwise_distances(z[self.idx])
        self.genres = genres

    def row(self, labels_by_id: dict) -> dict:
        labels = np.array([labels_by_id[t] for t in self.ids])
        shares = evaluate.cluster_shares(labels)
        return {
            "k": len(shares),
            "sil": evaluate.silhouette_from_distances(self.dist, labels[self.idx]),
            "largest": float(shares.max()),
            "pur_e": evaluate.mood_purity(self.raw, labels, [EJ]),
            "pur_v": evaluate.mood_purity(self.raw, labels, [VJ]),
            "nmi": evaluate.genre_nmi(labels_by_id, self.genres),
        }


def run(name: str, ids: list[str], full: np.ndarray, genres: dict, repeat: int) -> list[dict]:
    scorer = Scorer(full, ids, genres)
    matrix = matrix_from_array(ids, full)
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = compute(matrix)
        times.append(time.perf_counter() - t0)
    # retention: segment 20/21 of the library, then all of it (5% more) with that as previous
    rng = np.random.default_rng(5)
    held = set(rng.choice(len(ids), size=len(ids) // 21, replace=False).tolist())
    base_ids = [t for i, t in enumerate(ids) if i not in held]
    base_full = full[[i for i in range(len(ids)) if i not in held]]
    before = compute(matrix_from_array(base_ids, base_full))
    after = compute(matrix, previous=before)
    label_of = {c.id: c.label for c in after.clusters}
    label_before = {c.id: c.label for c in before.clusters}
    kept = np.mean(
        [label_before[c] == label_of[after.assignments[t]] for t, c in before.assignments.items()]
    )
    ours = {
        **scorer.row(result.assignments),
        "who": "spotui",
        "time": statistics.median(times),
        "kept": float(kept),
    }
    rows = [ours]
    best = None
    t0 = time.perf_counter()
    per_k = {}
    for k in range(2, 13):
        labels = baseline_fit(scorer.raw, k)
        per_k[k] = dict(zip(scorer.ids, labels.tolist(), strict=True))
    base_time = time.perf_counter() - t0
    best = max(per_k, key=lambda k: scorer.row(per_k[k])["sil"])
    for who, k in (("baseline best k", best), ("baseline at spotui's k", ours["k"])):
        sub = [i for i, t in enumerate(scorer.ids) if t in set(base_ids)]
        before_b = dict(
            zip(
                [scorer.ids[i] for i in sub], baseline_fit(scorer.raw[sub], k).tolist(), strict=True
            )
        )
        rows.append(
            {
                **scorer.row(per_k[k]),
                "who": who,
                "time": base_time,
                "kept": matched_kept(before_b, per_k[k]),
            }
        )
    for r in rows:
        r.update(library=name, n=len(scorer.ids))
    labels = [(c.label, c.size) for c in result.clusters]
    return rows, labels, result


def fmt(v, d: int = 3) -> str:
    return "n/a" if v is None else f"{v:.{d}f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv", nargs="?", help="Kaggle-layout CSV (default: the shared real sample)")
    ap.add_argument(
        "--sizes", default="10000", help="demo library sizes for speed, e.g. 10000,100000"
    )
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    compute(
        build_matrix(
            [(f"w{i}", *np.random.default_rng(i).random(len(FEATURE_NAMES))) for i in range(300)]
        )
    )

    libraries = []
    path = Path(args.csv) if args.csv else REAL
    if path.exists():
        libraries.append((path.name.split(".")[0][:22], *real_library(path)))
    else:
        print(f"(no real CSV at {path}; demo libraries only)", file=sys.stderr)
    for size in (int(s) for s in args.sizes.split(",") if s):
        libraries.append((f"demo {size // 1000}k", *demo_library(size)))

    header = (
        f"{'library':<24} {'tracks':>7} {'who':<24} {'k':>3} {'sil':>6} {'largest':>8} "
        f"{'purity e/v':>11} {'kept':>6} {'NMI':>6} {'time s':>7}"
    )
    print(header)
    print("-" * len(header))
    details = []
    for name, ids, full, genres in libraries:
        print(f"running {name} ({len(ids)} tracks)...", file=sys.stderr, flush=True)
        rows, labels, result = run(name, ids, full, genres, args.repeat)
        details.append((name, labels, result.params.get("k_tried")))
        for r in rows:
            print(
                f"{r['library']:<24} {r['n']:>7} {r['who']:<24} {r['k']:>3} {fmt(r['sil']):>6} "
                f"{r['largest']:>8.1%} {fmt(r['pur_e'], 2):>5}/{fmt(r['pur_v'], 2):<5} "
                f"{r['kept']:>6.1%} {fmt(r['nmi']):>6} {r['time']:>7.2f}"
            )
    print()
    print("sil: silhouette on the standardised nine features (same sample and formula for all).")
    print(
        "kept: label kept (spotui) / matched cluster kept (baseline) after adding 5% more tracks."
    )
    print("Genre labels are used only for NMI; no algorithm sees them.")
    print("Goals: sil >= 0.12, largest <= 40%, kept >= 95%, 10k tracks <= 1 s.")
    for name, labels, tried in details:
        print(f"\n{name}: " + ", ".join(f"{label} ({size})" for label, size in labels))
        if tried:
            print(
                "  k tried: "
                + "; ".join(
                    f"{k}: sil {v['silhouette']}, largest {v['max_share']}, impurity "
                    f"{v['impurity']}, stability {v['stability']}{'' if v['admissible'] else ' (x)'}"
                    for k, v in tried.items()
                )
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

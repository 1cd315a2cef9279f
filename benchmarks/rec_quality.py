"""Recommendation quality on a genre-labelled set: genre precision@10, macro P@10 and MRR.

    python -m benchmarks.rec_quality                       # the synthetic demo library
    python -m benchmarks.rec_quality spotify_tracks.csv.gz # a Kaggle-layout CSV (real data)
    python -m benchmarks.rec_quality data.csv.gz --half tune --seeds 2000

A recommendation is relevant when it has the seed's genre. **Genre labels never reach the
recommender**: the tracks the pool is built from carry no genres (the label is kept in a
separate dict, and the script checks that no pool track has a genre), and the genre blend
is off. Seeds are split once with a fixed random permutation: weights and scoring were
tuned on the ``tune`` half; the table reports the other (``test``, held-out) half unless
asked otherwise. Every row runs on the same seeds and the same pool, seed excluded.

Rows, side by side:

* random: k random other tracks;
* min-max cosine: the nine raw features min-max scaled, cosine, top-k;
* z-score cosine: StandardScaler on the nine raw features, cosine, top-k (the baseline);
* z-score cosine + version rule: the same, skipping versions of the seed and of earlier
  picks, as spotui does (versions of one song mostly share a genre label, so counting
  them as hits flatters a recommender that returns them);
* spotui before: the previous scoring (cosine on the median-centred matrix, old weights),
  with the version rule;
* spotui scoring, versions allowed: today's distance and weights as a plain numpy top-k
  without the version rule, to compare with the baseline on its own terms;
* spotui plain top-k: ``diversity=0, artist_cap=None``;
* spotui defaults: MMR diversity 0.3 and at most 2 tracks per artist.

Then the shown-score distribution, versions of the seed in the results and "high X"
claims below Spotify's bars. Not part of CI; prints a table.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from benchmarks import evaluation as ev
from spotui.analysis.matrix import MOOD_FEATURES, matrix_from_array
from spotui.analysis.recommend.reasons import false_level_claims
from spotui.analysis.recommend.recommender import Recommender
from spotui.analysis.recommend.same_song import VersionFilter, same_song, version_groups
from spotui.sources import demo

#: The weights before this benchmark was run on real data (cosine scoring), for "before".
OLD_WEIGHTS = {
    "danceability": 0.7,
    "energy": 1.2,
    "valence": 0.8,
    "acousticness": 2.4,
    "instrumentalness": 2.0,
    "speechiness": 0.3,
    "liveness": 0.3,
    "tempo": 0.3,
    "loudness": 0.8,
}


def load(path: str | None):
    """(tracks without genres, features, labels: id -> genres, description)."""
    if path is None:
        lib = demo.generate()
        full = {
            f.track_id: f
            for f in lib.features
            if all(getattr(f, c) is not None for c in MOOD_FEATURES)
        }
        labels = {t.id: t.genres for t in lib.tracks}
        tracks = [dataclasses.replace(t, genres=()) for t in lib.tracks if t.id in full]
        features = [full[t.id] for t in tracks]
        return tracks, features, labels, f"demo library ({len(tracks)} tracks with features)"
    tracks, features, genre = ev.load_labelled_csv(path)
    labels = {tid: (g,) for tid, g in genre.items()}
    return tracks, features, labels, f"{Path(path).name} ({len(tracks)} tracks)"


def raw_matrix(ids, features) -> np.ndarray:
    by_id = {f.track_id: f for f in features}
    return np.array([[getattr(by_id[t], c) for c in MOOD_FEATURES] for t in ids], dtype=float)


def collapse_versions(top: np.ndarray, seeds, tracks, k: int) -> list[list[int]]:
    """Each candidate list without versions of the seed or of earlier picks, cut to k."""
    out = []
    for s, row in zip(seeds, top, strict=True):
        seen = VersionFilter([tracks[s]])
        kept = []
        for j in row:
            if not seen.seen(tracks[j]):
                seen.add(tracks[j])
                kept.append(int(j))
            if len(kept) == k:
                break
        out.append(kept)
    return out


class Scorer:
    """Precision@k, macro precision@k (mean over the seeds' genres) and MRR."""

    def __init__(self, ids, labels, k):
        self.ids, self.labels, self.k = ids, labels, k

    def __call__(self, seeds, lists) -> tuple[float, float, float]:
        p, rr, by_genre = [], [], defaultdict(list)
        for s, rec in zip(seeds, lists, strict=True):
            g = self.labels[self.ids[s]]
            hits = [ev.shares_genre(g, self.labels[self.ids[j]]) for j in rec]
            p.append(ev.precision_at_k(hits, self.k))
            rr.append(ev.reciprocal_rank(hits))
            by_genre[g[0] if g else ""].append(p[-1])
        macro = float(np.mean([np.mean(v) for v in by_genre.values()]))
        return float(np.mean(p)), macro, float(np.mean(rr))


def run_spotui(rec: Recommender, seeds, ids, tracks, k, **kw):
    """Result rows per seed, shown scores, versions of the seed, false "high X" claims."""
    lists, scores, versions, false = [], [], 0, 0
    t = time.perf_counter()
    for s in seeds:
        res = rec.recommend([ids[s]], n=k, **kw)
        rows = [rec.index[r.track.id] for r in res]
        lists.append([pool_to_input[r] for r in rows])
        scores += [r.score for r in res]
        i = rec.index[ids[s]]
        versions += sum(same_song(tracks[s], r.track) for r in res)
        false += sum(
            len(false_level_claims(r.reason, rec.raw[i], rec.raw[j]))
            for r, j in zip(res, rows, strict=True)
        )
    ms = (time.perf_counter() - t) * 1000 / max(len(seeds), 1)
    return lists, np.array(scores), versions, false, ms


pool_to_input: dict[int, int] = {}
ids_: list[str] = []


def cosine_lists(z, seeds, k):
    return [list(r) for r in ev.cosine_topk(z, seeds, k)]


def old_spotui(ids, x, seeds, k):
    """The previous scoring: cosine on the median-centred matrix with OLD_WEIGHTS."""
    m = matrix_from_array(ids, x, weights=OLD_WEIGHTS)
    u = m.scaled.astype(np.float64)
    u /= np.maximum(np.linalg.norm(u, axis=1, keepdims=True), 1e-12)
    top = ev.cosine_topk(u, seeds, k)
    scores = np.take_along_axis(u[seeds] @ u.T, top[:, :10], axis=1).ravel()
    return [list(r) for r in top], scores


def euclid_lists(rec: Recommender, seeds, k):
    """spotui's scoring as plain numpy top-k, *without* the version rule (like the baseline)."""
    x = rec.scaled.astype(np.float64)
    sq = (x * x).sum(axis=1)
    out = []
    for a in range(0, len(seeds), 1024):
        rows = np.array([rec.index[ids_[s]] for s in seeds[a : a + 1024]])
        d2 = sq[None, :] - 2.0 * x[rows] @ x.T
        d2[np.arange(len(rows)), rows] = np.inf
        idx = np.argpartition(d2, k, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(d2, idx, axis=1), axis=1, kind="stable")
        out += [[pool_to_input[j] for j in r] for r in np.take_along_axis(idx, order, axis=1)]
    return out


def quantiles(scores) -> str:
    q = np.percentile(scores, [5, 25, 50, 75, 95]) if len(scores) else [np.nan] * 5
    share = float(np.mean(np.asarray(scores) >= 0.99)) if len(scores) else float("nan")
    return f">= 0.99: {share:6.2%}   quantiles 5/25/50/75/95%: " + " ".join(f"{v:.3f}" for v in q)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv", nargs="?", help="Kaggle-layout CSV, .gz ok (default: the demo)")
    ap.add_argument("--half", choices=("test", "tune"), default="test", help="seed half")
    ap.add_argument("--seeds", type=int, default=0, help="at most this many seeds (0 = all)")
    ap.add_argument("--k", type=int, default=10, help="list length (default 10)")
    args = ap.parse_args()
    k = args.k

    tracks, features, labels, what = load(args.csv)
    rec = Recommender.from_tracks(tracks, features)
    ids = [t.id for t in tracks]
    with_genre = sum(1 for t in tracks if t.genres)
    assert with_genre == 0 and rec.genre_boost == 0.0, "genre labels reached the pool"
    assert all(t in rec.index for t in ids), "every track needs full features here"
    pool_to_input.update({rec.index[t]: i for i, t in enumerate(ids)})
    ids_.extend(ids)
    x = raw_matrix(ids, features)
    tune, test = ev.split_seeds(list(range(len(ids))))
    seeds = tune if args.half == "tune" else test
    if args.seeds and args.seeds < len(seeds):
        pick = np.random.default_rng(1).choice(len(seeds), args.seeds, replace=False)
        seeds = [seeds[i] for i in np.sort(pick)]
    score = Scorer(ids, labels, k)

    rng = np.random.default_rng(2)
    rand = [[int(j) for j in rng.choice(len(ids) - 1, k, replace=False)] for _ in seeds]
    rand = [[j + (j >= s) for j in r] for s, r in zip(seeds, rand, strict=True)]
    span = x.max(axis=0) - x.min(axis=0)
    minmax = (x - x.min(axis=0)) / np.where(span > 0, span, 1.0)
    t = time.perf_counter()
    z_lists = [list(r) for r in ev.zscore_cosine_topk(x, seeds, 4 * k)]
    z_ms = (time.perf_counter() - t) * 1000 / len(seeds)
    old_lists, old_scores = old_spotui(ids, x, seeds, 4 * k)
    plain = run_spotui(rec, seeds, ids, tracks, k, diversity=0.0, artist_cap=None)
    dflt = run_spotui(rec, seeds, ids, tracks, k)

    rows = [
        ("random", score(seeds, rand), None),
        ("min-max cosine", score(seeds, cosine_lists(minmax, seeds, k)), None),
        ("z-score cosine (baseline)", score(seeds, [r[:k] for r in z_lists]), z_ms),
        (
            "z-score cosine + version rule",
            score(seeds, collapse_versions(z_lists, seeds, tracks, k)),
            None,
        ),
        (
            "spotui before (cosine, old weights)",
            score(seeds, collapse_versions(old_lists, seeds, tracks, k)),
            None,
        ),
        ("spotui scoring, versions allowed", score(seeds, euclid_lists(rec, seeds, k)), None),
        ("spotui plain top-10", score(seeds, plain[0]), plain[4]),
        ("spotui defaults (MMR 0.3, cap 2)", score(seeds, dflt[0]), dflt[4]),
    ]
    report(what, args, seeds, rows, k, tracks, z_lists, old_scores, plain, dflt, with_genre)


def report(what, args, seeds, rows, k, tracks, z_lists, old_scores, plain, dflt, with_genre):
    print(f"{what}; {len(seeds)} held-out seeds ({args.half} half of a fixed split); k = {k}")
    print(
        f"Genre labels never reach the recommender: {with_genre} pool tracks carry a genre, "
        "genre_boost = 0; labels are only read to score."
    )
    base = rows[2][1]
    print(f"\n{'recommender':<38} {'P@10':>7} {'macro':>7} {'MRR':>7} {'vs base':>8} {'ms':>6}")
    for name, (p, macro, mrr), ms in rows:
        ms_s = "" if ms is None else f"{ms:.2f}"
        print(f"{name:<38} {p:>7.4f} {macro:>7.4f} {mrr:>7.4f} {p - base[0]:>+8.4f} {ms_s:>6}")
    print("\nshown scores of the results:")
    print(f"  spotui before (cosine)  {quantiles(old_scores)}")
    print(f"  spotui plain top-10     {quantiles(plain[1])}")
    print(f"  spotui defaults         {quantiles(dflt[1])}")
    groups = version_groups(tracks)
    pairs = sum(len(g) * (len(g) - 1) // 2 for g in groups)
    z_versions = sum(
        same_song(tracks[s], tracks[j]) for s, r in zip(seeds, z_lists, strict=True) for j in r[:k]
    )
    print(
        f"\nversions of one song in the pool: {len(groups)} songs with 2+ versions, "
        f"{pairs} pairs, {sum(map(len, groups))} tracks"
    )
    print(
        f"versions of the seed in the results: spotui plain {plain[2]}, defaults {dflt[2]} "
        f"(z-score baseline: {z_versions})"
    )
    print(
        f'"high/low X" claims below Spotify\'s bars: plain {plain[3]}, defaults {dflt[3]} '
        f"(over {len(plain[1]) + len(dflt[1])} reasons)"
    )


if __name__ == "__main__":
    main()

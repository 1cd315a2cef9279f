"""Playlists as taste: content-only vs co-occurrence-only vs the blend, on held-out playlist
membership.

    python -m benchmarks.hybrid                     # demo library + the real sample
    python -m benchmarks.hybrid --csv PATH --per-playlist 5

Protocol (playlist continuation): for a playlist P, hide some of its tracks H, recommend
from the rest of P (the seeds), and look for H among the top 10 of every track that is not
a seed. **The hidden track's playlist is never used in scoring**: P is left out of the
co-occurrence baskets for that query (all its other members are seeds anyway). Two hiding
rules, each on every playlist:

* leave-one-out: each of up to ``--per-playlist`` members in turn (fixed random choice);
  R = 1, so R-precision is precision@1;
* hide 30% (at least 2; playlists of 6+ tracks): R = |H|, R-precision = |top-R & H| / R;
* 5 seeds: five random members are the seeds and one other is hidden (playlists of 6+
  tracks; ``--per-playlist`` draws each), like "for you" or a few picked tracks: chance
  co-occurrence (one shared saved week) weighs more here.

Metrics: hit-rate@10 (share of queries with a hidden track in the top 10) and R-precision.
Rows: content-only (spotui's distance score to the seeds' centroid), co-occurrence-only
(:mod:`spotui.analysis.recommend.taste`; ties in a fixed random order, not the file's), and the blend
for several weights. Plain scoring: no MMR, no artist cap (they do not depend on the weight).
Playlists are split in two with a fixed permutation: the weight is chosen on the ``tune``
half, and the table reports the ``test`` half.

Data:

* demo: the demo library's 5 owned playlists (two synthetic genres each, disjoint) and its
  saved-together weeks (random dates): co-occurrence has **no real signal** there, so it
  shows what the blend costs when the user's playlists say nothing;
* real: the 17,949-track Kaggle sample (``../shared/data``), with playlists made from its
  metadata: every ``album_name`` with 4..60 tracks (many are real curated compilations:
  "Halloween Party 2022", "Alternative Christmas 2022") and every artist (``artists`` split
  on ``;``) with 5+ tracks. Genre labels are not read at all. A track is usually in its
  album's and its artists' playlists, so co-occurrence there mostly rediscovers "same
  album / same artist / collaborator": real user playlists overlap less predictably.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from benchmarks import evaluation as ev
from spotui.analysis.recommend.recommender import Recommender
from spotui.analysis.recommend.taste import (
    MIN_SUPPORT,
    PLAYLIST_WEIGHT,
    Basket,
    Cooccurrence,
    blend,
    saved_weeks,
)
from spotui.sources import demo

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data"
#: Rows: ("linear", w) is spotui's :func:`~spotui.analysis.recommend.taste.blend`, ``(1 - w) * content
#: + w * co``; ("lift", w) was tried and not kept: ``content + w * co * (1 - content)``.
BLENDS = (("linear", 0.3), ("linear", 0.5), ("linear", 0.7), ("linear", 0.9),
          ("lift", 0.5), ("lift", 0.8), ("lift", 1.0))  # fmt: skip
K = 10


def demo_data():
    lib = demo.generate()
    have = {f.track_id for f in lib.features}
    tracks = [t for t in lib.tracks if t.id in have]
    rec = Recommender.from_tracks(tracks, lib.features)
    playlists = [
        Basket(f"playlist:{p.id}", PLAYLIST_WEIGHT, tuple(t for t in items if t in have))
        for p, items in lib.playlists
    ]
    return rec, playlists, saved_weeks(lib.saved), "demo (5 playlists + saved weeks)"


def real_data(path: Path):
    csv = sorted(path.glob("*.csv*"))[0] if path.is_dir() else path
    tracks, features, _genres_unused = ev.load_labelled_csv(csv)
    rec = Recommender.from_tracks(tracks, features)
    albums: dict[str, list[str]] = {}
    artists: dict[str, list[str]] = {}
    for t in tracks:
        albums.setdefault(t.album, []).append(t.id)
        for a in t.artists:
            artists.setdefault(a, []).append(t.id)
    playlists = [
        Basket(f"album:{name}", PLAYLIST_WEIGHT, tuple(ids))
        for name, ids in sorted(albums.items())
        if 4 <= len(ids) <= 60
    ] + [
        Basket(f"artist:{name}", PLAYLIST_WEIGHT, tuple(ids))
        for name, ids in sorted(artists.items())
        if len(ids) >= 5
    ]
    n_album = sum(1 for p in playlists if p.key.startswith("album:"))
    what = f"real sample ({n_album} album + {len(playlists) - n_album} artist playlists)"
    return rec, playlists, [], what


def queries(playlists, per_playlist: int, rule: str, rng):
    """(playlist, hidden ids) pairs."""
    out = []
    for p in playlists:
        ids = list(p.track_ids)
        if rule == "loo":
            for i in rng.permutation(len(ids))[:per_playlist]:
                out.append((p, (ids[i],)))
        elif rule == "five" and len(ids) >= 6:  # 5 seeds, one hidden: like "for you"
            for _ in range(per_playlist):
                pick = rng.permutation(len(ids))
                out.append((p, ((ids[pick[5]],), tuple(ids[i] for i in pick[:5]))))
        elif rule == "hide30" and len(ids) >= 6:
            h = max(2, round(0.3 * len(ids)))
            out.append((p, tuple(ids[i] for i in rng.permutation(len(ids))[:h])))
    return out


def evaluate(rec, co, qs, tiebreak, weights):
    """{row name: (hit-rate@10, R-precision)} over the queries ``qs``."""
    names = [
        "content-only",
        "co-occurrence-only (support 1)",
        "co-occurrence-only",
        "linear w=0.9 (support 1)",
        *(f"{kind} w={w}" for kind, w in weights),
    ]
    hits = {n: 0 for n in names}
    rprec = {n: 0.0 for n in names}
    scaled = rec.scaled.astype(np.float64)
    for p, hidden in qs:
        hidden, seeds = hidden if isinstance(hidden[0], tuple) else (hidden, None)
        hidden_set = set(hidden)
        seeds = seeds or [t for t in p.track_ids if t not in hidden_set]
        rows = [rec.index[t] for t in seeds]
        q = scaled[rows].mean(axis=0)
        content = rec.similarity(np.linalg.norm(scaled - q, axis=1))
        cooc1, cooc = np.zeros(len(rec)), np.zeros(len(rec))
        for vec, support in ((cooc1, 1), (cooc, MIN_SUPPORT)):
            for t, v in co.scores(seeds, exclude={p.key}, min_support=support).items():
                if t in rec.index:  # saved tracks without features are not candidates
                    vec[rec.index[t]] = v
        target = np.array([rec.index[t] for t in hidden])
        r = len(hidden)
        for name in names:
            if name == "content-only":
                s = content
            elif name == "co-occurrence-only":
                s = cooc
            elif name == "co-occurrence-only (support 1)":
                s = cooc1
            elif name == "linear w=0.9 (support 1)":
                s = blend(content, cooc1, 0.9)
            elif name.startswith("linear"):
                s = blend(content, cooc, float(name.split("=")[1]))
            else:
                s = content + float(name.split("=")[1]) * cooc * (1 - content)
            # equal scores in a fixed random order (the file is sorted by genre)
            s = s + tiebreak
            s[rows] = -np.inf
            m = max(K, r)
            part = np.argpartition(-s, m)[:m]
            top = part[np.argsort(-s[part], kind="stable")]
            hits[name] += bool(np.isin(top[:K], target).any())
            rprec[name] += np.isin(top[:r], target).sum() / r
    n = max(len(qs), 1)
    return {name: (hits[name] / n, rprec[name] / n) for name in names}, len(qs)


def run(rec, playlists, extra, what, per_playlist, weights, tune: bool):
    per_playlist = per_playlist if extra == [] else max(per_playlist, 100)  # demo: 5 playlists
    co = Cooccurrence([*playlists, *extra])
    perm = np.random.default_rng(0).permutation(len(playlists))
    half = set(perm[: len(playlists) // 2].tolist())
    part = [p for i, p in enumerate(playlists) if (i in half) == tune]
    # below any real score difference: only orders exact ties
    tiebreak = np.random.default_rng(1).permutation(len(rec)) * (1e-9 / len(rec))
    out = {}
    for rule in ("loo", "hide30", "five"):
        qs = queries(part, per_playlist, rule, np.random.default_rng(2))
        out[rule] = evaluate(rec, co, qs, tiebreak, weights)
    return out, what, len(part)


def print_table(results, what, n_playlists, half, seconds):
    print(f"\n{what}: {half} half, {n_playlists} playlists ({seconds:.1f} s)")
    (loo, n_loo), (h30, n_h30), (five, n_five) = (results[r] for r in ("loo", "hide30", "five"))
    print(
        "| scorer | leave-one-out hit@10 | R-prec (=P@1) | hide-30% hit@10 | R-prec "
        "| 5 seeds hit@10 | R-prec (=P@1) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in loo:
        cells = [*loo[name], *h30[name], *five[name]]
        print(f"| {name} | " + " | ".join(f"{x:.3f}" for x in cells) + " |")
    print(f"({n_loo} leave-one-out, {n_h30} hide-30%, {n_five} 5-seed queries)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--per-playlist", type=int, default=5)
    ap.add_argument("--half", choices=("tune", "test", "both"), default="both")
    args = ap.parse_args()
    sets = [demo_data()]
    if args.csv.exists():
        sets.append(real_data(args.csv))
    else:
        print(f"(no real sample at {args.csv}; demo only)")
    halves = ("tune", "test") if args.half == "both" else (args.half,)
    for data in sets:
        for half in halves:
            t0 = time.perf_counter()
            results, what, n = run(*data, args.per_playlist, BLENDS, tune=half == "tune")
            print_table(results, what, n, half, time.perf_counter() - t0)


if __name__ == "__main__":
    main()

"""Do the moods stay put as a real listener's library grows? Measured through the store.

    python -m benchmarks.mood_stability [KAGGLE.csv[.gz]] [--quick]

Listener-like libraries are cut from the real sample (``../shared/data``, 17,949 tracks,
113 genres): a mix of related genres (rock, electronic, acoustic...), two seeds each, every
track of those genres but 250, which arrive afterwards in five syncs of 50. The sample holds
~160 tracks a genre, so a 1-2k-track library takes 9-12 neighbouring genres (the Kaggle
labels split "rock" into rock, alt-rock, grunge, garage...). Two more listeners show the
refit rule at work: a small library (400 tracks) that doubles in syncs of 50, and an acoustic
listener whose syncs bring metal (a new kind of music none of the moods is about). Each library goes
through the app's own path: tracks and features into a :class:`~spotui.store.Store`, then
:func:`spotui.session.mood_store.segment` after every sync, as the TUI and ``spotui segment``
do. Genres pick the tracks and score the moods; they never reach the store or the algorithm.

Per library, in one table:

* ``k``: k after the first fit and after each sync;
* ``moved/sync``: mean share of the tracks already there that changed mood (id or label)
  per sync, and the worst sync; ``renamed``: moods renamed without a refit (goal 0);
* ``refits``: syncs that made the moods again, with the reason codes;
* ``words``: the lowest share, over the moods, of members that every word of the mood's
  label holds for (goal >= 60%); ``largest``: the largest mood's share (goal <= 40%);
* ``sil`` / ``e/v``: silhouette on the plain standardised nine features and the energy and
  valence spread inside moods over the library's (lower = purer), after the last sync, next
  to KMeans on all nine standardised features and KMeans on energy and valence alone, both
  at spotui's k (the two ends of the separation vs mood trade-off).

Then the whole sample: fit on 95% and add the other 5% (share that keeps its mood), the same
library refitted twice (identical moods?), and the time to place 60 new tracks in a
~20,000-track library against a full re-segment, in the same run.

Not part of CI; prints tables.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from spotui.analysis import evaluate
from spotui.analysis.matrix import MOOD_FEATURES
from spotui.analysis.moods.labels import word_shares
from spotui.analysis.moods.refit_rule import label_word_share
from spotui.core.feature_spec import FEATURE_NAMES
from spotui.core.records import Track
from spotui.session.mood_store import segment
from spotui.store import Store

ROOT = Path(__file__).resolve().parents[1]

REAL = ROOT.parent / "shared" / "data" / "spotify_tracks_114genre_sample.csv.gz"
EJ, VJ = MOOD_FEATURES.index("energy"), MOOD_FEATURES.index("valence")

#: Related genres a listener might have together (names as in the Kaggle layout).
MIXES: dict[str, tuple[str, ...]] = {
    "rock": (
        "rock", "alt-rock", "hard-rock", "grunge", "punk-rock", "psych-rock", "indie",
        "alternative", "british", "garage", "punk", "rock-n-roll",
    ),
    "electronic": (
        "house", "deep-house", "chicago-house", "techno", "minimal-techno", "detroit-techno",
        "edm", "trance", "electro", "electronic", "progressive-house",
    ),
    "acoustic": (
        "acoustic", "folk", "singer-songwriter", "piano", "chill", "ambient", "new-age",
        "guitar", "sleep", "study",
    ),
    "latin": (
        "latin", "latino", "salsa", "reggaeton", "samba", "pagode", "mpb", "forro",
        "sertanejo", "brazil",
    ),
    "pop": (
        "pop", "indie-pop", "synth-pop", "power-pop", "dance", "k-pop", "j-pop", "cantopop",
        "mandopop", "pop-film",
    ),
    "metal": (
        "metal", "heavy-metal", "death-metal", "black-metal", "metalcore", "hardcore",
        "grindcore", "emo", "goth", "industrial",
    ),
    "soul": ("soul", "r-n-b", "funk", "groove", "gospel", "hip-hop", "jazz", "blues", "disco"),
}  # fmt: skip
HELD_OUT, BATCH, SYNCS = 250, 50, 5


def read_sample(path: Path) -> tuple[list[str], dict[str, dict], dict[str, str]]:
    """Track ids in file order, their rows and genres (first row of a repeated id wins)."""
    rows, genre, order = {}, {}, []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            tid = row["track_id"]
            if tid in rows:
                continue
            rows[tid] = row
            genre[tid] = row["track_genre"]
            order.append(tid)
    return order, rows, genre


def add_tracks(store: Store, rows: dict[str, dict], ids: list[str]) -> None:
    """Tracks and features into the store as a library CSV import would put them (no genre)."""
    tracks = [Track(t, rows[t]["track_name"], tuple(rows[t]["artists"].split(";"))) for t in ids]
    store.tracks.upsert_tracks(tracks)
    feats = [(t, "csv", *(float(rows[t][c]) for c in FEATURE_NAMES)) for t in ids]
    store.tracks.upsert_feature_rows(feats, record_lookups=False)
    store.library.add_imports(ids, "library", "benchmark")


def mood_of(result) -> dict[str, tuple[int, str]]:
    labels = {c.id: c.label for c in result.clusters}
    return {t: (c, labels[c]) for t, c in result.assignments.items()}


def words_and_largest(result, rows: dict[str, dict]) -> tuple[float, float]:
    ids = list(result.assignments)
    raw = np.array([[float(rows[t][c]) for c in MOOD_FEATURES] for t in ids])
    of = np.array([result.assignments[t] for t in ids])
    shares, _ = word_shares(raw, of, MOOD_FEATURES)
    labels = {c.id: c.label for c in result.clusters}
    words = label_word_share(labels, shares)
    largest = max(c.size for c in result.clusters) / max(len(ids), 1)
    return min(words.values()), largest


def quality(result, rows) -> dict[str, tuple[float, float, float]]:
    """sil, purity e, purity v for spotui and the two KMeans ends, at spotui's k."""
    from sklearn.cluster import KMeans

    ids = sorted(result.assignments)
    raw = np.array([[float(rows[t][c]) for c in MOOD_FEATURES] for t in ids])
    z = (raw - raw.mean(axis=0)) / np.maximum(raw.std(axis=0), 1e-9)
    k = max(result.k, 2)
    ev = z[:, [EJ, VJ]]

    def score(labels) -> tuple[float, float, float]:
        sil = evaluate.silhouette(z.astype(np.float32), labels, 4000, 0)
        return (
            sil if sil is not None else float("nan"),
            evaluate.mood_purity(raw, labels, [EJ]),
            evaluate.mood_purity(raw, labels, [VJ]),
        )

    return {
        "spotui": score(np.array([result.assignments[t] for t in ids])),
        "kmeans 9": score(KMeans(k, n_init=4, random_state=0).fit(z).labels_),
        "kmeans e/v": score(KMeans(k, n_init=4, random_state=0).fit(ev).labels_),
    }


def listener(genres: tuple[str, ...], seed: int, order, genre) -> list[str]:
    """Every sample track of ``genres`` in a seeded random order (the last ones come later)."""
    ids = [t for t in order if genre[t] in genres]
    rng = np.random.default_rng(seed)
    return [ids[i] for i in rng.permutation(len(ids))]


def grow(name: str, genres: tuple[str, ...], seed: int, order, rows, genre) -> dict:
    """One listener: fit, then five syncs of 50; every number of the table's row."""
    ids = listener(genres, seed, order, genre)
    later, first = ids[:HELD_OUT], ids[HELD_OUT:]
    batches = [later[i * BATCH : (i + 1) * BATCH] for i in range(SYNCS)]
    return grow_library(f"{name} s{seed}", first, batches, rows)


def grow_library(name: str, first: list[str], batches: list[list[str]], rows) -> dict:
    """Fit on ``first``, then one sync per batch, segmenting after each."""
    added = sum(len(b) for b in batches)
    with tempfile.TemporaryDirectory() as d:
        store = Store.open(Path(d) / "lib.sqlite3")
        add_tracks(store, rows, first)
        result = segment(store)
        before = first_result = result
        ks, moved, renamed, refits = [result.k], [], 0, []
        for batch in batches:
            add_tracks(store, rows, batch)
            result = segment(store)
            old, new = mood_of(before), mood_of(result)
            changed = sum(1 for t, m in old.items() if new.get(t) != m)
            moved.append(changed / max(len(old), 1))
            refit = (result.params.get("changes") or {}).get("refit")
            if refit:
                refits.append(refit["code"])
            else:
                renamed += len(result.params["changes"]["renamed"])
            ks.append(result.k)
            before = result
        words, largest = words_and_largest(result, rows)
        first_moods = typical(first_result, rows)
        last_moods = typical(result, rows)
        q = quality(result, rows)
        store.close()
    return {
        "library": name,
        "tracks": f"{len(first):,}+{added}",
        "k": "→".join(map(str, ks)),
        "moved": statistics.mean(moved),
        "worst": max(moved),
        "renamed": renamed,
        "refits": ",".join(refits) or "-",
        "words": words,
        "largest": largest,
        "q": q,
        "labels": [c.label for c in result.clusters],
        "before": first_moods,
        "after": last_moods,
    }


def typical(result, rows) -> list[str]:
    """Each mood's label and size with its three most typical tracks."""
    out = []
    for c in result.clusters:
        names = [
            f"{rows[t]['track_name'][:28]} ({rows[t]['artists'].split(';')[0][:18]})"
            for t in result.examples.get(c.id, [])[:3]
        ]
        out.append(f"{c.label} ({c.size:,}): " + "; ".join(names))
    return out


#: Kaggle genres that name a mood: weak tags to check the moods against (never shown to them).
MOOD_TAGS = ("happy", "party", "sad", "chill", "sleep", "study", "romance")


def mood_tags(result, genre: dict[str, str]) -> str:
    """Where each mood-tag genre's tracks went: the mood holding most of them, and its share."""
    labels = {c.id: c.label for c in result.clusters}
    parts = []
    for tag in MOOD_TAGS:
        ids = [t for t, g in genre.items() if g == tag and t in result.assignments]
        if not ids:
            continue
        counts: dict[int, int] = {}
        for t in ids:
            counts[result.assignments[t]] = counts.get(result.assignments[t], 0) + 1
        top = max(counts, key=counts.get)
        parts.append(f"{tag} → {labels[top]} ({counts[top] / len(ids):.0%})")
    return "mood tags: " + ", ".join(parts)


def whole_sample(order, rows, genre) -> list[str]:
    """95% + 5% on the whole sample, refit twice, and placing 60 tracks against a refit."""
    out = []
    rng = np.random.default_rng(7)
    ids = [order[i] for i in rng.permutation(len(order))]
    cut = int(len(ids) * 0.95)
    with tempfile.TemporaryDirectory() as d:
        store = Store.open(Path(d) / "whole.sqlite3")
        add_tracks(store, rows, ids[:cut])
        t = time.perf_counter()
        first = segment(store)
        fit_s = time.perf_counter() - t
        add_tracks(store, rows, ids[cut:])
        after = segment(store)
        old, new = mood_of(first), mood_of(after)
        kept = sum(1 for tid, m in old.items() if new.get(tid) == m) / len(old)
        refit = (after.params.get("changes") or {}).get("refit")
        out.append(
            f"whole sample {cut:,} + {len(ids) - cut:,} (5%): {kept:.1%} keep their mood, "
            f"k {first.k} → {after.k}, refit: {refit['code'] if refit else 'none'}"
        )
        out.append(mood_tags(after, genre))
        a = segment(store, refit=True)
        b = segment(store, refit=True)
        same = a.assignments == b.assignments and [c.label for c in a.clusters] == [
            c.label for c in b.clusters
        ]
        out.append(
            f"refit twice on the same {len(a.assignments):,} tracks: "
            f"{'identical moods' if same else 'DIFFERENT moods'} (k {a.k}, {b.k})"
        )
        store.close()
    return out + [f"first fit of {cut:,} tracks: {fit_s:.2f} s"]


def placing_speed(order, rows, repeat: int) -> list[str]:
    """Placing 60 new tracks into a ~20k library against a full re-segment, same run."""
    from spotui.sources.demo import generate

    lines = []
    with tempfile.TemporaryDirectory() as d:
        store = Store.open(Path(d) / "big.sqlite3")
        real = list(order)
        add_tracks(store, rows, real[:-60])
        # top up to 20,000 with demo tracks (synthetic, only for the size)
        extra = 20_000 - len(real)
        if extra > 0:
            lib = generate(extra, seed=3)
            store.tracks.upsert_tracks(lib.tracks)
            store.tracks.upsert_features(lib.features, record_lookups=False)
            store.library.add_imports([t.id for t in lib.tracks], "library", "benchmark")
        segment(store)
        place, refit, place_cpu, refit_cpu = [], [], [], []
        tail = real[-60:]
        for _ in range(repeat):
            add_tracks(store, rows, tail)
            t, c = time.perf_counter(), time.process_time()
            r = segment(store)
            place.append(time.perf_counter() - t)
            place_cpu.append(time.process_time() - c)
            assert not r.params["changes"]["refit"], r.params["changes"]["refit"]
            store.conn.execute(
                f"DELETE FROM imports WHERE track_id IN ({','.join('?' * len(tail))})", tail
            )
            segment(store)  # back to 19,940 (placing again next round)
            t, c = time.perf_counter(), time.process_time()
            segment(store, refit=True)
            refit.append(time.perf_counter() - t)
            refit_cpu.append(time.process_time() - c)
        n = len(store.tracks.track_ids("library"))
        store.close()
    p, f = statistics.median(place), statistics.median(refit)
    pc, fc = statistics.median(place_cpu), statistics.median(refit_cpu)
    lines.append(
        f"+60 tracks into {n + 60:,} (medians of {repeat}): place {p * 1000:.0f} ms wall / "
        f"{pc * 1000:.0f} ms CPU, full re-segment {f:.2f} s wall / {fc:.2f} s CPU: "
        f"{f / p:.1f}x faster (CPU {fc / pc:.1f}x)"
    )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", nargs="?", type=Path, default=REAL)
    ap.add_argument("--quick", action="store_true", help="one seed per mix, fewer repeats")
    args = ap.parse_args()
    if not args.path.exists():
        sys.exit(f"{args.path} not found (see ../shared/data/PROVENANCE.md)")
    order, rows, genre = read_sample(args.path)
    seeds = (1,) if args.quick else (1, 2)
    results = [grow(n, g, s, order, rows, genre) for n, g in MIXES.items() for s in seeds]
    small = listener(MIXES["pop"], 5, order, genre)
    results.append(
        grow_library(
            "small pop, doubling",
            small[:400],
            [small[400 + 50 * i : 450 + 50 * i] for i in range(8)],
            rows,
        )
    )
    calm = listener(MIXES["acoustic"], 6, order, genre)
    loud = listener(MIXES["metal"], 6, order, genre)
    results.append(
        grow_library(
            "acoustic, then metal",
            calm[:1200],
            [loud[50 * i : 50 * i + 50] for i in range(5)],
            rows,
        )
    )

    head = (
        "| library | tracks | k | moved/sync | worst | renamed | refits | words | largest "
        "| sil spotui / km9 / kmEV | e/v spotui | e/v km9 | e/v kmEV |"
    )
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for r in results:
        q = r["q"]
        print(
            f"| {r['library']} | {r['tracks']} | {r['k']} | {r['moved']:.2%} | {r['worst']:.2%} "
            f"| {r['renamed']} | {r['refits']} | {r['words']:.0%} | {r['largest']:.0%} "
            f"| {q['spotui'][0]:.3f} / {q['kmeans 9'][0]:.3f} / {q['kmeans e/v'][0]:.3f} "
            f"| {q['spotui'][1]:.2f}/{q['spotui'][2]:.2f} "
            f"| {q['kmeans 9'][1]:.2f}/{q['kmeans 9'][2]:.2f} "
            f"| {q['kmeans e/v'][1]:.2f}/{q['kmeans e/v'][2]:.2f} |"
        )
    print()
    print(
        f"mean moved per sync: {statistics.mean(r['moved'] for r in results):.2%}; "
        f"worst: {max(r['worst'] for r in results):.2%}"
    )
    for r in results:
        print(f"  {r['library']}: {', '.join(r['labels'])}")
    print()
    for r in results[:: 2 if not args.quick else 1][:3]:
        print(f"{r['library']}, before the syncs:")
        for line in r["before"]:
            print(f"    {line}")
        print("  after:")
        for line in r["after"]:
            print(f"    {line}")
    print()
    for line in whole_sample(order, rows, genre):
        print(line)
    for line in placing_speed(order, rows, 3 if args.quick else 5):
        print(line)


if __name__ == "__main__":
    main()

"""How fast, and in how much memory, `spotui import` takes a large Kaggle-layout CSV.

The file is built from the real 17,949-track Kaggle sample (../shared/data, see its
PROVENANCE.md): its rows repeated with new track ids and slightly perturbed features (kept
inside the documented ranges), and about one row in ten listing an earlier track again
under another genre, as the full Kaggle dataset does. Without the sample it falls back to
the demo generator.

Every step runs in a fresh subprocess so its peak RSS (``ru_maxrss``) is its own. The
table compares, in the same run, our full import (parse + validate + one transaction)
with pandas.read_csv of the same file (parsing only, no validation, no writes) and with
the bare interpreter + spotui + an open store (the floor every import pays).

Run by hand:  python -m benchmarks.import_csv [ROWS ...]   (default: 100000 1150000)
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import string
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "spotify_tracks_114genre_sample.csv.gz"

UNIT = ("danceability", "energy", "speechiness", "acousticness", "instrumentalness")
UNIT += ("liveness", "valence")
_ALPHABET = string.ascii_letters + string.digits


def _real_rows() -> tuple[list[str], list[dict[str, str]]]:
    if REAL.exists():
        with gzip.open(REAL, "rt", newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            return list(reader.fieldnames or []), list(reader)
    from spotui.sources import demo

    lib = demo.generate(5000, seed=11, missing_share=0.0)
    feats = {f.track_id: f for f in lib.features}
    header = ["", "track_id", "artists", "album_name", "track_name", "duration_ms"]
    header += [*UNIT, "key", "loudness", "mode", "tempo", "time_signature", "track_genre"]
    rows = []
    for i, t in enumerate(lib.tracks):
        row = {"": str(i), "track_id": t.id, "artists": ";".join(t.artists)}
        row |= {"album_name": t.album, "track_name": t.name, "duration_ms": str(t.duration_ms)}
        row |= {k: str(v) for k, v in feats[t.id].as_dict().items()}
        rows.append(row | {"track_genre": t.genres[0] if t.genres else "pop"})
    return header, rows


def write_big_csv(path: Path, rows: int, seed: int = 13) -> None:
    """``rows`` Kaggle-layout rows: real rows with new ids and jittered features."""
    header, real = _real_rows()
    rng = random.Random(seed)
    genres = sorted({r["track_genre"] for r in real})
    recent: list[dict[str, str]] = []
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        for i in range(rows):
            if recent and rng.random() < 0.1:  # an earlier track again, under another genre
                row = rng.choice(recent) | {"": str(i), "track_genre": rng.choice(genres)}
            else:
                row = dict(real[i % len(real)])
                row[""] = str(i)
                tid = "".join(rng.choices(_ALPHABET, k=22))
                row["track_id"] = tid
                for name in UNIT:
                    v = float(row[name]) * rng.uniform(0.97, 1.0)
                    row[name] = repr(min(max(v, 0.0), 1.0))
                row["tempo"] = repr(float(row["tempo"]) * rng.uniform(0.99, 1.01))
                row["track_name"] += f" #{tid[:4]}"
                recent.append(row)
                if len(recent) > 2000:
                    recent.pop(0)
            w.writerow(row)


# Each step: a child process printing {"seconds", "cpu", "rss_kb", "tracks"}. CPU seconds
# are printed too because the machines this runs on are often shared (wall time inflates).
_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
step, csv_path, db = sys.argv[1:4]
from spotui.store import Store
store = Store.open(db)
tracks = 0
t0, c0 = time.perf_counter(), time.process_time()
if step == "pandas":
    import pandas as pd
    tracks = len(pd.read_csv(csv_path))
elif step == "import":
    from spotui.sources.csv_import import import_csv
    tracks = import_csv(store, csv_path, kind="catalog").tracks
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
store.close()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_kb": rss, "tracks": tracks}))
"""


def _run(step: str, csv_path: Path, db: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, step, str(csv_path), str(db)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise SystemExit(f"{step} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kaggle.csv"
        write_big_csv(path, rows)
        size_mb = path.stat().st_size / 1e6
        db = Path(tmp) / "db.sqlite3"
        steps = [
            ("interpreter + spotui + store (floor)", _run("floor", path, db)),
            ("pandas.read_csv (parse only, reference)", _run("pandas", path, db)),
            ("spotui import, new store", _run("import", path, db)),
            ("spotui import, same file again (upsert)", _run("import", path, db)),
        ]
    ref = steps[1][1]["seconds"]
    print(f"\n{rows:,} rows, {size_mb:,.0f} MB ({'real sample' if REAL.exists() else 'demo'})")
    print(
        f"{'step':<42}{'tracks':>10}{'seconds':>9}{'cpu s':>8}{'rows/s':>11}{'vs pandas':>10}"
        f"{'peak RSS':>11}"
    )
    for label, r in steps:
        secs = r["seconds"]
        speed = f"{rows / secs:>11,.0f}" if secs > 0.01 else f"{'-':>11}"
        ratio = f"{secs / ref:>9.1f}x" if secs > 0.01 else f"{'-':>10}"
        print(
            f"{label:<42}{r['tracks']:>10,}{secs:>9.2f}{r['cpu']:>8.2f}{speed}{ratio}"
            f"{r['rss_kb'] / 1024:>8,.0f} MB"
        )


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100_000, 1_150_000]
    for rows in sizes:
        bench(rows)


if __name__ == "__main__":
    main()

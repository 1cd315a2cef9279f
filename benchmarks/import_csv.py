"""How fast `spotui import` takes a large Kaggle-layout CSV.

Prints a table: our full import (parse + validate + one transaction) against, in the same
run, pandas.read_csv of the same file (parsing only, no validation, no writes) as a
reference point. Run by hand:  python benchmarks/import_csv.py [ROWS]
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

from spotui.sources import demo
from spotui.sources.csv_import import import_csv
from spotui.store import Store

HEADER = [
    "",
    "track_id",
    "artists",
    "album_name",
    "track_name",
    "popularity",
    "duration_ms",
    "explicit",
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "time_signature",
    "track_genre",
]


def write_kaggle_csv(path: Path, rows: int) -> None:
    lib = demo.generate(rows, seed=11, missing_share=0.0)
    feats = {f.track_id: f for f in lib.features}
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i, t in enumerate(lib.tracks):
            f = feats[t.id]
            w.writerow(
                [
                    i,
                    t.id,
                    ";".join(t.artists),
                    t.album,
                    t.name,
                    50,
                    t.duration_ms,
                    "False",
                    f.danceability,
                    f.energy,
                    f.key,
                    f.loudness,
                    f.mode,
                    f.speechiness,
                    f.acousticness,
                    f.instrumentalness,
                    f.liveness,
                    f.valence,
                    f.tempo,
                    f.time_signature,
                    t.genres[0],
                ]
            )


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kaggle.csv"
        write_kaggle_csv(path, rows)
        import pandas as pd

        t0 = time.perf_counter()
        pd.read_csv(path)
        t_pandas = time.perf_counter() - t0

        store = Store.open(Path(tmp) / "db.sqlite3")
        t0 = time.perf_counter()
        result = import_csv(store, path, kind="catalog")
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        import_csv(store, path, kind="catalog")
        t_again = time.perf_counter() - t0
        store.close()

    print(f"{'step':<44}{'seconds':>10}{'rows/s':>12}{'vs pandas':>11}")
    for label, t in [
        ("pandas.read_csv (parse only, reference)", t_pandas),
        (f"spotui import, {result.tracks} new tracks", t_ours),
        ("spotui import, same file again (upsert)", t_again),
    ]:
        print(f"{label:<44}{t:>10.2f}{rows / t:>12,.0f}{t / t_pandas:>10.1f}x")


if __name__ == "__main__":
    main()

"""Sorting the track table at 100k tracks: every sort key, first and again, against Python's
``sorted`` over the same values (the baseline, measured in the same run).

    python -m benchmarks.sort [--tracks 100000] [--repeat 5]

What the app does when a column is sorted: :meth:`spotui.tui.rows.LibraryRows.view` over the
whole library (the table then fills one page), so that is what is timed, on rows read the way
the TUI reads them (:meth:`spotui.session.library.LibraryService.snapshot` from a generated demo
library). "first" includes importing numpy (a sort of a feature column is the first thing
that needs it); the goal (issue 20) is <= 0.3 s, with a progress line if longer.

Not part of CI; prints a table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path


def build(n: int, path: Path):
    """A library of ``n`` demo tracks, read as the TUI reads it."""
    from spotui.config.env import Config
    from spotui.session.facade import Session
    from spotui.sources.demo import populate
    from spotui.store import Store
    from spotui.tui.rows import TABLE_FEATURES, LibraryRows

    with Store.open(path / "lib.sqlite3") as store:
        populate(store, n_tracks=n, seed=5, n_catalog=0)
    session = Session(
        Config(data_dir=path, config_dir=path), store=Store.open(path / "lib.sqlite3")
    )
    snap = session.library.snapshot([f for f, _, _ in TABLE_FEATURES])
    return LibraryRows(*snap.table)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tracks", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        rows = build(args.tracks, Path(d))
        first_import = "numpy" not in sys.modules
        from spotui.tui.rows import SORT_KEYS

        print(f"{len(rows):,} tracks; numpy imported before the first sort: {not first_import}")
        print(f"{'key':<14}{'first s':>9}{'again s':>9}{'baseline s':>12}{'ratio':>8}")
        for key in SORT_KEYS:
            t = time.perf_counter()
            rows.view(None, "", key, descending=True)
            first = time.perf_counter() - t
            again = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                rows.view(None, "", key, descending=True)
                again.append(time.perf_counter() - t)
            if key in ("title", "artists"):
                col = rows.titles if key == "title" else rows.artists
                values = [c.casefold() for c in col]
            else:
                j = SORT_KEYS.index(key) - 2
                values = [rows.row_features(i)[j] for i in range(len(rows))]
            base = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                sorted(range(len(values)), key=values.__getitem__, reverse=True)
                base.append(time.perf_counter() - t)
            a, b = statistics.median(again), statistics.median(base)
            print(f"{key:<14}{first:>9.3f}{a:>9.3f}{b:>12.3f}{b / a:>7.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time to first paint of the TUI, against a bare Textual app measured in the same run.

    python -m benchmarks.startup [--runs 5] [--skip-rss]

Each measurement is a fresh process (as a user starts it): the clock starts just before
the process is spawned and stops when the app has painted its first meaningful screen:
for the bare app one label, for spotui the main screen with the clusters and the first
page of the track table filled from the *stored* results of a 10k-track library. The
child also reports whether scikit-learn was imported by then (it must not be).
A second part opens a 100k-track library, lets it settle (recommendation pool built) and
reports the peak RSS. Libraries are generated once into $TMPDIR/spotui-bench/ (demo
generator + a stored segmentation).

Goals (issue 8): first paint <= 0.6 s and <= 2x the bare app; RSS at 100k <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Generated libraries (large: not in the repo).
CACHE = Path(os.environ.get("SPOTUI_BENCH_CACHE", Path(tempfile.gettempdir()) / "spotui-bench"))

CHILD_BARE = r"""
import sys, time, threading
from textual.app import App
from textual.widgets import Label

class Bare(App):
    def compose(self):
        yield Label("hello")
    def on_mount(self):
        self.call_after_refresh(self.painted)
    def painted(self):
        self.t = time.time()
        self.exit()

app = Bare()
app.run(headless=True, size=(120, 40))
print(__import__("json").dumps({"painted": app.t, "sklearn": "sklearn" in sys.modules}))
"""

# ``spotui`` itself (spotui.cli.main with no arguments), with one change: the function that
# runs the app (spotui.tui.start.run_tui) runs it headless, with a watcher for the first paint.
CHILD_SPOTUI = r"""
import json, os, resource, sys, threading, time
import spotui.tui.start as start

settle = os.environ.get("BENCH_SETTLE") == "1"
out = {}

def run_headless(config):
    app = start.make_app(config)

    def watch():
        app.library_shown.wait(120)
        out["painted"] = time.time()
        out["sklearn"] = "sklearn" in sys.modules
        out["rows"] = len(app.rows) if app.rows is not None else 0
        out["clusters"] = len(app.result.clusters) if app.result is not None else 0
        if settle:
            time.sleep(1.0)  # let the recommendations worker start
            while any(w.is_running for w in list(app.workers)):
                time.sleep(0.1)
            time.sleep(0.5)
            out["settled_workers"] = True
        app.call_from_thread(app.exit)

    threading.Thread(target=watch, daemon=True).start()
    app.run(headless=True, size=(120, 40))
    return 0

start.run_tui = run_headless
from spotui.cli import main
main([])
out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def ensure_library(n: int) -> Path:
    """A data dir whose library.sqlite3 holds an ``n``-track demo library, segmented."""
    data = CACHE / f"lib{n}"
    db = data / "library.sqlite3"
    if (data / "ready").exists():
        return data
    data.mkdir(parents=True, exist_ok=True)
    if db.exists():
        db.unlink()
    from spotui.session.mood_store import segment
    from spotui.sources.demo import populate
    from spotui.store import Store

    print(f"generating a {n:,}-track library (once) ...", file=sys.stderr)
    with Store.open(db) as store:
        populate(store, n_tracks=n, seed=11, n_catalog=n // 10)
        segment(store)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (data / "ready").write_text("ok")
    return data


def run_child(code: str, data: Path | None, settle: bool = False) -> tuple[float, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTUI_")}
    if data is not None:
        env["SPOTUI_DATA_DIR"] = str(data)
        env["SPOTUI_CONFIG_DIR"] = str(data / "config")
    env["BENCH_SETTLE"] = "1" if settle else "0"
    start = time.time()
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    if proc.returncode != 0:
        raise SystemExit(f"child failed:\n{proc.stderr[-3000:]}")
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    return info["painted"] - start, info


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-rss", action="store_true")
    args = parser.parse_args()

    lib10k = ensure_library(10_000)
    lib100k = None if args.skip_rss else ensure_library(100_000)

    bare, spot = [], []
    info10k: dict = {}
    for _ in range(args.runs):  # interleaved, so machine noise hits both alike
        bare.append(run_child(CHILD_BARE, None)[0])
        t, info10k = run_child(CHILD_SPOTUI, lib10k)
        spot.append(t)
    b, s = statistics.median(bare), statistics.median(spot)
    print(f"\nfirst paint, median of {args.runs} fresh processes (headless, 120x40)\n")
    print(f"{'case':<42} {'median s':>9} {'min s':>7} {'ratio':>6}")
    print(f"{'bare Textual app, one label':<42} {b:>9.3f} {min(bare):>7.3f} {1.0:>6.2f}")
    label = f"spotui, {info10k['rows']:,} tracks, {info10k['clusters']} clusters"
    print(f"{label:<42} {s:>9.3f} {min(spot):>7.3f} {s / b:>6.2f}")
    print(f"\nscikit-learn imported before first paint: {info10k['sklearn']}")
    ok_time = s <= 0.6 and s <= 2 * b
    print(f"goal <= 0.6 s and <= 2x bare: {'met' if ok_time else 'NOT met'}")

    if lib100k is not None:
        t, info = run_child(CHILD_SPOTUI, lib100k, settle=True)
        print(
            f"\n100k tracks: first paint {t:.3f} s; peak RSS after the recommendation pool "
            f"was built {info['maxrss_mb']:.0f} MB (goal <= 300 MB: "
            f"{'met' if info['maxrss_mb'] <= 300 else 'NOT met'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: first sync of a 10k-track library, sequential vs concurrent, against the fake.

The fake Spotify runs in a child process (so its JSON work does not compete with the
client for the GIL) and adds a fixed latency to every request, like a real network round
trip. The library: 10 000 saved tracks (200 pages) and 50 owned playlists of 100 tracks
(2 pages each), plus top tracks and recent plays. Each mode syncs into a fresh database;
the sequential baseline is the same code with one worker. Also measured: an unchanged
re-sync (the incremental path).

    python -m benchmarks.sync [--latency 0.03] [--workers 6] [--saved 10000] [--playlists 50]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

from spotui.config.env import Config
from spotui.http import RateBudget
from spotui.spotify.client import SpotifyClient
from spotui.spotify.sync import sync_library
from spotui.store import Store


def _serve(conn, latency: float, saved: int, playlists: int, per_playlist: int) -> None:
    from tests.fakes.spotify import FakeSpotify

    fake = FakeSpotify(latency=latency)
    ids = fake.add_tracks(saved + playlists * per_playlist // 2)
    fake.save(ids[:saved])
    for i in range(playlists):
        start = saved - (playlists * per_playlist // 2) + i * per_playlist // 2
        fake.add_playlist(f"Playlist {i}", ids[start : start + per_playlist])
    fake.top = {r: ids[:50] for r in ("short_term", "medium_term", "long_term")}
    fake.play(ids[:50])
    fake.start()
    conn.send((fake.api_url, fake.accounts_url, fake.client_id, fake.issue_token()))
    conn.recv()  # wait until told to stop
    fake.stop()


def _token_config(tmp: Path, api: str, accounts: str, client_id: str, token: dict) -> Config:
    import json

    cfg = Config(
        data_dir=tmp, config_dir=tmp, client_id=client_id, api_url=api, accounts_url=accounts
    )
    cfg.token_path.write_text(json.dumps(token))
    cfg.token_path.chmod(0o600)
    return cfg


def run(latency: float, workers: int, saved: int, playlists: int, per_playlist: int) -> int:
    parent, child = mp.Pipe()
    proc = mp.Process(
        target=_serve, args=(child, latency, saved, playlists, per_playlist), daemon=True
    )
    proc.start()
    api, accounts, client_id, token = parent.recv()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            cfg = _token_config(tmp, api, accounts, client_id, token)
            results = {}
            for label, n in (
                ("sequential (1 worker)", 1),
                (f"concurrent ({workers} workers)", workers),
            ):
                store = Store.open(tmp / f"{n}.sqlite3")
                client = SpotifyClient(cfg, budget=RateBudget(max_in_flight=max(1, n)))
                t0 = time.perf_counter()
                res = sync_library(store, client, workers=n)
                elapsed = time.perf_counter() - t0
                counts = store.queries.counts()
                results[n] = (
                    elapsed,
                    res.requests,
                    counts["saved_tracks"],
                    counts["library_tracks"],
                )
                rows.append(
                    (label, res.requests, elapsed, counts["saved_tracks"], counts["library_tracks"])
                )
                if n == workers:
                    t0 = time.perf_counter()
                    res2 = sync_library(store, client, workers=n)
                    rows.append(
                        (
                            "re-sync, unchanged",
                            res2.requests,
                            time.perf_counter() - t0,
                            store.queries.counts()["saved_tracks"],
                            store.queries.counts()["library_tracks"],
                        )
                    )
                store.close()
                client.close()
    finally:
        parent.send("stop")
        proc.join(5)
    base = rows[0][2]
    print(
        f"Sync benchmark: {saved} saved tracks, {playlists} owned playlists x {per_playlist} tracks, "
        f"{latency * 1000:.0f} ms latency per request\n"
    )
    print(f"{'mode':<26} {'requests':>8} {'seconds':>8} {'vs seq':>7} {'saved':>7} {'library':>8}")
    for label, reqs, secs, n_saved, n_lib in rows:
        print(f"{label:<26} {reqs:>8} {secs:>8.2f} {secs / base:>6.0%} {n_saved:>7} {n_lib:>8}")
    ratio = rows[1][2] / base
    goal = ratio <= 0.25
    print(f"\nconcurrent / sequential = {ratio:.0%} (goal <= 25%: {'met' if goal else 'NOT met'})")
    same = results[1][2:] == results[workers][2:]
    print(f"both modes stored the same library: {same}")
    return 0 if goal and same else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--latency", type=float, default=0.03)
    ap.add_argument("--workers", type=int, default=6)  # the CLI default
    ap.add_argument("--saved", type=int, default=10_000)
    ap.add_argument("--playlists", type=int, default=50)
    ap.add_argument("--per-playlist", type=int, default=100)
    a = ap.parse_args()
    return run(a.latency, a.workers, a.saved, a.playlists, a.per_playlist)


if __name__ == "__main__":
    sys.exit(main())

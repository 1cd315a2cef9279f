"""How fast spotui writes export files, and what a playlist export costs in requests.

Part 1 (files): ``write_file`` for CSV / M3U / JSON of a whole N-track library, against a
baseline measured in the same run: the same CSV written with one ``get_features`` query
per track (how the first version did it). Part 2 (network, against the local fake
Spotify): exporting K tracks as a playlist (create + add, then re-export = replace), and
queueing 50 tracks: requests sent and wall time. Run by hand from the repository root:

    python -m benchmarks.export [TRACKS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from spotui.config.env import Config
from spotui.export import export_tracks, queue_tracks, write_file
from spotui.export.files import _csv_text
from spotui.sources import demo
from spotui.spotify.client import SpotifyClient
from spotui.store import Store
from tests.fakes.spotify import FakeSpotify


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = Store.open(tmp / "db.sqlite3")
        demo.populate(store, n, 3, 0)
        ids = store.tracks.track_ids("library")

        def baseline_csv() -> None:
            tracks = store.tracks.get_tracks(ids)
            feats = {t.id: f for t in tracks if (f := store.tracks.get_features(t.id))}
            (tmp / "base.csv").write_text(_csv_text(tracks, feats))

        base = timed(baseline_csv)
        rows = [("CSV, one features query per track (baseline)", base)]
        for fmt in ("csv", "m3u", "json"):
            rows.append(
                (
                    f"{fmt.upper()} write_file",
                    timed(lambda f=fmt: write_file(store, ids, f, tmp / f"o.{f}")),
                )
            )
        print(f"\nFile export of {len(ids)} tracks (best of 3)")
        print(f"{'what':<48} {'seconds':>8} {'vs baseline':>12}")
        for what, sec in rows:
            print(f"{what:<48} {sec:>8.3f} {sec / base:>11.2f}x")

        print("\nPlaylist export / queue against the local fake Spotify")
        print(f"{'what':<48} {'requests':>8} {'seconds':>8}")
        with FakeSpotify() as fake:
            cfg = Config(
                data_dir=tmp,
                config_dir=tmp,
                api_url=fake.api_url,
                accounts_url=fake.accounts_url,
                client_id=fake.client_id,
            )
            fake.write_token(cfg.token_path)
            client = SpotifyClient(cfg)
            for k in (250, 1000):
                part = ids[:k]
                for label in ("create", "re-export (replace)"):
                    fake.clear_log()
                    t0 = time.perf_counter()
                    export_tracks(client, store, cfg, f"bench:{k}", "B", "", part)
                    sec = time.perf_counter() - t0
                    print(f"{f'{k} tracks, {label}':<48} {len(fake.requests):>8} {sec:>8.3f}")
            fake.clear_log()
            t0 = time.perf_counter()
            queue_tracks(client, cfg, ids[:50])
            sec = time.perf_counter() - t0
            print(
                f"{'queue 50 tracks (1 devices GET + 50 POST)':<48} {len(fake.requests):>8} {sec:>8.3f}"
            )
            client.close()
        store.close()


if __name__ == "__main__":
    main()

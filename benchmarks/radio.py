"""Mood radio soak: 500 simulated tracks through the radio with 429/5xx faults and random
skips, against the fake Spotify on a fake clock.

    python -m benchmarks.radio                  # real sample (library + catalog cut) and demo
    python -m benchmarks.radio --tracks 200 --only real

Two runs, each to ``--tracks`` tracks played:

* **real**: a library cut from the real Kaggle sample (``../shared/data``, see its
  PROVENANCE.md): a random 60% imported as the library, the other 40% as a catalog (the
  pool recommendations may draw on beyond the library), the radio on its largest mood.
  Distances are in the recommender's space (scaled features, the weights it ranks by).
* **demo + discovery**: the demo library with ``--discover`` (the offline demo ReccoBeats),
  for the share of what the radio queued that discovery proposed.

Faults: about one per 15 simulated minutes, a 429 (Retry-After 5-60 s) or a 5xx (on reads,
which the client retries, or on the queue POST after it was carried out, which the radio
must not resend); skips: 20% of tracks stop at 5-40% of their length. Printed per run:
Spotify calls per track played (the queue POSTs and every failed request included),
duplicates queued or played, skips learned vs skips that happened, a skipped track queued
again, the median distance of the played tracks to the mood's centre against the mood's
own tracks and random library tracks (the baseline, same run), and the sources.

Not part of CI; prints a table.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data"
SAMPLE_CSV = SAMPLE / "spotify_tracks_114genre_sample.csv.gz"
PLAYER = "/v1/me/player"


class _KnownTracks(dict):
    """The fake's track table, also answering for tracks that joined the store later
    (discovered ones): without it the fake refuses to queue them and discovery's share
    of the queue reads 0."""

    def __init__(self, session, known: dict) -> None:
        super().__init__(known)
        self.session = session

    def _load(self, tid: str) -> bool:
        found = self.session.library.tracks([tid]) if isinstance(tid, str) else []
        for t in found:
            self[t.id] = {
                "id": t.id,
                "name": t.name,
                "type": "track",
                "uri": t.uri,
                "duration_ms": t.duration_ms or 200_000,
                "artists": [{"name": a} for a in t.artists],
            }
        return bool(found)

    def __contains__(self, tid: object) -> bool:
        return super().__contains__(tid) or self._load(tid)  # type: ignore[arg-type]

    def __missing__(self, tid: str) -> dict:
        if self._load(tid):
            return super().__getitem__(tid)
        raise KeyError(tid)

    def get(self, tid, default=None):
        return self[tid] if tid in self else default  # noqa: SIM401 (this is get)


def real_session(tmp: Path, seed: int = 0):
    """A session whose library is 60% of the real sample and whose catalog is the rest."""
    import pandas as pd

    from spotui.config.env import Config
    from spotui.session.facade import Session

    df = pd.read_csv(SAMPLE_CSV)
    rng = np.random.default_rng(seed)
    mask = rng.random(len(df)) < 0.6
    lib, cat = tmp / "library.csv", tmp / "catalog.csv"
    df[mask].to_csv(lib, index=False)
    df[~mask].to_csv(cat, index=False)
    session = Session(Config(data_dir=tmp / "real", config_dir=tmp / "real-cfg")).open()
    session.library.import_csv(lib, "library")
    session.library.import_csv(cat, "catalog")
    return session, f"real sample: {int(mask.sum()):,} library + {int((~mask).sum()):,} catalog"


def demo_session(tmp: Path):
    from spotui.config.env import Config
    from spotui.session.facade import Session

    session = Session(Config(data_dir=tmp / "demo", config_dir=tmp / "demo-cfg", demo=True))
    return session.open(), "demo library + discovery"


def soak(session, n_tracks: int, *, discover: bool, seed: int = 1) -> dict:
    from spotui.export.radio_player import SpotifyRadioPlayer
    from spotui.session.radio import (
        Radio,
        RadioResult,
        RadioSettings,
        SessionCandidates,
        StoreMemory,
    )
    from spotui.session.seeds import Seeds
    from spotui.spotify.client import SpotifyClient
    from tests.fakes import fake_config
    from tests.fakes.spotify import FakeSpotify
    from tests.fakes.spotify_player import FakeClock

    result = session.moods.clusters()
    mood = max(result.clusters, key=lambda c: len(result.tracks_in(c.id)))
    mood_ids = result.tracks_in(mood.id)
    rng = random.Random(seed)
    with FakeSpotify() as fake, tempfile.TemporaryDirectory() as td:
        with session.context.db() as store:
            for t in store.tracks.get_tracks(scope="all"):
                fake.tracks[t.id] = {
                    "id": t.id,
                    "name": t.name,
                    "type": "track",
                    "uri": t.uri,
                    "duration_ms": t.duration_ms or 200_000,
                    "artists": [{"name": a} for a in t.artists],
                }
        # tracks discovery adds to the catalog mid-run are tracks Spotify knows too
        fake.tracks = _KnownTracks(session, fake.tracks)
        cfg = fake_config(Path(td), fake)
        fake.write_token(cfg.token_path)
        clock = FakeClock(time.time())

        def skip(_tid: str) -> float | None:
            if rng.random() < 0.2:
                return fake.tracks[_tid]["duration_ms"] / 1000 * rng.uniform(0.05, 0.4)
            return None

        # what Spotify goes on with when the queue runs out: the context the user started in
        others = [i for i in fake.tracks if i not in set(mood_ids)]
        context = rng.sample(others, min(len(others), 5000))
        playback = fake.attach_player(clock, playing=mood_ids[0], skip=skip, context=context)
        faults = Counter()

        def fault() -> None:
            kind = rng.choice(["429", "429", "5xx-read", "5xx-queue"])
            faults[kind] += 1
            if kind == "429":
                fake.fail_next(429, retry_after=rng.randint(5, 60), path=PLAYER)
            elif kind == "5xx-read":
                fake.fail_next(503, path=PLAYER + "/currently-playing")
            else:
                fake.fail_next(502, path=PLAYER + "/queue", method="POST", after=True)

        t = start_time = clock.now()
        for _ in range(n_tracks):
            t += rng.expovariate(1 / 900)
            clock.at(t, fault)
        client = SpotifyClient(cfg, backoff=0.001, max_retry_after=0)
        source = SessionCandidates(session, Seeds.cluster(mood.id))
        radio: Radio

        def on_event(_e) -> None:
            if radio.result.played >= n_tracks:
                radio.stop("done")

        wall = time.perf_counter()
        ours: set[str] = set()
        stops: list[str] = []
        total = RadioResult("")
        while total.played < n_tracks:
            # the user starts the radio again whenever it stopped (skipping through all
            # of its queue makes Spotify go on with the context: "something else plays")
            player = SpotifyRadioPlayer(client)
            radio = Radio(
                player,
                clock,
                source,
                StoreMemory(session.context.db),
                RadioSettings(discover=discover),
                on_event,
            )
            base = total.played
            radio.result.played = base
            out = radio.run()
            ours |= radio.ours
            total.played = out.played
            total.skipped += out.skipped
            for k, v in out.sources.items():
                total.sources[k] = total.sources.get(k, 0) + v
            for k, v in out.candidates.items():
                total.candidates[k] = total.candidates.get(k, 0) + v
            if out.reason != "done":
                stops.append(out.reason)
            if len(stops) > 50:
                break
        out = total
        wall = time.perf_counter() - wall
        last_read = clock.now()
        posts = [r[2]["uri"].split(":")[-1] for r in fake.calls(PLAYER + "/queue", "POST")]
        # queues carried out, and when (the fake's clock): "queued today" is the rule across
        # restarts; one run never repeats a track
        sent_at: dict[str, list[float]] = {}
        for tid, at in zip(playback.queued_log, playback.queued_at, strict=True):
            sent_at.setdefault(tid, []).append(at)
        dup_day = sum(
            1
            for ts in sent_at.values()
            for a, b in zip(ts, ts[1:], strict=False)
            if b - a < 24 * 3600
        )
        again = len(playback.queued_log) - len(sent_at) - dup_day
        played = [p.track_id for p in playback.history if p.track_id in ours]
        skipped_when = {}
        for i, p in enumerate(playback.history):
            # a skip the radio could have seen: the next track started before its last read
            if p.skipped and p.track_id in ours and p.ended < last_read - 1:
                skipped_when.setdefault(p.track_id, i)
        skip_end = {
            p.track_id: p.ended for p in reversed(playback.history) if p.track_id in skipped_when
        }
        skipped_again = sum(
            1
            for tid, at in zip(playback.queued_log, playback.queued_at, strict=True)
            if tid in skip_end and at > skip_end[tid]
        )
        vec = source.vectors([*mood_ids, *played])
        centre = np.mean([vec[i] for i in mood_ids if i in vec], axis=0)
        rec = session.recommendations.recommender()
        lib_rows = np.random.default_rng(seed).choice(
            rec.n_library, min(2000, rec.n_library), replace=False
        )

        def dist(rows) -> float:
            return float(np.median(np.linalg.norm(np.asarray(rows) - centre, axis=1)))

        client.close()
        return {
            "played": out.played,
            "calls": len(fake.calls(PLAYER)),
            "posts": len(posts),
            "dup_queued": dup_day,
            "again_after_a_day": again,
            "hours": (clock.now() - start_time) / 3600,
            "skips": len(skipped_when),
            "learned": len(set(out.skipped) & set(skipped_when)),
            "skipped_again": skipped_again,
            "d_played": dist([vec[i] for i in played if i in vec]),
            "d_mood": dist([vec[i] for i in mood_ids if i in vec]),
            "d_random": dist(rec.scaled[lib_rows].astype(np.float64)),
            "sources": dict(out.sources),
            "pool": dict(out.candidates),
            "faults": dict(faults),
            "reason": out.reason,
            "restarts": len(stops),
            "stops": Counter(r.split("“")[0].strip() or r[:40] for r in stops),
            "wall": wall,
            "mood": mood.label,
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tracks", type=int, default=500)
    ap.add_argument("--only", choices=["real", "demo"])
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        if args.only != "demo":
            session, what = real_session(tmp)
            rows.append((what, soak(session, args.tracks, discover=False)))
            session.close()
        if args.only != "real":
            session, what = demo_session(tmp)
            rows.append((what, soak(session, args.tracks, discover=True)))
            session.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"Mood radio soak: {args.tracks} tracks played, 20% random skips, faults ~1 per 15 min")
    print(
        "| run | mood | played (sim. hours) | calls/track | queued twice within 24 h | again after a day | skips learned "
        "| skipped queued again | dist played | dist mood's own | dist random lib | "
        "queued from | candidates from | faults | wall s |"
    )
    print("|" + "---|" * 15)
    for what, r in rows:
        total = sum(r["sources"].values()) or 1
        src = ", ".join(f"{k} {v / total:.0%}" for k, v in sorted(r["sources"].items()))
        ptotal = sum(r["pool"].values()) or 1
        pool = ", ".join(f"{k} {v / ptotal:.0%}" for k, v in sorted(r["pool"].items()))
        faults = ", ".join(f"{k} {v}" for k, v in sorted(r["faults"].items()))
        print(
            f"| {what} | {r['mood']} | {r['played']} ({r['hours']:.0f} h) "
            f"| {r['calls'] / max(r['played'], 1):.2f} "
            f"| {r['dup_queued']} | {r['again_after_a_day']} | {r['learned']}/{r['skips']} "
            f"| {r['skipped_again']} | {r['d_played']:.3f} | {r['d_mood']:.3f} "
            f"| {r['d_random']:.3f} | {src} | {pool} | {faults} | {r['wall']:.0f} |"
        )
    for what, r in rows:
        print(f"{what}: restarted {r['restarts']} times: {dict(r['stops'])}")


if __name__ == "__main__":
    main()

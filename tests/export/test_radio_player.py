"""The radio's player ports: the reads of the real player (one request each, Spotify's
errors typed), the one-POST queueing, and the simulated demo player."""

from __future__ import annotations

import time

import pytest

from spotui.export import read_outbox
from spotui.export.radio_player import SpotifyRadioPlayer
from spotui.export.sim_player import SimClock, SimPlayer
from spotui.http import RateLimited
from spotui.spotify.client import SpotifyClient
from spotui.spotify.errors import NoActiveDevice, PremiumRequired
from spotui.spotify.player_reads import NowPlaying, PlayerQueue, PlayingTrack
from tests.fakes import fake_config
from tests.fakes.spotify_player import FakeClock

PLAYER = "/v1/me/player"


@pytest.fixture
def playing(fake):
    ids = fake.add_tracks(6)
    clock = FakeClock(time.time())
    pb = fake.attach_player(clock, playing=ids[0], context=ids[4:])
    return ids, clock, pb


def test_progress_advances_with_the_clock_and_the_queue_plays(playing, client):
    ids, clock, pb = playing
    player = SpotifyRadioPlayer(client)
    now = player.now_playing()
    assert now.track_id == ids[0] and now.progress_ms == 0 and now.is_playing
    assert now.context_uri == "spotify:playlist:start" and now.track.duration_ms == 180_000
    clock.advance(60)
    assert player.now_playing().progress_ms == 60_000
    player.add(ids[1])
    queue = player.queue()
    assert queue.current.id == ids[0] and queue.upcoming_ids[:2] == [ids[1], ids[4]]
    clock.advance(125)
    now = player.now_playing()
    assert now.track_id == ids[1] and now.progress_ms == 5_000
    assert player.requests == client.request_count == 5


def test_errors_are_typed(playing, fake, client):
    player = SpotifyRadioPlayer(client)
    pb = playing[2]
    pb.lose_device()
    assert player.now_playing() is None  # 204
    with pytest.raises(NoActiveDevice):
        player.add(playing[0][1])
    fake.premium = False
    with pytest.raises(PremiumRequired):
        player.now_playing()


def test_a_long_429_is_raised_with_its_retry_after(playing, fake, config):
    fake.fail_next(429, retry_after=120, path=PLAYER + "/currently-playing")
    client = SpotifyClient(config, backoff=0.01)
    with pytest.raises(RateLimited) as exc:
        SpotifyRadioPlayer(client).now_playing()
    assert exc.value.retry_after == 120
    client.close()


def test_reads_parse_what_spotify_sends():
    assert NowPlaying.from_api(None) is None
    episode = NowPlaying.from_api({"item": {"type": "episode", "id": "x"}, "progress_ms": 5})
    assert episode.track is None and episode.remaining_s == 0
    q = PlayerQueue.from_api({"currently_playing": None, "queue": [{"id": "bad"}, None]})
    assert q.current is None and q.upcoming == ()


def test_the_simulated_player_plays_its_queue_and_writes_the_outbox(tmp_path):
    cfg = fake_config(tmp_path)
    clock = FakeClock(1_000.0)
    lengths = {"a": 100_000, "b": 200_000, "c": 50_000}
    tracks = lambda ids: {i: PlayingTrack(i, i.upper(), ("X",), lengths[i]) for i in ids}  # noqa: E731
    sim = SimPlayer(cfg, tracks, clock.now, playing="a", context=["c"])
    sim.add("b")
    assert [e["uris"] for e in read_outbox(cfg) if e["kind"] == "queue"] == [["spotify:track:b"]]
    clock.advance(150)
    assert sim.now_playing().track_id == "b" and sim.now_playing().progress_ms == 50_000
    clock.advance(180)
    assert sim.now_playing().track_id == "c"
    clock.advance(30)
    assert sim.now_playing() is None and [p.track_id for p in sim.history] == ["a", "b", "c"]
    sim.add("a")  # a stopped player starts again with what is queued
    assert sim.now_playing().track_id == "a"


def test_simulated_skips_cut_tracks_short():
    clock = FakeClock(0.0)
    tracks = lambda ids: {i: PlayingTrack(i, i, (), 200_000) for i in ids}  # noqa: E731
    sim = SimPlayer(None, tracks, clock.now, playing="t0", skip_chance=1.0, context=["t1"])
    clock.advance(500)
    sim.now_playing()
    assert all(p.skipped and p.ended - p.started <= 80 for p in sim.history)


def test_the_sim_clock_runs_faster_and_can_be_interrupted():
    clock = SimClock(speed=1000)
    t0, w0 = clock.now(), time.monotonic()
    clock.sleep(100)  # 0.1 s of wall time
    assert clock.now() - t0 >= 100 and time.monotonic() - w0 < 1.0
    clock.interrupt()
    w0 = time.monotonic()
    clock.sleep(10_000)
    assert time.monotonic() - w0 < 0.5

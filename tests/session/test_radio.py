"""The mood radio's engine against the fake Spotify, on a fake clock: what it costs, that it
never queues a track twice, learns from skips, survives a restart, a lost device, 429s
and 5xx, and stops when the user plays something else."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest

from spotui.analysis.recommend.radio_picks import is_skip
from spotui.config.env import Config
from spotui.export.radio_player import SpotifyRadioPlayer
from spotui.export.sim_player import SimPlayer
from spotui.session.discovery import recent_exclusions
from spotui.session.facade import Session
from spotui.session.radio import (
    Radio,
    RadioError,
    RadioEvent,
    RadioSettings,
    SessionCandidates,
    StoreMemory,
    demo_tracks,
    start_radio,
)
from spotui.session.seeds import Seeds
from spotui.spotify.client import SpotifyClient
from tests.fakes.spotify_player import FakeClock

PLAYER = "/v1/me/player"


@pytest.fixture(scope="module")
def mood_db(tmp_path_factory, _demo_db_file):
    """The demo library with its moods made once (segmenting takes seconds)."""
    data = tmp_path_factory.mktemp("mood") / "data"
    data.mkdir()
    shutil.copy(_demo_db_file, data / "demo.sqlite3")
    config = Config(data_dir=data, config_dir=data.parent / "cfg", demo=True)
    session = Session(config).open()
    result = session.moods.clusters()
    cluster = max(result.clusters, key=lambda c: len(result.tracks_in(c.id)))
    session.close()
    return data / "demo.sqlite3", cluster.id


@dataclass
class World:
    session: Session
    fake: object
    clock: FakeClock
    client: SpotifyClient
    cluster_id: int
    events: list[RadioEvent] = field(default_factory=list)
    playback: object = None

    def radio(self, *, ahead: int = 3, stop_after: int | None = 20, **kw) -> Radio:
        radio = Radio(
            SpotifyRadioPlayer(self.client),
            self.clock,
            SessionCandidates(self.session, Seeds.cluster(self.cluster_id)),
            StoreMemory(self.session.context.db),
            RadioSettings(ahead=ahead, label="Radio: test", **kw),
            on_event=self._event,
        )
        self._radio, self._stop_after = radio, stop_after
        return radio

    def _event(self, event: RadioEvent) -> None:
        self.events.append(event)
        if self._stop_after is not None and self._radio.result.played >= self._stop_after:
            self._radio.stop("enough")

    def player_calls(self) -> list[tuple]:
        return self.fake.calls(PLAYER)

    def posts(self) -> list[str]:
        return [r[2]["uri"].split(":")[-1] for r in self.fake.calls(PLAYER + "/queue", "POST")]


@pytest.fixture
def world(tmp_path, mood_db, fake, config):
    db, cluster_id = mood_db
    data = tmp_path / "demo-data"
    data.mkdir()
    shutil.copy(db, data / "demo.sqlite3")
    session = Session(Config(data_dir=data, config_dir=tmp_path / "demo-cfg", demo=True)).open()
    with session.context.db() as store:
        everything = store.tracks.get_tracks(scope="all")
    for t in everything:
        fake.tracks[t.id] = {
            "id": t.id,
            "name": t.name,
            "type": "track",
            "uri": t.uri,
            "duration_ms": t.duration_ms or 200_000,
            "artists": [{"name": a} for a in t.artists],
        }
    clock = FakeClock(time.time())
    # no sitting out 429s inside the client: the radio waits them out on its own clock
    client = SpotifyClient(config, backoff=0.001, max_retry_after=0)
    w = World(session, fake, clock, client, cluster_id)
    first = session.moods.clusters().tracks_in(cluster_id)[0]
    w.playback = fake.attach_player(clock, playing=first)
    yield w
    client.close()
    session.close()


def test_twenty_tracks_no_duplicates_within_the_budget(world):
    result = world.radio().run()
    played = [p.track_id for p in world.playback.history[1:]]  # the first is the user's
    assert result.played >= 20 and len(played) >= 20
    assert len(set(world.posts())) == len(world.posts())  # nothing sent twice
    assert len(set(played)) == len(played)
    calls = len(world.player_calls())
    assert calls / result.played <= 2.5, (calls, result.played)
    # every read is at a track's end: never more reads than tracks played, plus the start
    reads = world.fake.calls(PLAYER + "/currently-playing")
    assert len(reads) <= result.played + 2
    # the artist cap: at most 2 per artist in any 10 consecutive radio tracks
    artists = [tuple(world.fake.tracks[t]["artists"][0]["name"] for _ in [0]) for t in played]
    for i in range(len(artists)):
        assert max(Counter(artists[i : i + 10]).values()) <= 2
    assert "enough" in result.reason and result.requests == calls


def test_skipped_tracks_never_return(world):
    n = {"i": 0}

    def skip(tid):
        n["i"] += 1
        return 20.0 if n["i"] % 3 == 0 else None

    world.playback.skip = skip
    result = world.radio().run()
    skipped_in_fact = {p.track_id for p in world.playback.history[1:] if p.skipped}
    assert skipped_in_fact and skipped_in_fact <= set(result.skipped)
    assert len(set(world.posts())) == len(world.posts())
    with world.session.context.db() as store:
        assert skipped_in_fact <= recent_exclusions(store)  # the existing skip memory
    recs = world.session.recommendations.recommend(Seeds.cluster(world.cluster_id), n=50)
    assert not {r.track.id for r in recs.results} & skipped_in_fact
    second = world.radio().run()
    assert not set(second.queued) & skipped_in_fact
    assert any(e.kind == "skip" for e in world.events)


def test_a_radio_started_again_queues_nothing_twice(world):
    first = world.radio(stop_after=5).run()
    sent_before = world.posts()
    # a kill: the next radio knows nothing in memory; the store and Spotify's queue tell it
    again = world.radio(stop_after=5)
    second = again.run()
    sent = world.posts()
    assert len(set(sent)) == len(sent)
    assert not set(second.queued) & set(first.queued)
    # the tracks the first radio left in Spotify's queue were taken over, not re-sent
    assert set(world.playback.queue) | {p.track_id for p in world.playback.history} >= set(
        sent_before
    )
    assert second.played >= 5


def test_a_track_noted_but_never_sent_is_not_sent_later(world):
    radio = world.radio(stop_after=3)
    orig = radio.player.add
    dropped: list[str] = []

    def killed_before_sending(tid):
        if not dropped:
            dropped.append(tid)
            radio.stop("killed")
            raise KeyboardInterrupt
        orig(tid)

    radio.player.add = killed_before_sending
    with pytest.raises(KeyboardInterrupt):
        radio.run()
    second = world.radio(stop_after=3).run()
    assert dropped[0] not in world.posts() and dropped[0] not in second.queued


def test_device_lost_and_back(world):
    start = world.clock.now()
    world.clock.at(start + 400, world.playback.lose_device)
    world.clock.at(start + 1000, world.playback.restore_device)
    result = world.radio(stop_after=8).run()
    kinds = [e.kind for e in world.events]
    assert "waiting" in kinds and "resumed" in kinds
    waiting = next(e for e in world.events if e.kind == "waiting")
    assert "No Spotify device" in waiting.message
    assert result.played >= 8
    assert len(set(world.posts())) == len(world.posts())
    # waiting backs off: far fewer reads than a short poll would take over 600 s
    assert len(world.fake.calls(PLAYER + "/currently-playing")) <= result.played + 8


def test_429_is_waited_out_on_the_radio_clock(world):
    world.fake.fail_next(429, times=2, retry_after=45, path=PLAYER + "/currently-playing")
    before = world.clock.now()
    result = world.radio(stop_after=4).run()
    assert result.played >= 4
    assert any("wait 45 s" in e.message for e in world.events)
    assert world.clock.now() - before >= 90
    assert len(set(world.posts())) == len(world.posts())


def test_429_past_a_few_minutes_stops_with_a_message(world):
    world.fake.fail_next(429, times=10, retry_after=200, path=PLAYER + "/currently-playing")
    result = world.radio().run()
    assert "rate limiting" in result.reason and "radio stopped" in result.reason


def test_a_5xx_on_queueing_is_never_resent(world):
    world.fake.fail_next(502, path=PLAYER + "/queue", method="POST", after=True)
    result = world.radio(stop_after=6).run()
    sent = world.posts()
    assert len(set(sent)) == len(sent)
    assert Counter(world.playback.queued_log).most_common(1)[0][1] == 1
    assert result.played >= 6


def test_the_user_playing_something_else_stops_it(world):
    ours = set()
    with world.session.context.db() as store:
        other = next(
            t for t in store.tracks.get_tracks(scope="library") if t.id != world.playback.current
        )
    world.clock.at(world.clock.now() + 500, lambda: world.playback.play_other(other.id))
    result = world.radio(stop_after=None).run()
    assert "started playing from elsewhere" in result.reason
    assert other.name in result.reason
    ours.update(world.posts())
    assert other.id not in ours


def test_premium_missing_is_a_clear_error_at_start(world):
    world.fake.premium = False
    with pytest.raises(RadioError, match="Premium"):
        world.radio().run()
    assert not world.fake.calls(PLAYER + "/queue", "POST")


def test_nothing_playing_at_start_says_so(world):
    world.playback.lose_device()
    with pytest.raises(RadioError, match="Nothing is playing"):
        world.radio().run()


def test_names_in_the_live_line_are_inert(world):
    tid = world.playback.current
    world.fake.tracks[tid]["name"] = "\x1b]0;pwned\x07"
    world.radio(stop_after=1).run()
    line = world.events[0].line("Radio")
    assert "\x1b" not in line and "␛]0;pwned␇" in line


def test_the_demo_radio_plays_on_the_simulated_player(world, tmp_path):
    session = world.session
    radio = start_radio(
        session,
        Seeds.cluster(world.cluster_id),
        RadioSettings(ahead=3, minutes=60),
        speed=3_000,
    )
    assert isinstance(radio.player, SimPlayer) and radio.settings.label.startswith("Radio: ")
    result = radio.run()
    assert "minutes are up" in result.reason
    from spotui.export import read_outbox

    queued = [e["uris"][0] for e in read_outbox(session.config) if e["kind"] == "queue"]
    assert len(queued) == len(set(queued)) >= 10


def test_simulated_skips_are_learned(world):
    session = world.session
    clock = FakeClock(time.time())
    source = SessionCandidates(session, Seeds.cluster(world.cluster_id))
    player = SimPlayer(
        session.config,
        lambda ids: demo_tracks(session, ids),
        clock.now,
        playing=source.mood_ids()[0],
        skip_chance=0.3,
        seed=3,
    )
    radio = Radio(
        player, clock, source, StoreMemory(session.context.db), RadioSettings(minutes=120)
    )
    result = radio.run()
    truly = {p.track_id for p in player.history if p.skipped and p.track_id in radio.ours}
    assert truly and truly <= set(result.skipped)
    for p in player.history:
        if p.track_id in radio.ours and p.track_id not in truly:
            assert not is_skip(p.ended - p.started, p.duration_s)


def test_the_users_own_queued_track_before_the_radios_does_not_stop_it(world):
    with world.session.context.db() as store:
        mine = next(
            t for t in store.tracks.get_tracks(scope="library") if t.id != world.playback.current
        )
    world.clock.at(world.clock.now() + 30, lambda: world.playback.queue.insert(0, mine.id))
    result = world.radio(stop_after=6).run()
    assert result.reason == "enough" and mine.id in [p.track_id for p in world.playback.history]
    assert mine.id not in world.posts()


def test_no_device_for_half_an_hour_stops_it(world):
    world.clock.at(world.clock.now() + 100, world.playback.lose_device)
    result = world.radio(stop_after=None).run()
    assert "No Spotify device played for 30 minutes" in result.reason
    assert len(world.fake.calls(PLAYER + "/currently-playing")) < 20

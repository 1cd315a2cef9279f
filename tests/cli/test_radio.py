"""``spotui radio`` as a user runs it: a subprocess against the fake Spotify, whose playback
advances on a fake clock the test owns. The subprocess follows that clock through the
test-only ``SPOTUI_TEST_CLOCK`` hook (spotui/session/radio_service.py): the radio's own
logic runs unchanged, two simulated hours pass in seconds, and what the test schedules
with ``clock.at`` (a device lost, the user playing something else, a held request to kill
the process in) happens at a known point of the radio's time."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest

from spotui.store import Store
from tests.conftest import REPO
from tests.fakes import fake_config
from tests.fakes.spotify_player import FakeClock

PLAYER = "/v1/me/player"


class RadioWorld:
    """The fake Spotify filled with the (segmented) demo library as the user's own, a
    logged-in config, a fake clock, and ``run``/``start`` for ``spotui radio``."""

    def __init__(self, tmp_path, fake, db) -> None:
        self.fake = fake
        self.data = tmp_path / "data"
        self.data.mkdir()
        shutil.copy(db, self.data / "library.sqlite3")
        self.config = fake_config(tmp_path, fake)
        fake.write_token(self.config.token_path)
        with Store.open(self.data / "library.sqlite3") as store:
            self.tracks = store.tracks.get_tracks(scope="all")
        for t in self.tracks:
            fake.tracks[t.id] = {
                "id": t.id,
                "name": t.name,
                "type": "track",
                "uri": t.uri,
                "duration_ms": t.duration_ms or 200_000,
                "artists": [{"name": a} for a in t.artists],
            }
        self.cluster, self.label, self.mood = 0, "", []
        self.clock = FakeClock(time.time())
        self.t0 = self.clock.now()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SPOTUI_")},
            **fake.env(),
            "SPOTUI_DATA_DIR": str(self.data),
            "SPOTUI_CONFIG_DIR": str(tmp_path / "config"),
            "SPOTUI_TEST_CLOCK": fake.clock_url,
            "COLUMNS": "120",
        }

    def attach(self, playing: str, **kw):
        self.playback = self.fake.attach_player(self.clock, playing=playing, **kw)
        return self.playback

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "spotui", "radio", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
            cwd=REPO,
        )

    def run(self, *args: str, timeout: float = 120) -> tuple[int, dict | None, str]:
        proc = self.start(*args)
        stdout, stderr = proc.communicate(timeout=timeout)
        data = json.loads(stdout) if "--json" in args and stdout.strip() else None
        return proc.returncode, data, stderr

    def posts(self) -> list[str]:
        return [r[2]["uri"].split(":")[-1] for r in self.fake.calls(PLAYER + "/queue", "POST")]

    def spotify_calls(self) -> int:
        """Every request to the Web API (the clock hook is not one)."""
        return len(self.fake.calls("/v1/"))


@pytest.fixture(scope="module")
def mood_library(segmented_demo):
    """The segmented demo library and its largest mood (the radio's seed)."""
    with Store.open(segmented_demo) as store:
        from spotui.session.mood_store import load_result

        result = load_result(store)
    cluster = max(result.clusters, key=lambda c: len(result.tracks_in(c.id)))
    return segmented_demo, cluster.id, cluster.label, result.tracks_in(cluster.id)


@pytest.fixture
def world(tmp_path, fake, mood_library):
    db, cluster_id, label, mood = mood_library
    w = RadioWorld(tmp_path, fake, db)
    w.cluster, w.label, w.mood = cluster_id, label, mood
    w.attach(mood[0])
    return w


def radio_args(world, *more: str) -> tuple[str, ...]:
    return ("--cluster", str(world.cluster), "--json", *more)


def test_twenty_tracks_no_duplicates_within_the_budget(world):
    code, result, stderr = world.run(*radio_args(world, "--for", "110"))
    assert code == 0, stderr
    played = [p.track_id for p in world.playback.history[1:]]  # the first was the user's
    assert result["played"] >= 20 and len(played) >= 20, (result, stderr)
    assert len(set(played)) == len(played)
    assert len(set(world.posts())) == len(world.posts())
    calls = world.spotify_calls()
    assert calls / result["played"] <= 2.5, (calls, result["played"])
    assert result["ended"] == "minutes"
    assert "Radio stopped: its 110 minutes are up." in stderr
    assert f"Radio: {world.label} started." in stderr
    assert "next: " in stderr and "(close to the mood)" in stderr


def test_skipped_tracks_never_return(world):
    n = {"i": 0}

    def skip(_tid: str) -> float | None:
        n["i"] += 1
        return 20.0 if n["i"] % 3 == 0 else None

    world.playback.skip = skip
    code, first, stderr = world.run(*radio_args(world, "--for", "90"))
    assert code == 0, stderr
    skipped = {p.track_id for p in world.playback.history[1:] if p.skipped}
    assert skipped and skipped <= set(first["skipped"])
    assert "not played again." in stderr
    code, second, stderr = world.run(*radio_args(world, "--for", "90"))
    assert code == 0, stderr
    assert not set(second["queued"]) & skipped
    assert Counter(world.playback.queued_log).most_common(1)[0][1] == 1


def _hold_at(world, when: float) -> tuple[threading.Event, threading.Event]:
    """At ``when`` on the fake clock, the radio's sleep is held until ``release`` is set
    (``held`` says it got there): the process is mid-run, between two reads."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        held.set()
        release.wait(30)

    world.clock.at(when, hold)
    return held, release


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_killed_and_started_again_queues_nothing_twice(world, how):
    held, release = _hold_at(world, world.t0 + 1500)
    proc = world.start(*radio_args(world))
    assert held.wait(60), "the radio never reached the held sleep"
    before = world.posts()
    assert before
    proc.send_signal(how)
    release.set()
    stdout, stderr = proc.communicate(timeout=60)
    if how == signal.SIGTERM:  # stopped cleanly: the step finished, the result printed
        assert proc.returncode == 0, stderr
        assert "Radio stopped (a stop signal); nothing is left half-done." in stderr
        assert json.loads(stdout)["ended"] == "stopped"
    else:
        assert proc.returncode == -signal.SIGKILL
    code, again, stderr = world.run(*radio_args(world, "--for", "40"))
    assert code == 0, stderr
    sent = world.posts()
    assert len(set(sent)) == len(sent), Counter(sent).most_common(3)
    assert not set(again["queued"]) & set(before)
    assert again["played"] >= 5


def test_killed_while_a_queue_request_is_in_flight(world):
    """SIGKILL while Spotify has carried out a queue request the radio never heard back
    from: started again, the radio finds it noted and in Spotify's queue, and never sends
    it again."""
    held, release = threading.Event(), threading.Event()
    handle = world.playback.handle
    posts = {"n": 0}

    def slow(req, rest):
        answer = handle(req, rest)
        if rest == ["queue"] and req.method == "POST":
            posts["n"] += 1
            if posts["n"] == 6:
                held.set()
                release.wait(30)
        return answer

    world.playback.handle = slow
    proc = world.start(*radio_args(world))
    assert held.wait(60)
    in_flight = world.playback.queued_log[-1]
    proc.kill()
    proc.wait(30)
    release.set()
    code, again, stderr = world.run(*radio_args(world, "--for", "40"))
    assert code == 0, stderr
    assert Counter(world.playback.queued_log)[in_flight] == 1
    assert len(set(world.playback.queued_log)) == len(world.playback.queued_log)


def test_device_lost_and_back(world):
    world.clock.at(world.t0 + 400, world.playback.lose_device)
    world.clock.at(world.t0 + 1000, world.playback.restore_device)
    code, result, stderr = world.run(*radio_args(world, "--for", "60"))
    assert code == 0, stderr
    assert "No Spotify device is playing; the radio waits (next look in 30 s)." in stderr
    assert "Playback is back; the radio goes on." in stderr
    assert result["played"] >= 8
    assert len(set(world.posts())) == len(world.posts())


def test_429_retry_after_is_honoured(world):
    world.fake.fail_next(429, times=2, retry_after=45, path=PLAYER + "/currently-playing")
    code, result, stderr = world.run(*radio_args(world, "--for", "20"))
    assert code == 0, stderr
    assert stderr.count("Spotify asks to wait 45 s; waiting.") == 2
    # nothing was queued before the two Retry-Afters had passed on the radio's clock
    assert world.playback.queued_at[0] >= world.t0 + 90
    assert result["played"] >= 3


def test_rate_limited_for_too_long_stops_with_exit_2(world):
    world.fake.fail_next(429, times=10, retry_after=200, path=PLAYER + "/currently-playing")
    code, result, stderr = world.run(*radio_args(world))
    assert code == 2 and result["ended"] == "rate_limited"
    assert "The radio stopped." in stderr and not world.posts()


def test_the_user_playing_something_else_stops_it(world):
    other = next(t for t in world.tracks if t.id not in set(world.mood))
    world.clock.at(world.t0 + 500, lambda: world.playback.play_other(other.id))
    code, result, stderr = world.run(*radio_args(world))
    assert code == 0, stderr
    want = f"“{other.name} — {', '.join(other.artists)}” started playing from elsewhere, so the radio stopped."
    assert result["reason"] == want and result["ended"] == "elsewhere"
    assert want in stderr.splitlines()
    assert other.id not in world.posts()


def test_premium_missing(world):
    world.fake.premium = False
    code, _, stderr = world.run(*radio_args(world))
    assert code == 2
    assert stderr.strip().splitlines()[-1] == (
        "error: This needs Spotify Premium: Spotify only lets Premium accounts control "
        "playback (queueing included). Export the tracks as a playlist instead."
    )
    assert not world.posts()


def test_nothing_playing(world):
    world.playback.lose_device()
    code, _, stderr = world.run(*radio_args(world))
    assert code == 2
    assert stderr.strip().splitlines()[-1] == (
        "error: Nothing is playing on any Spotify device: start playing something in a "
        "Spotify app (phone, desktop or web player), then start the radio. Nothing was queued."
    )


def test_login_expired(world):
    world.fake.expire_tokens()
    world.fake.revoke_refresh_tokens()
    code, result, stderr = world.run(*radio_args(world))
    assert code == 2, stderr
    assert (
        result["reason"] == "Your Spotify login expired; run `spotui login`. Your library is kept."
    )
    assert not world.posts()


def test_not_logged_in(world):
    world.config.token_path.unlink()
    code, _, stderr = world.run(*radio_args(world))
    assert code == 2
    assert stderr.strip().splitlines()[-1] == (
        "error: You are not logged in to Spotify; run `spotui login`."
    )


def test_names_reach_the_line_inert(world):
    world.fake.tracks[world.playback.current]["name"] = "\x1b]0;pwned\x07"
    code, _, stderr = world.run(*radio_args(world, "--for", "5"))
    assert code == 0, stderr
    assert "\x1b" not in stderr and "␛]0;pwned␇" in stderr


def test_the_clock_hook_is_ignored_unless_spotify_is_the_fake(world, monkeypatch):
    from spotui.config.env import Config
    from spotui.session.facade import Session

    monkeypatch.setenv("SPOTUI_TEST_CLOCK", world.fake.clock_url)
    session = Session(Config(data_dir=world.data, config_dir=world.config.config_dir))
    assert session.radio._test_clock() is None  # the real api.spotify.com: real time
    session.close()


def test_demo_radio_says_it_is_simulated(cli, demo_data_dir):
    res = cli("--demo", "radio", "--for-you", "--for", "8", "--json",
              env={"SPOTUI_DATA_DIR": str(demo_data_dir)})  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "(demo, 60× speed) started." in res.stderr
    assert json.loads(res.stdout)["queued"]


def test_usage_errors(cli):
    res = cli("radio")
    assert res.returncode == 2 and "one of the arguments" in res.stderr
    res = cli("radio", "--for-you", "--discover")
    assert res.returncode == 2
    assert "--discover works with --track, --cluster or --playlist" in res.stderr

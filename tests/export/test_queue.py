"""Queueing onto the user's Spotify device, against the fake Spotify: exact requests."""

from __future__ import annotations

import json

import pytest

from spotui.config.env import Config
from spotui.core.errors import NotFoundError, UserError
from spotui.export import (
    DEMO_DEVICE,
    NO_DEVICE_HINT,
    PREMIUM_MESSAGE,
    NoActiveDeviceError,
    queue_tracks,
    read_outbox,
)
from tests.fakes.spotify import spotify_id

QUEUE = "/v1/me/player/queue"


@pytest.fixture
def fake(fake):
    """The shared fake Spotify (tests/conftest.py) with 10 tracks."""
    fake.add_tracks(10)
    return fake


def ids(n: int) -> list[str]:
    return [spotify_id(i) for i in range(n)]


def uri(tid: str) -> str:
    return f"spotify:track:{tid}"


def queue_calls(fake) -> list[tuple]:
    return fake.calls(QUEUE, "POST")


def test_queues_each_track_once_in_order(fake, config, client):
    tracks = ids(3)
    result = queue_tracks(client, config, tracks)
    assert result.queued == tracks
    assert result.failed == []
    assert result.device_name == "Laptop"
    assert fake.queue == [uri(t) for t in tracks]
    assert fake.requests == [
        ("GET", "/v1/me/player/devices", {}, None),
        *[("POST", QUEUE, {"uri": uri(t)}, None) for t in tracks],
    ]


def test_accepts_uris_and_links(fake, config, client):
    t = ids(2)
    result = queue_tracks(
        client, config, [uri(t[0]), f"https://open.spotify.com/track/{t[1]}?si=x"]
    )
    assert result.queued == t
    assert fake.queue == [uri(x) for x in t]


def test_5xx_is_not_retried_so_nothing_is_queued_twice(fake, config, client):
    tracks = ids(3)
    fake.fail_next(503, path=QUEUE)  # the first queue request fails
    result = queue_tracks(client, config, tracks)
    # exactly one request per track: the failed one was not repeated
    assert [c[2]["uri"] for c in queue_calls(fake)] == [uri(t) for t in tracks]
    assert result.queued == tracks[1:]
    assert len(result.failed) == 1
    tid, why = result.failed[0]
    assert tid == tracks[0]
    assert "503" in why and "not retried" in why
    assert fake.queue == [uri(t) for t in tracks[1:]]
    assert not result.ok


def test_429_is_the_only_answer_that_is_resent(fake, config, client):
    tracks = ids(2)
    fake.fail_next(429, retry_after=0, path=QUEUE)
    result = queue_tracks(client, config, tracks)
    assert [c[2]["uri"] for c in queue_calls(fake)] == [
        uri(tracks[0]),
        uri(tracks[0]),
        uri(tracks[1]),
    ]
    assert result.queued == tracks
    assert fake.queue == [uri(t) for t in tracks]  # each exactly once


def test_premium_required_before_sending(fake, config, client):
    fake.premium = False
    result = queue_tracks(client, config, ids(2))
    assert result.queued == []
    assert result.failed == [(t, PREMIUM_MESSAGE) for t in ids(2)]
    assert queue_calls(fake) == []
    assert result.summary().splitlines()[0] == "Queued 0 of 2 tracks."
    assert f"not queued: {ids(1)[0]}: queueing needs Spotify Premium" in result.summary()


def test_premium_required_on_the_queue_call_stops_the_rest(fake, config, client):
    tracks = ids(3)
    fake.fail_next(403, path=QUEUE, reason="PREMIUM_REQUIRED", message="Premium required")
    result = queue_tracks(client, config, tracks)
    assert len(queue_calls(fake)) == 1
    assert result.failed == [
        (tracks[0], PREMIUM_MESSAGE),
        (tracks[1], f"not sent: {PREMIUM_MESSAGE}"),
        (tracks[2], f"not sent: {PREMIUM_MESSAGE}"),
    ]


def test_no_active_device_lists_devices_and_sends_nothing(fake, config, client):
    fake.devices = [
        {"id": "dev-1", "name": "Laptop", "type": "Computer", "is_active": False},
        {"id": "dev-2", "name": "Kitchen", "type": "Speaker", "is_active": False},
    ]
    with pytest.raises(NoActiveDeviceError) as info:
        queue_tracks(client, config, ids(2))
    assert [d.name for d in info.value.devices] == ["Laptop", "Kitchen"]
    assert str(info.value) == (
        "No Spotify device is playing, so there is nowhere to queue to. Start playback in a "
        "Spotify app, or transfer playback to one of your devices: Laptop (Computer), "
        "Kitchen (Speaker). Nothing was queued."
    )
    assert queue_calls(fake) == []


def test_no_device_at_all(fake, config, client):
    fake.devices = []
    with pytest.raises(NoActiveDeviceError, match="No Spotify device is available"):
        queue_tracks(client, config, ids(1))


def test_404_no_active_device_on_queue_becomes_a_hint(fake, config, client):
    tracks = ids(2)
    fake.fail_next(
        404,
        path=QUEUE,
        reason="NO_ACTIVE_DEVICE",
        message="Player command failed: No active device found",
    )
    result = queue_tracks(client, config, tracks)
    assert result.failed == [(tracks[0], NO_DEVICE_HINT), (tracks[1], "not sent: no active device")]
    assert len(queue_calls(fake)) == 1
    assert NO_DEVICE_HINT.startswith("no active device: start playing")


def test_device_option_transfers_playback_then_queues_there(fake, config, client):
    fake.devices = [
        {"id": "dev-1", "name": "Laptop", "type": "Computer", "is_active": False},
        {"id": "dev-2", "name": "Kitchen", "type": "Speaker", "is_active": False},
    ]
    tracks = ids(2)
    result = queue_tracks(client, config, tracks, device="kitchen")
    assert result.transferred and result.device_name == "Kitchen"
    assert fake.requests == [
        ("GET", "/v1/me/player/devices", {}, None),
        ("PUT", "/v1/me/player", {}, {"device_ids": ["dev-2"], "play": False}),
        *[("POST", QUEUE, {"uri": uri(t), "device_id": "dev-2"}, None) for t in tracks],
    ]
    assert result.summary().startswith("Moved playback to Kitchen. Queued 2 tracks on Kitchen.")


def test_device_already_active_is_not_transferred(fake, config, client):
    result = queue_tracks(client, config, ids(1), device="dev-1")
    assert not result.transferred
    assert fake.calls("/v1/me/player", "PUT") == []


def test_unknown_device(fake, config, client):
    with pytest.raises(
        NotFoundError,
        match=r"No Spotify device 'Attic'. Your devices: Laptop \(Computer\) \[id dev-1\]",
    ):
        queue_tracks(client, config, ids(1), device="Attic")
    assert queue_calls(fake) == []


def test_local_tracks_are_skipped_and_reported(fake, config, client):
    tracks = ids(2)
    result = queue_tracks(client, config, [tracks[0], "local:abc", tracks[1], "nonsense"])
    assert result.queued == tracks
    assert [f[0] for f in result.failed] == ["local:abc", "nonsense"]
    assert "not on Spotify" in result.failed[0][1]
    assert len(queue_calls(fake)) == 2


def test_empty_list_is_an_error(config, client):
    with pytest.raises(UserError):
        queue_tracks(client, config, [])


# ---------------------------------------------------------------------- demo mode
def test_demo_queue_goes_to_the_outbox(tmp_path):
    cfg = Config(
        data_dir=tmp_path / "d", config_dir=tmp_path / "c", demo=True, api_url="http://127.0.0.1:9"
    )  # nothing listens there; must not be used
    tracks = ids(2)
    result = queue_tracks(None, cfg, [tracks[0], "local:x", tracks[1]])
    assert result.demo and result.queued == tracks and result.device_name == DEMO_DEVICE
    (entry,) = read_outbox(cfg)
    assert entry["kind"] == "queue"
    assert entry["uris"] == [uri(t) for t in tracks]
    assert entry["device"] == DEMO_DEVICE


def test_without_login_and_not_demo_is_a_user_error(tmp_path):
    cfg = Config(data_dir=tmp_path / "d", config_dir=tmp_path / "c")
    with pytest.raises(UserError, match="spotui login"):
        queue_tracks(None, cfg, ids(1))


# ---------------------------------------------------------------------- CLI
def test_cli_queue_against_fake(fake, cli, tmp_path):
    fake.write_token(tmp_path / "config" / "token.json")
    tracks = ids(2)
    r = cli("queue", *tracks, env=fake.env())
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "Queued 2 tracks on Laptop."
    assert fake.queue == [uri(t) for t in tracks]


def test_cli_queue_partial_failure_exit_1(fake, cli, tmp_path):
    fake.write_token(tmp_path / "config" / "token.json")
    fake.fail_next(500, path=QUEUE)
    r = cli("queue", *ids(2), "--json", env=fake.env())
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert data["queued"] == ids(2)[1:]
    assert data["failed"][0]["track_id"] == ids(1)[0]


def test_cli_no_active_device(fake, cli, tmp_path):
    fake.write_token(tmp_path / "config" / "token.json")
    fake.devices[0]["is_active"] = False
    r = cli("queue", ids(1)[0], env=fake.env())
    assert r.returncode == 2
    assert "transfer playback to one of your devices: Laptop (Computer)" in r.stderr
    assert "--device NAME" in r.stderr
    assert queue_calls(fake) == []


def test_cli_demo_queue(cli, tmp_path):
    r = cli("--demo", "queue", ids(1)[0])
    assert r.returncode == 0, r.stderr
    assert "Demo mode" in r.stdout
    lines = (tmp_path / "data" / "demo-outbox.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["uris"] == [uri(ids(1)[0])]


def test_queue_and_export_summaries_agree_with_their_counts():
    from spotui.export import QueueResult

    assert QueueResult(queued=["a"]).summary() == "Queued 1 track."
    assert QueueResult(queued=[], failed=[("a", "why")]).summary().splitlines()[0] == (
        "Queued 0 of 1 track."
    )
    assert QueueResult(queued=[f"t{i}" for i in range(2010)]).summary() == "Queued 2,010 tracks."

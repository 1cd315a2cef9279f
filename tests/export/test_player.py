"""Where playback is: devices, now playing, moving playback; against the fake Spotify,
in demo mode, and in the TUI (status line, device picker, no-device queueing)."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from spotui.config.env import Config
from spotui.config.env import load as load_config
from spotui.core.errors import NotFoundError
from spotui.export import DEMO_DEVICES, read_outbox
from spotui.export.player import Device, Playback, playback, transfer
from spotui.session.facade import Session
from spotui.tui.app import SpotuiApp
from spotui.tui.screens.devices import DevicePicker
from spotui.tui.screens.main import MainScreen
from spotui.tui.widgets.playback import PlaybackLine
from tests.fakes.spotify import spotify_id
from tests.tui.pilot import settle, sync, wait_for

PLAYER = "/v1/me/player"


def now_playing_requests(fake) -> int:
    return len([r for r in fake.calls(PLAYER, "GET") if r[1] == PLAYER])


@pytest.fixture
def fake(fake):
    fake.add_tracks(5)
    fake.devices.append({"id": "dev-2", "name": "Kitchen", "type": "Speaker", "is_active": False})
    return fake


def test_client_player_methods(fake, client):
    assert [d["name"] for d in client.devices()] == ["Laptop", "Kitchen"]
    fake.playing = spotify_id(3)
    body = client.playback()
    assert body["device"]["id"] == "dev-1" and body["item"]["name"] == "Track 3"
    client.transfer_playback("dev-2")
    assert fake.calls(PLAYER, "PUT")[-1][3] == {"device_ids": ["dev-2"], "play": False}
    assert [d["is_active"] for d in fake.devices] == [False, True]
    for d in fake.devices:
        d["is_active"] = False
    assert client.playback() is None  # 204: nothing plays anywhere


def test_playback_names_device_and_track(fake, config, client):
    fake.playing = spotify_id(2)
    state = playback(client, config)
    assert state == Playback(
        device=Device("dev-1", "Laptop", "Computer", is_active=True),
        track="Track 2 — Artist 2",
        is_playing=True,
    )
    assert state.summary() == "▶ Laptop · Track 2 — Artist 2"
    fake.playing = None
    assert playback(client, config).summary() == "■ Laptop"


def test_transfer_moves_playback_and_refuses_unknown_devices(fake, config, client):
    moved = transfer(client, config, "dev-2")
    assert moved.name == "Kitchen" and moved.is_active
    assert [d["is_active"] for d in fake.devices] == [False, True]
    puts = len(fake.calls(PLAYER, "PUT"))
    with pytest.raises(NotFoundError, match="No Spotify device with id 'dev-9'.*Kitchen"):
        transfer(client, config, "dev-9")
    assert len(fake.calls(PLAYER, "PUT")) == puts  # nothing sent


def test_session_playback_lists_what_it_queued(fake, config, store):
    tracks = [spotify_id(i) for i in range(3)]
    from spotui.core.records import Track

    store.tracks.upsert_tracks(
        [Track(t, f"Song {i}", (f"Band {i}",)) for i, t in enumerate(tracks)]
    )
    session = Session(config, store=store)
    session.player.queue(tracks[:2])
    state = session.player.playback()
    assert state.device.name == "Laptop"
    assert state.last_queued == ["Song 0 — Band 0", "Song 1 — Band 1"]
    assert state.summary() == "■ Laptop · queued 2: Song 1 — Band 1 …"


def test_demo_devices_come_from_the_outbox(tmp_path):
    cfg = Config(
        data_dir=tmp_path / "d", config_dir=tmp_path / "c", demo=True, api_url="http://127.0.0.1:9"
    )
    session = Session(cfg)
    devices = session.player.devices()
    assert [d.name for d in devices] == [d.name for d in DEMO_DEVICES]
    assert all("spotui --demo" in d.name for d in devices)  # never mistaken for real ones
    assert [d.is_active for d in devices] == [True, False]
    session.player.transfer("demo-phone")
    assert read_outbox(cfg)[-1] | {"at": None} == {
        "kind": "transfer",
        "at": None,
        "device": "Demo phone (spotui --demo)",
        "device_id": "demo-phone",
    }
    assert [d.is_active for d in session.player.devices()] == [False, True]
    assert session.player.playback().summary() == "■ Demo phone (spotui --demo)"
    tid = spotify_id(1)
    result = session.player.queue([tid])
    assert result.device_name == "Demo phone (spotui --demo)"
    # a restart reads the last queued tracks back from the outbox
    assert Session(cfg).player.playback().last_queued == [tid]
    session.close()


# ---------------------------------------------------------------------- the TUI
@pytest.fixture
def spotify_app(segmented_demo, fake, isolated_env, tmp_path, monkeypatch):
    """The app on a real (non-demo) library, logged in to the fake Spotify."""
    for key, value in fake.env().items():
        monkeypatch.setenv(key, value)
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    shutil.copy(segmented_demo, data / "library.sqlite3")
    cfg = load_config()
    fake.write_token(cfg.token_path)
    return SpotuiApp(cfg)


def picker_ready(app) -> bool:
    """The device picker is open with its devices listed (they load in a worker)."""
    return isinstance(app.screen, DevicePicker) and app.screen.devices is not None


def line_text(app) -> str:
    return str(app.screen.query_one(PlaybackLine).render())


@sync
async def test_status_line_shows_device_and_track_and_refreshes_on_demand(spotify_app, fake):
    fake.playing = spotify_id(1)
    app = spotify_app
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: "Laptop" in line_text(app))
        assert line_text(app) == "▶ Laptop · Track 1 — Artist 1"
        requests = now_playing_requests(fake)
        assert requests == 1
        await pilot.pause(1.0)  # the one timed wait left: "nothing happens" has no condition
        assert now_playing_requests(fake) == requests  # no polling
        fake.playing = spotify_id(4)
        await pilot.press("R")
        await wait_for(pilot, lambda: "Track 4" in line_text(app))
        assert now_playing_requests(fake) == requests + 1


@sync
async def test_queue_without_active_device_opens_the_picker(spotify_app, fake):
    for d in fake.devices:
        d["is_active"] = False
    app = spotify_app
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle_main(pilot)
        track = screen.track_id
        screen.action_queue_track()
        await wait_for(pilot, lambda: isinstance(app.screen, DevicePicker))
        assert fake.queue == []
        await pilot.press("down", "enter")  # Laptop, Kitchen
        await wait_for(pilot, lambda: fake.queue != [])
        assert fake.queue == [f"spotify:track:{track}"]
        assert [d["is_active"] for d in fake.devices] == [False, True]
        await wait_for(pilot, lambda: "Kitchen" in line_text(app))
        assert "queued 1:" in line_text(app)


@sync
async def test_d_switches_device_and_escape_does_not(spotify_app, fake):
    app = spotify_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_main(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicePicker))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert fake.calls(PLAYER, "PUT") == []
        await pilot.press("d")
        await wait_for(pilot, lambda: picker_ready(app))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: fake.devices[1]["is_active"])
        await wait_for(pilot, lambda: "Kitchen" in line_text(app))
        assert "Playback moved to Kitchen." in "\n".join(n.message for n in app._notifications)


@sync
async def test_demo_status_line_and_picker(demo_app):
    app = demo_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_main(pilot)
        await wait_for(pilot, lambda: "Demo player" in line_text(app))
        assert line_text(app) == "■ Demo player (spotui --demo)"
        await pilot.press("d")
        await wait_for(pilot, lambda: picker_ready(app))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: "Demo phone" in line_text(app))
        entry = read_outbox(dataclasses.replace(app.config))[-1]
        assert entry["kind"] == "transfer" and entry["device_id"] == "demo-phone"


async def settle_main(pilot) -> MainScreen:
    await settle(pilot)
    assert isinstance(pilot.app.screen, MainScreen)
    return pilot.app.screen

"""Library sync against the fake Spotify: exact contents, incremental, resumable, robust."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spotui.spotify.errors import LOGIN_EXPIRED, SpotifyAuthError
from spotui.spotify.sync import sync_library
from spotui.store import Store
from tests import paths
from tests.conftest import run_cli
from tests.fakes.spotify import FakeSpotify
from tests.store_helpers import (
    artist_ids,
    get_playlists,
    playlist_sync_info,
    recent_plays,
    saved_count,
    saved_track_ids,
)

REPO = paths.REPO


def build_library(fake: FakeSpotify) -> dict[str, str]:
    """120 saved, an owned playlist with a local file and an episode, an old-style (track
    key) playlist, a followed one, a collaborative one, top tracks and plays."""
    ids = fake.add_tracks(300)
    fake.save(ids[:120])
    pls = {
        "mine": fake.add_playlist("Mine", ids[100:175], local_files=2, episodes=1),
        "old": fake.add_playlist("Old style", ids[200:230], item_key="track"),
        "theirs": fake.add_playlist("Theirs", ids[230:260], owner_id="bob"),
        "collab": fake.add_playlist("Collab", ids[260:280], owner_id="bob", collaborative=True),
    }
    fake.top["short_term"] = ids[:10]
    fake.top["medium_term"] = ids[280:290]
    fake.top["long_term"] = ids[5:15]
    fake.play([ids[290], ids[291], ids[290]])
    return pls


def assert_matches(store: Store, fake: FakeSpotify, pls: dict[str, str]) -> None:
    assert saved_track_ids(store) == [t for t, _ in fake.saved]
    assert store.library.saved_added_at() == dict(fake.saved)
    for key in ("mine", "old", "collab"):
        assert store.library.playlist_track_ids(pls[key]) == fake.playlist_track_ids(pls[key]), key
        assert playlist_sync_info(store, pls[key]) == (
            fake.playlists[pls[key]]["snapshot_id"],
            "ok",
        )
    assert store.library.playlist_track_ids(pls["theirs"]) == []
    assert playlist_sync_info(store, pls["theirs"])[1] == "forbidden"
    for rng, ids in fake.top.items():
        assert store.library.top_track_ids(rng) == ids
    assert recent_plays(store) == fake.recent
    assert {p.id for p in get_playlists(store)} == set(fake.playlists)


def test_first_sync_stores_exactly_the_library(fake, client, store):
    pls = build_library(fake)
    result = sync_library(store, client)
    assert_matches(store, fake, pls)
    t = store.tracks.get_track(fake.saved[0][0])
    assert t.name == "Track 0" and t.artists == ("Artist 0",) and t.album == "Album 0"
    assert t.isrc == "USX000000000" and t.duration_ms == 180000
    assert artist_ids(store, t.id) == [fake.tracks[t.id]["artists"][0]["id"]]
    # positions match Spotify's; the local files and episode at the end are skipped
    rows = store.conn.execute(
        "SELECT max(position), count(*) FROM playlist_items WHERE playlist_id = ?", (pls["mine"],)
    ).fetchone()
    assert rows == (74, 75)
    assert result.skipped == {"local": 2, "episodes": 1, "unavailable": 0}
    assert result.not_owned == 1
    assert result.forbidden == []
    # the followed playlist's items are never requested (they would 403)
    assert not fake.calls(f"/v1/playlists/{pls['theirs']}")
    s = result.sources
    assert (s["saved"].added, s["playlists"].added, s["playlist_items"].added) == (120, 4, 125)
    assert (s["top"].added, s["recent"].added) == (30, 3)  # per time range
    # every saved page fetched exactly once
    offsets = sorted(int(q.get("offset", 0)) for _m, _p, q, _b in fake.calls("/v1/me/tracks"))
    assert offsets == [0, 50, 100]
    assert result.requests == len(fake.requests)


def test_unchanged_resync_makes_only_a_handful_of_requests(fake, client, store):
    pls = build_library(fake)
    sync_library(store, client)
    fake.clear_log()
    result = sync_library(store, client)
    assert sorted(p for _m, p, _q, _b in fake.requests) == [
        "/v1/me",
        "/v1/me/player/recently-played",
        "/v1/me/playlists",
        "/v1/me/top/tracks",
        "/v1/me/top/tracks",
        "/v1/me/top/tracks",
        "/v1/me/tracks",
    ]
    assert result.requests == 7
    assert result.sources["saved"].added == 0 and result.sources["saved"].unchanged == 120
    assert result.sources["playlist_items"].unchanged == 125
    assert result.sources["recent"].added == 0
    assert not result.full_saved_read
    assert_matches(store, fake, pls)


def test_new_saves_read_incrementally(fake, client, store):
    pls = build_library(fake)
    sync_library(store, client)
    fake.clear_log()
    fake.save([fake.make_track(1000)["id"], fake.make_track(1001)["id"]])
    result = sync_library(store, client)
    assert len(fake.calls("/v1/me/tracks")) == 1
    assert not result.full_saved_read
    assert result.sources["saved"].added == 2
    assert_matches(store, fake, pls)


def test_removal_is_caught_by_the_count_check(fake, client, store):
    pls = build_library(fake)
    sync_library(store, client)
    fake.clear_log()
    removed = fake.saved[70][0]
    fake.unsave([removed])
    fake.save([fake.make_track(1000)["id"]])  # same total as before: only ids reveal it
    result = sync_library(store, client)
    assert result.full_saved_read
    assert (result.sources["saved"].added, result.sources["saved"].removed) == (1, 1)
    assert removed not in store.library.saved_added_at()
    assert_matches(store, fake, pls)


def test_only_changed_playlists_are_reread(fake, client, store):
    pls = build_library(fake)
    sync_library(store, client)
    fake.clear_log()
    ids = fake.playlist_track_ids(pls["old"])
    fake.set_playlist_tracks(pls["old"], ids[5:] + [fake.make_track(2000)["id"]])
    fake.remove_playlist(pls["collab"])
    result = sync_library(store, client)
    item_calls = [p for _m, p, _q, _b in fake.requests if p.endswith("/items")]
    assert item_calls == [f"/v1/playlists/{pls['old']}/items"]
    assert result.sources["playlists"].removed == 1
    pi = result.sources["playlist_items"]
    assert (pi.added, pi.removed) == (1, 5)
    assert store.library.playlist_track_ids(pls["old"]) == fake.playlist_track_ids(pls["old"])
    assert playlist_sync_info(store, pls["collab"]) is None


def test_shrunk_playlist_is_truncated(fake, client, store):
    ids = fake.add_tracks(120)
    pid = fake.add_playlist("Big", ids)
    sync_library(store, client)
    fake.set_playlist_tracks(pid, ids[:30])
    sync_library(store, client)
    assert store.library.playlist_track_ids(pid) == ids[:30]


def test_403_on_an_owned_playlist_is_noted_not_fatal(fake, client, store):
    pls = build_library(fake)
    fake.fail_next(403, path=f"/v1/playlists/{pls['mine']}/items", message="Forbidden")
    result = sync_library(store, client)
    assert result.forbidden == ["Mine"]
    assert playlist_sync_info(store, pls["mine"])[1] == "forbidden"
    assert store.library.playlist_track_ids(pls["old"]) == fake.playlist_track_ids(pls["old"])
    assert saved_track_ids(store) == [t for t, _ in fake.saved]


def test_429_and_5xx_during_sync(fake, client, store):
    pls = build_library(fake)
    fake.fail_next(429, retry_after=0.2, path="/v1/me/tracks")
    fake.fail_next(503, times=2, path="/v1/playlists/")
    fake.fail_next(500, path="/v1/me/top")
    sync_library(store, client, workers=3)
    assert_matches(store, fake, pls)


def test_expired_token_during_sync_is_refreshed(fake, client, store):
    pls = build_library(fake)
    client.get("me")
    fake.expire_tokens()
    sync_library(store, client, workers=4)
    assert_matches(store, fake, pls)
    assert len(fake.calls("/api/token")) == 1


def test_invalid_grant_keeps_the_library(fake, client, store):
    build_library(fake)
    sync_library(store, client)
    before = store.queries.counts()
    fake.expire_tokens()
    fake.revoke_refresh_tokens()
    with pytest.raises(SpotifyAuthError) as exc:
        sync_library(store, client)
    assert str(exc.value) == LOGIN_EXPIRED
    assert store.queries.counts() == before


def test_other_account_is_refused(fake, client, store):
    build_library(fake)
    sync_library(store, client)
    fake.user_id = "mallory"
    with pytest.raises(Exception) as exc:
        sync_library(store, client)
    assert "'alice'" in str(exc.value) and "'mallory'" in str(exc.value)


def test_cancel_stops_and_keeps_committed_pages(fake, client, store):
    ids = fake.add_tracks(400)
    fake.save(ids)
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    from spotui.core.errors import Cancelled

    with pytest.raises(Cancelled):
        sync_library(store, client, cancel=cancel, workers=1)
    kept = saved_count(store)
    assert 0 < kept < 400
    sync_library(store, client)
    assert saved_track_ids(store) == ids


# ---------------------------------------------------------------------- kill and resume
def _cli_env(tmp_path: Path, fake: FakeSpotify) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTUI_")}
    env.update(fake.env())
    env["SPOTUI_DATA_DIR"] = str(tmp_path / "data")
    env["SPOTUI_CONFIG_DIR"] = str(tmp_path / "config")
    env["SPOTUI_RECCOBEATS_URL"] = "http://127.0.0.1:9/v1"
    return env


@pytest.mark.parametrize("stall_after", [4, 13], ids=["during-saved", "during-playlists"])
def test_killed_sync_resumes_without_loss_or_duplicates(tmp_path, fake, config, stall_after):
    ids = fake.add_tracks(700)
    fake.save(ids[:500])  # 10 pages
    pls = {
        "a": fake.add_playlist("A", ids[400:560]),  # 4 pages
        "b": fake.add_playlist("B", ids[560:700] + ids[:20], item_key="both"),  # 4 pages
    }
    fake.top["short_term"] = ids[:5]
    fake.stall_after_pages = stall_after
    env = _cli_env(tmp_path, fake)
    db_path = tmp_path / "data" / "library.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "spotui", "sync", "--json", "--no-features", "--workers", "3"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while fake.pages_served < stall_after and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake.pages_served == stall_after
        time.sleep(0.5)  # let the main thread commit what arrived
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    fake.release()
    with Store.open(db_path) as s:
        partial = saved_count(s)
    assert 0 < partial <= 500
    first_run = len(fake.calls("/v1/me/tracks"))
    done = run_cli("sync", "--json", "--no-features", env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    with Store.open(db_path) as s:
        assert saved_track_ids(s) == [t for t, _ in fake.saved]
        assert s.conn.execute("SELECT count(*) FROM saved_tracks").fetchone()[0] == 500
        for pid in pls.values():
            assert s.library.playlist_track_ids(pid) == fake.playlist_track_ids(pid)
            assert playlist_sync_info(s, pid) == (fake.playlists[pid]["snapshot_id"], "ok")
        assert s.library.sync_state_with_prefix("saved:") == {"saved:skipped": "0"}
        assert s.library.top_track_ids("short_term") == ids[:5]
    saved_pages_second = len(fake.calls("/v1/me/tracks")) - first_run
    if stall_after == 4:
        # resumed: page 0 again plus only the pages the killed run had not committed
        assert saved_pages_second < 10
        assert report["full_saved_read"] is True
    else:
        assert saved_pages_second == 1  # saved tracks were complete: one incremental page
    assert report["sources"]["saved"]["removed"] == 0


# ---------------------------------------------------------------------- CLI
def test_cli_sync_json(tmp_path, fake, config):
    build_library(fake)
    env = _cli_env(tmp_path, fake)
    fake.write_token(Path(env["SPOTUI_CONFIG_DIR"]) / "token.json")
    done = run_cli("sync", "--json", "--no-features", env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["sources"]["saved"] == {"added": 120, "removed": 0, "unchanged": 0}
    assert data["sources"]["playlists"] == {"added": 4, "removed": 0, "unchanged": 0}
    assert data["requests"] == len(fake.requests) - 0
    assert data["features"] is None
    token = json.loads((Path(env["SPOTUI_CONFIG_DIR"]) / "token.json").read_text())
    assert token["access_token"] not in done.stdout + done.stderr


def test_cli_sync_in_demo_mode_refuses(cli):
    done = cli("--demo", "sync")
    assert done.returncode == 2
    assert "demo library is built in and is not synced" in done.stderr
    done = cli("features", "--demo")
    assert done.returncode == 2


def test_cli_sync_expired_login_message(tmp_path, fake, config):
    env = _cli_env(tmp_path, fake)
    fake.write_token(Path(env["SPOTUI_CONFIG_DIR"]) / "token.json")
    fake.expire_tokens()
    fake.revoke_refresh_tokens()
    done = run_cli("sync", env=env, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {LOGIN_EXPIRED}"

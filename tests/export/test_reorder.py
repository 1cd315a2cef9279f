"""Reordering a playlist in place, against the fake Spotify: the exact final order, the dry
run, the snapshot check, idempotence, moves against replace, a failure finished by a rerun."""

from __future__ import annotations

import random

import pytest

from spotui.config.env import Config
from spotui.export.outbox import read_outbox
from spotui.export.reorder import (
    CHANGED,
    MOVES,
    REPLACE,
    Move,
    ReorderIncomplete,
    SnapshotChanged,
    apply_move,
    plan_moves,
    plan_reorder,
    reorder_playlist,
)
from spotui.spotify.sync import sync_library

ITEMS = "/v1/playlists/"


@pytest.fixture
def fake(fake):
    fake.add_tracks(150)
    return fake


def synced(fake, store, client, n: int = 120) -> tuple[str, list[str]]:
    """A playlist of ``n`` of the fake's tracks, synced into ``store``."""
    tids = list(fake.tracks)[:n]
    pid = fake.add_playlist("Mine", tids)
    sync_library(store, client)
    fake.clear_log()
    return pid, tids


def playlist(store, pid):
    return store.library.get_playlist(pid)


def writes(fake) -> list[tuple]:
    return [r for r in fake.requests if r[0] in ("PUT", "POST", "DELETE")]


# ---------------------------------------------------------------------- planning (pure)
def test_moves_reach_the_target_and_a_run_moves_as_one():
    rng = random.Random(4)
    for n in (1, 2, 5, 30):
        current = [f"t{i}" for i in range(n)]
        target = rng.sample(current, n)
        state = current
        for m in plan_moves(current, target):
            state = apply_move(state, m)
        assert state == target
    abc = ["a", "b", "c", "d", "e"]
    assert plan_moves(abc, ["e", "a", "b", "c", "d"]) == [Move(4, 0, 1)]
    assert plan_moves(abc, ["b", "c", "d", "e", "a"]) == [Move(1, 0, 4)]
    assert plan_moves(abc, abc) == []
    # the insert_before of a move later in the list counts positions before the move
    assert apply_move(abc, Move(0, 3, 1)) == ["b", "c", "a", "d", "e"]


def test_the_plan_with_fewer_requests_wins_and_a_tie_goes_to_moves():
    ids = [f"t{i}" for i in range(150)]
    one_out = ids[1:] + ids[:1]
    strategy, plan = plan_reorder("p", ids, one_out)
    assert strategy == MOVES and [r.body for r in plan] == [
        {"range_start": 1, "insert_before": 0, "range_length": 149}
    ]
    shuffled = random.Random(1).sample(ids, 150)
    strategy, plan = plan_reorder("p", ids, shuffled)
    assert strategy == REPLACE
    assert [(r.method, len(r.body["uris"])) for r in plan] == [("PUT", 100), ("POST", 50)]


# ---------------------------------------------------------------------- against the fake
def test_reorder_writes_exactly_the_new_order_and_reads_it_back(fake, store, config, client):
    pid, tids = synced(fake, store, client)
    target = random.Random(2).sample(tids, len(tids))
    result = reorder_playlist(client, store, config, playlist(store, pid), target, "build")
    assert fake.playlist_track_ids(pid) == target
    assert result.strategy == REPLACE and result.verified
    assert [(m, p) for m, p, *_ in fake.requests] == [
        ("GET", f"/v1/playlists/{pid}"),  # the snapshot check
        ("PUT", f"/v1/playlists/{pid}/items"),
        ("POST", f"/v1/playlists/{pid}/items"),
        ("GET", f"/v1/playlists/{pid}/items"),  # read back: 3 pages of 50
        ("GET", f"/v1/playlists/{pid}/items"),
        ("GET", f"/v1/playlists/{pid}/items"),
    ]
    assert store.library.playlist_track_ids(pid) == target
    snap = fake.playlists[pid]["snapshot_id"]
    assert result.snapshot_id == snap
    assert store.library.playlist_sync_map()[pid] == (snap, "ok")
    # a sync afterwards finds nothing to read again: the store holds what Spotify holds
    fake.clear_log()
    sync_library(store, client)
    assert not fake.calls(f"/v1/playlists/{pid}/items")


def test_second_run_sends_no_write(fake, store, config, client):
    pid, tids = synced(fake, store, client)
    target = list(reversed(tids))
    reorder_playlist(client, store, config, playlist(store, pid), target, "build")
    fake.clear_log()
    again = reorder_playlist(client, store, config, playlist(store, pid), target, "build")
    assert again.unchanged and again.requests == [] and writes(fake) == []
    assert again.summary() == (f"“Mine” ({pid}) is already in the build order; nothing to write.")
    assert fake.playlist_track_ids(pid) == target


def test_dry_run_sends_and_writes_nothing(fake, store, config, client):
    pid, tids = synced(fake, store, client)
    before = fake.playlists[pid]["snapshot_id"]
    target = list(reversed(tids))
    result = reorder_playlist(
        client, store, config, playlist(store, pid), target, "wave", dry_run=True
    )
    assert fake.requests == []  # not even the snapshot check
    assert fake.playlist_track_ids(pid) == tids and fake.playlists[pid]["snapshot_id"] == before
    assert store.library.playlist_track_ids(pid) == tids
    assert store.library.get_sync_state(f"reorder:{pid}") is None
    assert result.summary().splitlines() == [
        f"Would reorder the 120 tracks of “Mine” ({pid}) into the wave order in 2 requests "
        "(replacing its items) (dry run: nothing was sent):",
        f"  PUT /playlists/{pid}/items (100 tracks)",
        f"  POST /playlists/{pid}/items (20 tracks)",
    ]


def test_a_playlist_changed_on_spotify_stops_before_any_write(fake, store, config, client):
    pid, tids = synced(fake, store, client)
    read_at = fake.playlists[pid]["snapshot_id"]
    fake.set_playlist_tracks(pid, tids + list(fake.tracks)[130:131])  # the user added one
    now = fake.playlists[pid]["snapshot_id"]
    fake.clear_log()
    with pytest.raises(SnapshotChanged) as info:
        reorder_playlist(client, store, config, playlist(store, pid), tids[::-1], "build")
    assert str(info.value) == (
        f"“Mine” changed on Spotify since spotui last read it (snapshot {now}, spotui read "
        f"{read_at}); nothing was written. Run `spotui sync`, then order it again."
    )
    assert str(info.value) == CHANGED.format(name="Mine", remote=now, stored=read_at)
    assert writes(fake) == [] and len(fake.playlist_track_ids(pid)) == 121


def test_a_few_tracks_out_of_place_are_moved_keeping_their_dates(fake, store, config, client):
    pid, tids = synced(fake, store, client, n=60)
    target = tids[1:30] + tids[:1] + tids[30:]
    dates = {e["track_id"]: e["added_at"] for e in fake.playlists[pid]["entries"]}
    result = reorder_playlist(client, store, config, playlist(store, pid), target, "steady")
    assert result.strategy == MOVES
    assert [(m, b) for m, _, _, b in writes(fake)] == [
        ("PUT", {"range_start": 1, "insert_before": 0, "range_length": 29})
    ]
    assert fake.playlist_track_ids(pid) == target
    assert {e["track_id"]: e["added_at"] for e in fake.playlists[pid]["entries"]} == dates


def test_a_failure_midway_is_finished_by_the_next_run(fake, store, config, client):
    pid, tids = synced(fake, store, client)
    target = tids[::-1]
    fake.fail_next(400, path=f"/v1/playlists/{pid}/items", method="POST")
    with pytest.raises(ReorderIncomplete) as info:
        reorder_playlist(client, store, config, playlist(store, pid), target, "build")
    assert str(info.value).endswith(
        "— reordering “Mine” stopped after 1 of 2 requests; spotui recorded where it got to: "
        "run the same command again to finish it."
    )
    assert fake.playlist_track_ids(pid) == target[:100]  # the PUT went through
    fake.clear_log()
    result = reorder_playlist(client, store, config, playlist(store, pid), target, "build")
    assert result.resumed and fake.playlist_track_ids(pid) == target
    assert [(m, len(b["uris"])) for m, _, _, b in writes(fake)] == [("POST", 20)]
    assert store.library.playlist_track_ids(pid) == target
    assert store.library.get_sync_state(f"reorder:{pid}") is None


def test_local_files_and_repeats_are_refused(fake, store, config, client):
    tids = list(fake.tracks)[:10]
    with_local = fake.add_playlist("Local", tids, local_files=2)
    twice = fake.add_playlist("Twice", tids + tids[:1])
    sync_library(store, client)
    fake.clear_log()
    with pytest.raises(Exception, match="holds 2 items spotui does not store"):
        reorder_playlist(client, store, config, playlist(store, with_local), tids[::-1], "build")
    with pytest.raises(Exception, match="holds 1 track more than once"):
        reorder_playlist(client, store, config, playlist(store, twice), tids[::-1], "build")
    assert fake.requests == []


def test_demo_reorder_goes_to_the_outbox(demo_store, tmp_path):
    cfg = Config(data_dir=tmp_path / "d", config_dir=tmp_path / "c", demo=True)
    (pl, _), *_ = demo_store.library.playlists()
    tids = demo_store.library.playlist_track_ids(pl.id)
    target = tids[::-1]
    result = reorder_playlist(None, demo_store, cfg, pl, target, "wind-down")
    assert result.demo and demo_store.library.playlist_track_ids(pl.id) == target
    (entry,) = read_outbox(cfg)
    assert entry["kind"] == "playlist_reorder" and entry["playlist_id"] == pl.id
    assert entry["uris"] == [f"spotify:track:{t}" for t in target]
    again = reorder_playlist(None, demo_store, cfg, pl, target, "wind-down")
    assert again.unchanged and len(read_outbox(cfg)) == 1

"""``session.order``: orders of clusters, playlists and tracks from the stored features, the
ordered export target, paths, and the in-place reorder (demo outbox, dry run)."""

from __future__ import annotations

import random

import pytest

from spotui.config.env import Config
from spotui.core.errors import NotFoundError, UserError
from spotui.core.records import Track
from spotui.export.outbox import read_outbox
from spotui.export.targets import cluster_tracks
from spotui.session.facade import Session
from spotui.session.order import OrderSource


@pytest.fixture
def session(demo_store, tmp_path):
    config = Config(data_dir=tmp_path / "d", config_dir=tmp_path / "c", demo=True)
    return Session(config, store=demo_store)


@pytest.fixture
def cluster(session):
    result = session.moods.clusters()
    return min(result.clusters, key=lambda c: c.size)


def test_a_cluster_is_ordered_along_its_arc_every_track_once(session, cluster):
    members = cluster_tracks(session.moods.shown(), cluster.id)
    flow = session.order.flow(OrderSource.cluster(cluster.id), "build")
    assert sorted(flow.order) == sorted(members) and flow.arc == "build"
    energy = [s.energy for s in flow.steps]
    third = len(energy) // 3
    assert sum(energy[:third]) < sum(energy[-third:])  # calm first, energetic last
    with pytest.raises(NotFoundError, match="There is no cluster 99"):
        session.order.flow(OrderSource.cluster(99))


def test_the_same_tracks_give_the_same_order_however_listed(session, cluster):
    members = cluster_tracks(session.moods.shown(), cluster.id)[:40]
    shuffled = random.Random(3).sample(members, len(members))
    a = session.order.flow(OrderSource.tracks(members), "wave")
    b = session.order.flow(OrderSource.tracks(shuffled), "wave")
    assert a.order == b.order


def test_tracks_without_features_are_kept_and_noted(session, demo_store):
    with_features = demo_store.tracks.track_ids("library")[:12]
    without = demo_store.tracks.tracks_without_features("library")[:2]
    assert len(without) == 2
    preview = session.order.preview(OrderSource.tracks(with_features + without), "peak")
    assert sorted(preview.order) == sorted(with_features + without)
    assert preview.notes == [
        "2 tracks without audio features: kept, and placed by their neighbours (their "
        "unknown terms cost what a typical transition does)."
    ]
    row = next(s for s in preview.steps if s.track.id == without[0])
    assert row.energy is None and row.camelot is None and row.key is None


def test_start_unknown_tracks_and_the_start_check(session, demo_store):
    ids = demo_store.tracks.track_ids("library")[:10]
    flow = session.order.flow(OrderSource.tracks(ids), "build", start=ids[7])
    assert flow.order[0] == ids[7]
    with pytest.raises(UserError) as info:
        session.order.flow(OrderSource.tracks(ids[:5]), start=ids[8])
    assert str(info.value) == f"The start track {ids[8]} is not among the tracks to order."
    with pytest.raises(NotFoundError) as info:
        session.order.flow(OrderSource.tracks([*ids[:2], "0" * 22]))
    assert str(info.value) == f"spotui does not know 1 track: {'0' * 22}."


def test_a_playlist_and_its_preview_record(session, demo_store):
    (pl, n), *_ = demo_store.library.playlists()
    preview = session.order.preview(OrderSource.playlist(pl.id), "wind-down")
    data = preview.as_dict()
    assert data["source"] == {"kind": "playlist", "id": pl.id, "name": pl.name}
    assert data["track_count"] == n and data["arc"] == "wind-down"
    assert [s["track_id"] for s in data["steps"]] == list(preview.flow.order)
    first = data["steps"][0]
    assert first["position"] == 1 and first["transition_cost"] is None
    assert set(first) == {
        "position", "track_id", "name", "artists", "tempo", "camelot", "key", "energy",
        "target", "transition_cost", "bpm_step", "key_distance", "in_library",
    }  # fmt: skip
    assert len(data["curve"]["energy"]) == len(data["curve"]["arc"]) == 60
    with pytest.raises(NotFoundError, match="There is no playlist nope"):
        session.order.preview(OrderSource.playlist("nope"))


def test_an_ordered_target_keeps_its_key_and_name(session, cluster):
    target = session.exports.cluster_target(cluster.id)
    ordered = session.order.ordered(target, "build")
    flow = session.order.flow(OrderSource.cluster(cluster.id), "build")
    assert ordered.track_ids == flow.order
    assert (ordered.key, ordered.name, ordered.view) == (target.key, target.name, target.view)


def test_a_path_walks_from_a_to_b(session, demo_store):
    ids = demo_store.tracks.track_ids("library")
    rec = session.recommendations.recommender()
    a, b = rec.ids[0], rec.ids[rec.n_library - 1]
    preview = session.order.path(a, b, 10)
    assert preview.order[0] == a and preview.order[-1] == b and len(set(preview.order)) == 10
    only_library = session.order.path(a, b, 10, catalog=False)
    assert all(s.in_library for s in only_library.steps)
    assert set(only_library.order) <= set(ids)
    data = preview.as_dict()
    assert data["kind"] == "path" and data["total_cost"] is None and data["arc"] is None
    assert data["source"] == {"kind": "path", "from": a, "to": b, "catalog": True}
    catalog_end = rec.ids[-1]
    with pytest.raises(UserError, match="is in the catalog, not your library"):
        session.order.path(a, catalog_end, 5, catalog=False)


def test_reorder_in_demo_mode_dry_run_then_outbox_then_nothing(session, demo_store):
    (pl, _), *_ = demo_store.library.playlists()
    before = demo_store.library.playlist_track_ids(pl.id)
    dry = session.order.reorder(pl.id, "build", dry_run=True)
    assert dry.dry_run and dry.requests and read_outbox(session.config) == []
    assert demo_store.library.playlist_track_ids(pl.id) == before
    done = session.order.reorder(pl.id, "build")
    assert done.demo and demo_store.library.playlist_track_ids(pl.id) == done.order
    assert done.order == list(session.order.flow(OrderSource.playlist(pl.id), "build").order)
    again = session.order.reorder(pl.id, "build")
    assert again.unchanged and len(read_outbox(session.config)) == 1


def test_step_rows_name_tracks_the_store_does_not_hold():
    from spotui.session.order import FlowStepView

    row = FlowStepView(1, Track(id="x", name="x"), None, None, None, None, None, None, None, None)
    assert row.as_dict()["name"] == "x" and row.as_dict()["artists"] == []

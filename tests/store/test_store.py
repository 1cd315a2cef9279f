"""The store: round-trips, the library view, migrations and damaged files."""

from __future__ import annotations

import sqlite3

import pytest

from spotui.core.errors import StoreNewerError
from spotui.core.records import Features, Playlist, Track
from spotui.store import SCHEMA_VERSION, Store, StoredCluster
from tests.store_helpers import feature_lookup_status, playlist_sync_info

T1 = Track("1" * 22, "One", ("A",), "Alb", 1000, "2020", ("pop",), "ISRC1")
T2 = Track("2" * 22, "Two", ("B", "C"), "", None, None, ())


def test_tracks_round_trip(store):
    store.tracks.upsert_tracks([T1, T2])
    assert store.tracks.get_track(T1.id) == T1
    assert store.tracks.get_tracks([T2.id, "missing", T1.id], scope="all") == [T2, T1]


def test_upsert_merges_genres_and_keeps_known_fields(store):
    store.tracks.upsert_tracks([T1])
    store.tracks.upsert_tracks(
        [Track(T1.id, "One (Remaster)", ("A",), "", None, None, ("rock", "pop"))]
    )
    got = store.tracks.get_track(T1.id)
    assert got.name == "One (Remaster)"
    assert got.album == "Alb" and got.duration_ms == 1000 and got.isrc == "ISRC1"
    assert sorted(got.genres) == ["pop", "rock"]


def test_library_is_union_of_sources_and_catalog_is_separate(store):
    t3 = Track("3" * 22, "Three")
    t4 = Track("4" * 22, "Four")
    store.tracks.upsert_tracks([T1, T2, t3, t4])
    store.library.add_saved([(T1.id, "2024-01-01T00:00:00Z")])
    store.library.upsert_playlists([Playlist("p" * 22, "Mine", "me", owned=True)])
    store.library.put_playlist_items("p" * 22, 0, [(T2.id, None), (T2.id, None)])
    store.library.add_imports([t3.id], "catalog", "x.csv")
    store.library.add_imports([t4.id, T1.id], "catalog", "x.csv")
    assert store.tracks.track_ids("library") == [T1.id, T2.id]
    assert store.tracks.track_ids("catalog") == [t3.id, t4.id]
    assert store.library.playlist_track_ids("p" * 22) == [T2.id, T2.id]
    store.library.remove_saved([T1.id])
    assert store.tracks.track_ids("library") == [T2.id]
    assert set(store.tracks.track_ids("catalog")) == {T1.id, t3.id, t4.id}


def test_features_round_trip_and_missing_values(store):
    store.tracks.upsert_tracks([T1, T2])
    f = Features(T1.id, "reccobeats", danceability=0.5, energy=0.7, tempo=120.0, key=5, mode=1)
    store.tracks.upsert_features([f])
    assert store.tracks.get_features(T1.id) == f
    assert store.tracks.get_features(T2.id) is None
    assert feature_lookup_status(store, T1.id) == {"reccobeats": "found"}
    store.tracks.record_feature_misses([T2.id], "reccobeats")
    assert store.tracks.tracks_missed_by("reccobeats") == {T2.id}
    assert store.tracks.tracks_without_features() == [T2.id]


def test_playlist_items_rewrite_is_idempotent(store):
    store.tracks.upsert_tracks([T1, T2])
    store.library.upsert_playlists([Playlist("p" * 22, "Mine", "me", snapshot_id="s1", owned=True)])
    for _ in range(2):  # a resumed sync rewrites the same page
        store.library.put_playlist_items("p" * 22, 0, [(T1.id, None), (T2.id, None)])
    store.library.truncate_playlist_items("p" * 22, 1)
    assert store.library.playlist_track_ids("p" * 22) == [T1.id]
    store.library.set_playlist_items_status("p" * 22, "ok", "s1")
    assert playlist_sync_info(store, "p" * 22) == ("s1", "ok")


def test_transaction_rolls_back_everything(store):
    try:
        with store.transaction():
            store.tracks.upsert_tracks([T1])
            store.library.add_saved([(T1.id, None)])
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert store.tracks.get_track(T1.id) is None
    assert store.queries.counts()["library_tracks"] == 0


def test_analysis_results_keep_latest_two(store):
    for i in range(3):
        store.moods.save_analysis(
            fingerprint=f"fp{i}",
            feature_version="v",
            method="kmeans",
            k=2,
            params={"seed": 0},
            scores={"silhouette": 0.5},
            clusters=[StoredCluster(0, "Calm", 1, ("r",), {"energy": 0.2})],
            assignments=[(T1.id, 0, 0.1, 0.2)],
        )
    latest = store.moods.latest_analysis()
    assert latest.fingerprint == "fp2"
    assert latest.clusters[0].label == "Calm"
    assert latest.assignments == [(T1.id, 0, 0.1, 0.2)]
    assert store.moods.latest_analysis("fp1") is None
    assert store.conn.execute("SELECT count(*) FROM analysis_runs").fetchone()[0] == 2


def test_export_mapping(store):
    assert store.exports.get_export("cluster:1") is None
    store.exports.set_export("cluster:1", "pl1", "spotui · Calm", 12)
    store.exports.set_export("cluster:1", "pl2", "spotui · Calm", 13)
    got = store.exports.get_export("cluster:1")
    assert (got.playlist_id, got.track_count) == ("pl2", 13)


def test_new_database_gets_current_schema(tmp_path):
    s = Store.open(tmp_path / "x.sqlite3")
    assert s.schema_version == SCHEMA_VERSION
    assert s.notice is None
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert s.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    s.close()


def test_reopen_keeps_data(tmp_path):
    with Store.open(tmp_path / "x.sqlite3") as s:
        s.tracks.upsert_tracks([T1])
    with Store.open(tmp_path / "x.sqlite3") as s:
        assert s.tracks.get_track(T1.id) == T1
        assert s.notice is None


def test_corrupt_file_is_moved_aside_not_deleted(tmp_path):
    path = tmp_path / "library.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    s = Store.open(path)
    assert s.notice is not None and "could not be read" in s.notice.message
    assert s.notice.moved_to.exists()
    assert s.notice.moved_to.read_bytes() == b"this is not sqlite at all" * 100
    assert s.notice.moved_to.name.startswith("library.sqlite3.broken-")
    assert s.schema_version == SCHEMA_VERSION
    s.close()


def test_newer_schema_is_left_untouched_with_a_clear_error(tmp_path):
    # Moving it aside started an empty library that a newer spotui would then open.
    path = tmp_path / "library.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreNewerError) as info:
        Store.open(path)
    assert str(info.value) == (
        f"{path} was written by a newer spotui (schema {SCHEMA_VERSION + 5}; this spotui knows "
        f"{SCHEMA_VERSION}). It was left exactly as it is. Upgrade spotui to use it, or set "
        "SPOTUI_DATA_DIR to another directory to start a separate library."
    )
    assert info.value.exit_code == 3
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "library.sqlite3"
    ]


def test_foreign_sqlite_file_is_moved_aside(tmp_path):
    path = tmp_path / "library.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE someone_elses (x)")
    conn.commit()
    conn.close()
    s = Store.open(path)
    assert "not a spotui database" in s.notice.message
    assert s.notice.moved_to.exists()
    s.close()


def test_counts(demo_store):
    c = demo_store.queries.counts()
    assert c["library_tracks"] == 2000
    assert c["catalog_tracks"] == 1000
    assert c["playlists"] == 5
    assert c["with_features"] == c["features_by_provider"]["demo"]
    assert 1900 <= c["with_features"] < 2000


def test_names_needing_json_escapes_round_trip(store):
    odd = Track(
        "5" * 22, "Odd", ('Say "Hi"', "Back\\slash", "Tab\there", "Sigur Rós"), genres=("a\nb",)
    )
    store.tracks.upsert_tracks([odd])
    assert store.tracks.get_track(odd.id) == odd


def test_concurrent_first_open_migrates_once(tmp_path):
    import threading

    path = tmp_path / "race.sqlite3"
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def opener():
        try:
            barrier.wait()
            Store.open(path).close()
        except BaseException as exc:  # pragma: no cover - the failure being tested
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store.open(path) as s:
        assert s.schema_version == SCHEMA_VERSION and s.notice is None

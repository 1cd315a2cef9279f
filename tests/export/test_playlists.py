"""Playlist export (against the fake Spotify, exact requests), demo outbox, offline files."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from spotui.config.env import Config
from spotui.core.errors import NotFoundError, UserError
from spotui.core.records import Cluster, Features, Track
from spotui.export import (
    CSV_COLUMNS,
    NEW_PLAYLIST,
    ExportIncomplete,
    PlannedRequest,
    cluster_tracks,
    export_marker,
    export_tracks,
    plan_export,
    read_outbox,
    write_clusters,
    write_file,
)
from spotui.export.targets import cluster_description
from spotui.session.facade import Session
from spotui.session.mood_store import segment
from spotui.sources.csv_import import import_csv
from spotui.store import Store
from tests.conftest import open_copy
from tests.fakes.spotify import spotify_id

PLAYLISTS = "/v1/me/playlists"


def ids(n: int, start: int = 0) -> list[str]:
    return [spotify_id(i) for i in range(start, start + n)]


def uris(tids) -> list[str]:
    return [f"spotify:track:{t}" for t in tids]


@pytest.fixture
def fake(fake):
    """The shared fake Spotify (tests/conftest.py) with 300 tracks."""
    fake.add_tracks(300)
    return fake


def marker(store, target="cluster:7") -> str:
    return export_marker(store.exports.export_id(), target)


def export(client, store, config, tids, target="cluster:7", **kw):
    return export_tracks(
        client,
        store,
        config,
        target,
        "spotui · Calm Acoustic",
        "Calm Acoustic: low energy",
        tids,
        **kw,
    )


# ---------------------------------------------------------------------- planning (pure)
def test_plan_new_playlist_is_private_and_chunked_by_100():
    plan = plan_export(None, "N", "D", uris(ids(250)))
    assert plan[0] == PlannedRequest(
        "POST",
        "me/playlists",
        {"name": "N", "public": False, "collaborative": False, "description": "D"},
    )
    assert [(r.method, r.path, len(r.body["uris"])) for r in plan[1:]] == [
        ("POST", f"playlists/{NEW_PLAYLIST}/items", 100),
        ("POST", f"playlists/{NEW_PLAYLIST}/items", 100),
        ("POST", f"playlists/{NEW_PLAYLIST}/items", 50),
    ]
    assert sum((r.body["uris"] for r in plan[1:]), []) == uris(ids(250))


@pytest.mark.parametrize("n, sizes", [(1, [1]), (100, [100]), (101, [100, 1]), (200, [100, 100])])
def test_plan_replace_sets_details_then_puts_first_100_then_posts(n, sizes):
    plan = plan_export("P", "N", "D", uris(ids(n)), public=True)
    assert plan[0] == PlannedRequest(
        "PUT", "playlists/P", {"name": "N", "public": True, "description": "D"}
    )
    items = plan[1:]
    assert [r.method for r in items] == ["PUT"] + ["POST"] * (len(sizes) - 1)
    assert all(r.path == "playlists/P/items" for r in items)
    assert [len(r.body["uris"]) for r in items] == sizes


# ---------------------------------------------------------------------- against the fake
def test_250_tracks_make_one_private_playlist_in_3_add_calls(fake, store, config, client):
    tids = ids(250)
    result = export(client, store, config, tids)
    pid = result.playlist_id
    assert result.created and not result.replaced
    assert fake.requests == [
        (
            "POST",
            PLAYLISTS,
            {},
            {
                "name": "spotui · Calm Acoustic",
                "public": False,
                "collaborative": False,
                "description": f"Calm Acoustic: low energy {marker(store)}",
            },
        ),
        ("POST", f"/v1/playlists/{pid}/items", {}, {"uris": uris(tids[:100])}),
        ("POST", f"/v1/playlists/{pid}/items", {}, {"uris": uris(tids[100:200])}),
        ("POST", f"/v1/playlists/{pid}/items", {}, {"uris": uris(tids[200:])}),
    ]
    assert fake.playlists[pid]["public"] is False
    assert fake.playlist_track_ids(pid) == tids
    mapping = store.exports.get_export("cluster:7")
    assert mapping.playlist_id == pid and mapping.track_count == 250
    assert result.summary().startswith(
        "Created a private playlist “spotui · Calm Acoustic” with 250 tracks (4 requests)."
    )


def test_public_only_when_asked(fake, store, config, client):
    result = export(client, store, config, ids(3), public=True)
    assert fake.calls(PLAYLISTS, "POST")[0][3]["public"] is True
    assert fake.playlists[result.playlist_id]["public"] is True


def test_reexport_replaces_items_instead_of_creating_a_duplicate(fake, store, config, client):
    first = export(client, store, config, ids(250))
    fake.clear_log()
    new = ids(120, start=150)
    again = export(client, store, config, new)
    pid = first.playlist_id
    assert again.playlist_id == pid and again.replaced and not again.created
    details = {
        "name": "spotui · Calm Acoustic",
        "public": False,
        "description": f"Calm Acoustic: low energy {marker(store)}",
    }
    assert fake.requests == [
        ("PUT", f"/v1/playlists/{pid}", {}, details),
        ("PUT", f"/v1/playlists/{pid}/items", {}, {"uris": uris(new[:100])}),
        ("POST", f"/v1/playlists/{pid}/items", {}, {"uris": uris(new[100:])}),
    ]
    assert again.requests == plan_export(pid, details["name"], details["description"], uris(new))
    assert again.summary().startswith(
        "Replaced the tracks of “spotui · Calm Acoustic” with 120 tracks; it is private "
        "(3 requests)."
    )
    assert len(fake.playlists) == 1
    assert fake.playlist_track_ids(pid) == new
    assert store.exports.get_export("cluster:7").track_count == 120


def test_deleted_playlist_is_recreated(fake, store, config, client):
    old = export(client, store, config, ids(5)).playlist_id
    fake.remove_playlist(old)
    fake.clear_log()
    result = export(client, store, config, ids(5))
    new = result.playlist_id
    assert new != old and result.recreated and result.created and not result.replaced
    assert [(m, p) for m, p, _, _ in fake.requests] == [
        ("PUT", f"/v1/playlists/{old}"),
        ("POST", PLAYLISTS),
        ("POST", f"/v1/playlists/{new}/items"),
    ]
    assert fake.playlist_track_ids(new) == ids(5)
    assert store.exports.get_export("cluster:7").playlist_id == new
    assert "was deleted; created a new private playlist" in result.summary()


def test_dry_run_sends_and_writes_nothing(fake, store, config, client):
    plan = export(client, store, config, ids(250), dry_run=True)
    assert fake.requests == [] and store.exports.get_export("cluster:7") is None
    assert [r.method for r in plan.requests] == ["POST"] * 4
    assert plan.summary().splitlines()[0] == (
        "Would create a private playlist “spotui · Calm Acoustic” and add 250 tracks in 4 "
        "requests (dry run: nothing was sent):"
    )
    pid = export(client, store, config, ids(250)).playlist_id
    fake.clear_log()
    plan = export(client, store, config, ids(150), dry_run=True)
    assert fake.requests == []
    assert [(r.method, r.path) for r in plan.requests] == [
        ("PUT", f"playlists/{pid}"),
        ("PUT", f"playlists/{pid}/items"),
        ("POST", f"playlists/{pid}/items"),
    ]
    assert fake.playlist_track_ids(pid) == ids(250)
    assert store.exports.get_export("cluster:7").track_count == 250


def test_dry_run_needs_no_client(store, tmp_path):
    cfg = Config(data_dir=tmp_path / "d", config_dir=tmp_path / "c")
    plan = export(None, store, cfg, ids(3), dry_run=True)
    assert plan.dry_run and len(plan.requests) == 2


def test_failed_add_is_not_retried_and_a_rerun_finishes_without_duplicates(
    fake, store, config, client
):
    tids = ids(250)
    fake.fail_next(503, path="/v1/playlists/")  # the first add-items request
    with pytest.raises(
        ExportIncomplete,
        match=r"exists but holds 0 or 100 of 250 tracks \(Spotify may have added the last 100 "
        r"before failing\). Run the same export again",
    ):
        export(client, store, config, tids)
    (pid,) = fake.playlists
    assert len(fake.calls("/v1/playlists/", "POST")) == 1  # not retried
    assert store.exports.get_export("cluster:7").playlist_id == pid  # remembered at once
    fake.clear_log()
    result = export(client, store, config, tids)
    assert result.replaced and result.playlist_id == pid
    assert [m for m, *_ in fake.requests] == ["PUT", "PUT", "POST", "POST"]
    assert list(fake.playlists) == [pid]
    assert fake.playlist_track_ids(pid) == tids


def test_local_and_duplicate_tracks_are_skipped_and_reported(fake, store, config, client):
    t = ids(2)
    result = export(client, store, config, [t[0], "local:abc", t[1], t[0]])
    assert fake.playlist_track_ids(result.playlist_id) == t
    assert [s[0] for s in result.skipped] == ["local:abc", t[0]]
    with pytest.raises(UserError, match="Nothing to export"):
        export(client, store, config, ["local:abc"], target="cluster:8")


def test_description_is_one_line_and_clipped(fake, store, config, client):
    export_tracks(client, store, config, "x", "N", "a\nb " + "z" * 400, ids(1))
    desc = fake.calls(PLAYLISTS, "POST")[0][3]["description"]
    assert desc.startswith("a b z") and len(desc) == 300 and "\n" not in desc
    assert desc.endswith(f"z… {marker(store, 'x')}")


# ---------------------------------------------------------------------- clusters (demo library)
@pytest.fixture(scope="module")
def seg_db(_demo_db_file, tmp_path_factory):
    """The demo library with its segmentation computed once for this module."""
    path = tmp_path_factory.mktemp("segdb") / "demo.sqlite3"
    shutil.copy(_demo_db_file, path)
    s = Store.open(path)
    segment(s)
    s.close()
    return path


@pytest.fixture
def seg_data_dir(seg_db, tmp_path):
    """A data dir whose demo library already has its segmentation (for --demo CLI runs)."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(seg_db, data / "demo.sqlite3")
    return data


@pytest.fixture
def seg_store(seg_db, tmp_path):
    s = open_copy(seg_db, tmp_path)
    yield s
    s.close()


def test_export_cluster_names_playlist_after_mood(fake, seg_store, config, client):
    session = Session(config, store=seg_store)
    seg = session.moods.clusters()
    cluster = seg.clusters[0]
    tids = cluster_tracks(seg, cluster.id)
    assert sorted(tids) == sorted(seg.tracks_in(cluster.id))
    result = session.exports.export(session.exports.cluster_target(cluster.id))
    body = fake.calls(PLAYLISTS, "POST")[0][3]
    assert body["name"] == f"spotui · {cluster.label}"
    assert body["public"] is False
    marker = export_marker(seg_store.exports.export_id(), f"cluster:{cluster.id}")
    assert body["description"] == f"{cluster_description(cluster)} {marker}"
    assert "energy" not in cluster_description(cluster).replace("high-energy", "")
    assert fake.playlist_track_ids(result.playlist_id) == tids
    assert len(fake.calls("/v1/playlists/", "POST")) == -(-len(tids) // 100)
    assert seg_store.exports.get_export(f"cluster:{cluster.id}").playlist_id == result.playlist_id
    with pytest.raises(NotFoundError, match="There is no cluster 99"):
        session.exports.export(session.exports.cluster_target(99))


# ---------------------------------------------------------------------- demo outbox
def test_demo_export_create_then_replace_goes_to_outbox(store, tmp_path):
    cfg = Config(
        data_dir=tmp_path / "d", config_dir=tmp_path / "c", demo=True, api_url="http://127.0.0.1:9"
    )
    first = export(None, store, cfg, ids(150))
    again = export(None, store, cfg, ids(20))
    assert first.demo and first.created and again.replaced
    assert again.playlist_id == first.playlist_id
    create, replace = read_outbox(cfg)
    assert create["kind"] == "playlist_create" and replace["kind"] == "playlist_replace"
    assert create["uris"] == uris(ids(150)) and replace["uris"] == uris(ids(20))
    assert create["public"] is False and create["name"] == "spotui · Calm Acoustic"
    assert create["target"] == "cluster:7"
    assert [(r.method, r.path) for r in again.requests] == [
        ("PUT", f"playlists/{first.playlist_id}"),
        ("PUT", f"playlists/{first.playlist_id}/items"),
    ]


def test_read_outbox_skips_broken_lines(tmp_path):
    cfg = Config(data_dir=tmp_path, config_dir=tmp_path, demo=True)
    assert read_outbox(cfg) == []
    cfg.outbox_path.write_text('{"kind": "queue", "uris": []}\n{"kind": "que\n\n[1]\n')
    assert read_outbox(cfg) == [{"kind": "queue", "uris": []}]


# ---------------------------------------------------------------------- offline files
def _sample_store(store) -> list[str]:
    tracks = [
        Track(
            spotify_id(1),
            "Song, One",
            ("Ana Lua", "Bo"),
            "Album A",
            201000,
            "2019-05-03",
            ("indie pop", "folk"),
            "USX000000001",
        ),
        Track(spotify_id(2), 'Quote "Two"', ("Cy",), "", None, None, (), None),
        Track("local:0123456789abcdef0123", "Home Demo", ("Me",), "Tapes", 61000),
    ]
    store.tracks.upsert_tracks(tracks)
    store.library.add_imports([t.id for t in tracks], "library", "test")
    store.tracks.upsert_features(
        [
            Features(
                spotify_id(1),
                "reccobeats",
                danceability=0.1 + 0.2,
                energy=0.5,
                valence=1e-7,
                tempo=120.0,
                loudness=-7.25,
                acousticness=0.9,
                instrumentalness=0.0,
                speechiness=0.03,
                liveness=0.1,
                key=5,
                mode=1,
                time_signature=4,
            ),
        ]
    )
    return [t.id for t in tracks]


def test_csv_round_trips_through_import(store, tmp_path):
    tids = _sample_store(store)
    out = tmp_path / "mix.csv"
    res = write_file(store, tids + ["missing"], "csv", out)
    assert res.written == 3 and res.skipped == [("missing", "unknown track")]
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[1][:6] == [
        f"spotify:track:{spotify_id(1)}",
        "Song, One",
        "Album A",
        "Ana Lua,Bo",
        "2019-05-03",
        "201000",
    ]
    assert rows[3][0] == "spotify:local:Me:Tapes:Home+Demo:61"

    fresh = Store.open(tmp_path / "fresh.sqlite3")
    imported = import_csv(fresh, out)
    assert imported.layout == "exportify"
    assert imported.tracks == 2 and imported.skipped_local == 1
    for tid in tids[:2]:
        assert fresh.tracks.get_track(tid) == store.tracks.get_track(tid)
    f = fresh.tracks.get_features(spotify_id(1))
    assert f.provider == "csv:exportify"
    assert f.as_dict() == store.tracks.get_features(spotify_id(1)).as_dict()  # exact floats
    assert fresh.tracks.get_features(spotify_id(2)) is None
    fresh.close()


def test_m3u_and_json(store, tmp_path):
    tids = _sample_store(store)
    res = write_file(store, tids, "m3u", tmp_path / "mix.m3u", title="spotui · Mix")
    assert res.written == 2 and res.skipped[0][0] == tids[2]
    assert (tmp_path / "mix.m3u").read_text().splitlines() == [
        "#EXTM3U",
        "#PLAYLIST:spotui · Mix",
        "#EXTINF:201,Ana Lua, Bo - Song, One",
        f"https://open.spotify.com/track/{spotify_id(1)}",
        '#EXTINF:-1,Cy - Quote "Two"',
        f"https://open.spotify.com/track/{spotify_id(2)}",
    ]
    write_file(store, tids, "json", tmp_path / "mix.json", title="T", description="D")
    doc = json.loads((tmp_path / "mix.json").read_text())
    assert doc["format"] == "spotui-tracks" and doc["title"] == "T"
    assert [t["id"] for t in doc["tracks"]] == tids
    assert doc["tracks"][0]["features"]["danceability"] == 0.1 + 0.2
    assert doc["tracks"][2]["uri"] is None and doc["tracks"][1]["features"] is None


def test_bad_format_and_directory_target(store, tmp_path):
    with pytest.raises(UserError, match="Unknown format"):
        write_file(store, [], "xml", tmp_path / "x.xml")
    with pytest.raises(UserError, match="is a directory"):
        write_file(store, [], "csv", tmp_path)


def test_the_file_name_decides_the_format_unless_one_is_chosen(store, tmp_path):
    tids = _sample_store(store)
    for name, first in (("x.m3u", "#EXTM3U"), ("x.M3U8", "#EXTM3U"), ("x.json", "{")):
        res = write_file(store, tids, None, tmp_path / name)
        assert (tmp_path / name).read_text().startswith(first), name
        assert res.fmt == ("json" if name.endswith("json") else "m3u")
    res = write_file(store, tids, None, tmp_path / "x.csv")
    assert res.fmt == "csv" and (tmp_path / "x.csv").read_text().startswith("Track URI,")
    res = write_file(store, tids, "json", tmp_path / "y.m3u")  # chosen: the choice wins
    assert res.fmt == "json" and json.loads((tmp_path / "y.m3u").read_text())["tracks"]
    with pytest.raises(UserError) as exc:
        write_file(store, tids, None, tmp_path / "x.txt")
    assert str(exc.value) == (
        "Cannot tell the file format from “x.txt”: name it .csv, .m3u, .m3u8 or .json, or "
        "choose a format (csv, m3u, json)."
    )
    assert not (tmp_path / "x.txt").exists()


def test_files_get_the_umask_mode_not_0600(store, tmp_path):
    import os

    tids = _sample_store(store)
    old = os.umask(0o022)
    try:
        write_file(store, tids, None, tmp_path / "a.m3u")
        os.umask(0o027)
        write_file(store, tids, None, tmp_path / "b.csv")
    finally:
        os.umask(old)
    assert oct((tmp_path / "a.m3u").stat().st_mode & 0o777) == "0o644"
    assert oct((tmp_path / "b.csv").stat().st_mode & 0o777) == "0o640"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_write_clusters_one_file_each(seg_store, tmp_path):
    seg = segment(seg_store)
    files = write_clusters(seg_store, seg, "csv", tmp_path / "out")
    assert len(files) == len(seg.clusters)
    for f, c in zip(files, seg.clusters, strict=True):
        assert f.path.name.startswith(f"{c.id:02d}-") and f.written == c.size


# ---------------------------------------------------------------------- CLI
def test_cli_file_export_round_trips_through_spotui_import(cli, seg_data_dir, tmp_path):
    out = tmp_path / "cluster.csv"
    r = cli("--demo", "export", "--cluster", "0", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Wrote ") and str(out) in r.stdout
    n = len(out.read_text(encoding="utf-8").splitlines()) - 1
    r = cli("import", str(out), "--json")  # the real (non-demo) library, empty so far
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["layout"] == "exportify" and data["tracks"] == n and data["new_tracks"] == n
    assert data["with_features"] == n  # clustered tracks all have features


def test_cli_file_export_format_follows_the_name(cli, seg_data_dir, tmp_path):
    out = tmp_path / "x.m3u8"
    r = cli("--demo", "export", "--cluster", "0", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith(f"to {out} (m3u).")
    assert out.read_text(encoding="utf-8").startswith("#EXTM3U\n")
    r = cli("--demo", "export", "--cluster", "0", "--out", str(tmp_path / "x.txt"))
    assert r.returncode == 2 and not (tmp_path / "x.txt").exists()
    assert r.stderr.strip() == (
        "error: Cannot tell the file format from “x.txt”: name it .csv, .m3u, .m3u8 or "
        ".json, or choose a format (csv, m3u, json)."
    )
    r = cli("--demo", "export", "--cluster", "0", "--format", "json", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == "spotui-tracks"


def test_cli_export_demo_dry_run_and_outbox(cli, seg_data_dir, tmp_path):
    r = cli("--demo", "export", "--cluster", "0", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Would create a private playlist “spotui · ")
    assert not (seg_data_dir / "demo-outbox.jsonl").exists()
    r = cli("--demo", "export", "--cluster", "0", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["created"] is True
    r = cli("--demo", "export", "--cluster", "0", "--json")
    assert json.loads(r.stdout)["replaced"] is True
    kinds = [
        json.loads(x)["kind"] for x in (seg_data_dir / "demo-outbox.jsonl").read_text().splitlines()
    ]
    assert kinds == ["playlist_create", "playlist_replace"]
    r = cli("--demo", "export", "--cluster", "99")
    assert r.returncode == 2 and "There is no cluster 99" in r.stderr


def test_cli_export_recommendations_against_fake(cli, demo_data_dir, fake, tmp_path):
    from spotui.export import recommendation_target

    fake.write_token(tmp_path / "config" / "token.json")
    # The real library is empty; import a slice of the demo library as the user's library.
    s = Store.open(demo_data_dir / "demo.sqlite3")
    seed = s.tracks.track_ids("library")[0]
    s.close()
    shutil.copy(demo_data_dir / "demo.sqlite3", demo_data_dir / "library.sqlite3")
    r = cli("export", "--recommend", "--track", seed, "-n", "30", "--json", env=fake.env())
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert (
        data["created"]
        and data["track_count"] == 30
        and data["target"] == recommendation_target([seed])
    )
    assert len(fake.playlists) == 1
    (pl,) = fake.playlists.values()
    assert pl["public"] is False and pl["name"].startswith("spotui · Like ")
    assert len(pl["entries"]) == 30
    r = cli("export", "--recommend", "--track", seed, "-n", "30", "--json", env=fake.env())
    assert json.loads(r.stdout)["replaced"] is True and len(fake.playlists) == 1


def test_cli_usage_errors(cli):
    r = cli("--demo", "export", "--recommend")
    assert r.returncode == 2 and "--recommend needs seeds" in r.stderr
    r = cli("--demo", "export", "--recommend", "--playlist", "x", "--seed-cluster", "1")
    assert r.returncode == 2 and "--recommend needs seeds of one kind" in r.stderr
    r = cli("--demo", "export", "--cluster", "1", "--format", "csv")
    assert r.returncode == 2 and "--format needs --out" in r.stderr
    r = cli("--demo", "export", "--all", "--name", "x")
    assert r.returncode == 2 and "cannot be used with --all" in r.stderr


@pytest.mark.parametrize(
    ("label", "sentence"),
    [
        ("Euphoric Dance", "Bright, high-energy dance tracks from my library, grouped by spotui."),
        ("Calm Acoustic", "Calm acoustic tracks from my library, grouped by spotui."),
        (
            "Melancholic Instrumental",
            "Melancholic, low-energy instrumental tracks from my library, grouped by spotui.",
        ),
        ("Bright Euphoric 2", "Bright, high-energy tracks from my library, grouped by spotui."),
    ],
)
def test_playlist_descriptions_are_a_sentence_not_the_numbers(label, sentence):
    cluster = Cluster(0, label, 10, ("average energy 0.88, valence 0.32 (library 0.57, 0.47)",))
    assert cluster_description(cluster) == sentence

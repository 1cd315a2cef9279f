"""Discovery from the user's own listening: "for you" per mood cluster, continuing a
playlist the user owns (and appending the result to it), as a user runs them."""

from __future__ import annotations

import json

import pytest

from spotui.core.errors import UserError
from spotui.core.records import Playlist, Track
from spotui.export import read_outbox
from spotui.export.append import append_tracks
from spotui.session.facade import Session
from spotui.session.seeds import NO_LISTENING, Seeds
from spotui.store import Store
from tests.analysis.recommend.test_recommender import CATALOG, LIBRARY, _features
from tests.fakes.spotify import spotify_id

#: test_recommend's tracks under Spotify ids (so they can be appended to a playlist)
ID = {key: spotify_id(i) for i, key in enumerate([*LIBRARY, *CATALOG])}
NAME = {ID[k]: name for k, (name, _, _) in {**LIBRARY, **CATALOG}.items()}
MIX, OTHER, THEIRS = spotify_id(1, "p"), spotify_id(2, "p"), spotify_id(3, "p")


def fill(store: Store, listening: bool = True) -> None:
    """Party/calm/metal/rap tracks; "Mix" (p1, p2) and "Other" (p1, p2, c1) are the user's,
    "Theirs" is someone else's; top tracks p1, c1 and a recent play of c2."""
    rows = {**LIBRARY, **CATALOG}
    store.tracks.upsert_tracks(
        [Track(ID[k], name, (artist,)) for k, (name, artist, _) in rows.items()]
    )
    store.tracks.upsert_features([_features(ID[k], v) for k, (_, _, v) in rows.items()])
    store.library.add_saved([(ID[k], None) for k in LIBRARY])
    store.library.add_imports([ID[k] for k in CATALOG if k not in LIBRARY], "catalog", "test")
    lists = {
        MIX: ("Mix", ["p1", "p2"], True),
        OTHER: ("Other", ["p1", "p2", "c1"], True),
        THEIRS: ("Theirs", ["m1", "m2"], False),
    }
    store.library.upsert_playlists(
        [Playlist(pid, name, "me" if mine else "x", "Someone" if not mine else "Me", "s1",
                  owned=mine) for pid, (name, _, mine) in lists.items()]
    )  # fmt: skip
    for pid, (_, keys, _) in lists.items():
        store.library.put_playlist_items(pid, 0, [(ID[k], None) for k in keys])
    if listening:
        store.library.replace_top("short_term", [ID["p1"], ID["c1"]])
        store.library.add_recent([("2026-11-01T10:00:00Z", ID["c2"])])


@pytest.fixture
def lib_env(tmp_path):
    """A data dir whose (non-demo) library is :func:`fill`'s."""
    data = tmp_path / "data"
    data.mkdir()
    with Store.open(data / "library.sqlite3") as s:
        fill(s)
    return {"SPOTUI_DATA_DIR": str(data)}


def names(items) -> list[str]:
    return [NAME[d["track_id"]] for d in items]


# ---------------------------------------------------------------------- --playlist
def test_recommend_playlist_json_exact(cli, lib_env):
    res = cli("recommend", "--playlist", MIX, "-n", "4", "--json", env=lib_env)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    # Calm One first: the user keeps it with both seeds in "Other", though it sounds different
    assert names(data) == ["Calm One", "Club Night", "Rap One", "Metal One"]
    assert [d["taste"] for d in data] == [1.0, 0.0, 0.0, 0.0]
    assert data[0]["reason"].startswith("in your playlists with all 2 seeds; ")
    assert data[1]["sound"] > 0.99  # Club Night sounds like the party seeds
    # "score" is the number the list is sorted by: the blend 0.9 x taste + 0.1 x sound, so
    # Calm One's (kept with both seeds) is above Club Night's, however close that sounds
    for d in data:
        assert d["score"] == pytest.approx(0.9 * d["taste"] + 0.1 * d["sound"], abs=1e-4)
    assert [d["score"] for d in data] == sorted((d["score"] for d in data), reverse=True)
    # a link works too; the playlist's own tracks are never recommended
    link = f"https://open.spotify.com/playlist/{MIX}?si=x"
    res = cli("recommend", "--playlist", link, "-n", "20", "--json", env=lib_env)
    assert not {"Party One", "Party Two"} & set(names(json.loads(res.stdout)))


def test_recommend_playlist_errors(cli, lib_env):
    res = cli("recommend", "--playlist", THEIRS, env=lib_env)
    assert res.returncode == 2
    assert res.stderr == (
        "error: “Theirs” belongs to Someone: spotui can only continue playlists you own "
        "(Spotify does not show the tracks of other people's playlists to spotui).\n"
    )
    res = cli("recommend", "--playlist", "nope", env=lib_env)
    assert res.returncode == 2
    assert res.stderr == (
        f"error: There is no playlist nope (your playlists: {MIX} “Mix”; {OTHER} “Other”).\n"
    )


# ---------------------------------------------------------------------- --for-you
def test_recommend_for_you_json_exact(cli, lib_env):
    res = cli("recommend", "--for-you", "-n", "3", "--json", env=lib_env)
    assert res.returncode == 0, res.stderr
    (group,) = json.loads(res.stdout)  # a 13-track library is one mood
    assert group["cluster_id"] == 0
    assert group["title"] == f"More {group['label']} for you (3 of your top and recent tracks)"
    # top tracks (short term) first, then recent plays
    assert group["seed_ids"] == [ID["p1"], ID["c1"], ID["c2"]]
    # Party Two is kept with two of the three seeds (p1 and c1, in "Other")
    assert names(group["results"]) == ["Party Two", "Rain Piano", "Rap Two"]
    assert [r["taste"] for r in group["results"]] == [0.6667, 0.0, 0.0]
    res = cli("recommend", "--for-you", "--cluster", "0", "-n", "3", "--json", env=lib_env)
    assert json.loads(res.stdout) == [group]


def test_for_you_without_listening_says_what_to_do(cli, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    with Store.open(data / "library.sqlite3") as s:
        fill(s, listening=False)
    res = cli("recommend", "--for-you", env={"SPOTUI_DATA_DIR": str(data)})
    assert res.returncode == 2
    assert res.stderr == f"error: {NO_LISTENING}\n"
    assert "spotui sync" in NO_LISTENING


def test_for_you_errors(cli, lib_env):
    res = cli("recommend", "--for-you", "--cluster", "7", env=lib_env)
    assert res.returncode == 2 and res.stderr == "error: There is no cluster 7 (clusters: 0).\n"
    res = cli("recommend", "--for-you", "--track", ID["p1"], env=lib_env)
    assert res.returncode == 2 and "--for-you takes no other seed" in res.stderr


def test_demo_for_you_groups_the_demo_listening_by_cluster(cli, tmp_path, segmented_demo):
    import shutil

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(segmented_demo, data / "demo.sqlite3")
    res = cli("--demo", "recommend", "--for-you", "-n", "5", "--json",
              env={"SPOTUI_DATA_DIR": str(data)})  # fmt: skip
    assert res.returncode == 0, res.stderr
    groups = json.loads(res.stdout)
    with Store.open(data / "demo.sqlite3") as s:
        from spotui.session.mood_store import load_result
        from spotui.session.seeds import listening_ids

        result, listened = load_result(s), listening_ids(s)
    assert len(listened) > 50
    expected: dict[int, list[str]] = {}
    for t in listened:
        expected.setdefault(result.assignments[t], []).append(t)
    assert [g["cluster_id"] for g in groups] == sorted(
        expected, key=lambda c: (-len(expected[c]), c)
    )
    for g in groups:
        assert g["seed_ids"] == expected[g["cluster_id"]][:25]
        assert len(g["results"]) == 5
        assert not {r["track_id"] for r in g["results"]} & set(g["seed_ids"])


# ---------------------------------------------------------------------- appending
def uris(track_ids) -> list[str]:
    return [f"spotify:track:{t}" for t in track_ids]


@pytest.fixture
def mix(fake, config, tmp_path):
    """(store, session, recommendations for "Mix"); "Mix" also exists on the fake Spotify."""
    fake.add_playlist("Mix", [ID["p1"], ID["p2"]], playlist_id=MIX)
    with Store.open(tmp_path / "s.sqlite3") as store:
        fill(store)
        session = Session(config, store=store)
        yield store, session, session.recommendations.recommend(Seeds.playlist(MIX), n=3)


def test_append_to_an_owned_playlist_against_the_fake(fake, mix):
    store, session, recs = mix
    added = [r.track.id for r in recs.results]
    assert [NAME[t] for t in added] == ["Calm One", "Club Night", "Rap One"]

    plan = session.exports.extend_playlist(recs, dry_run=True)
    assert fake.requests == []  # a dry run sends nothing
    body = {"uris": uris(added)}
    assert [r.as_dict() for r in plan.requests] == [
        {"method": "POST", "path": f"playlists/{MIX}/items", "body": body}
    ]
    assert plan.summary().splitlines()[0] == (
        f"Would add 3 tracks to the end of “Mix” ({MIX}) in 1 request (dry run: nothing was sent):"
    )

    result = session.exports.extend_playlist(recs)
    assert fake.requests == [("POST", f"/v1/playlists/{MIX}/items", {}, body)]
    assert fake.playlist_track_ids(MIX) == [ID["p1"], ID["p2"], *added]
    assert store.library.playlist_track_ids(MIX) == [ID["p1"], ID["p2"], *added]
    assert plan.question().splitlines()[0] == (
        f"Add 3 tracks to the end of “Mix” ({MIX}) in 1 request?"
    )
    assert "dry run" not in plan.question()
    assert result.summary().startswith("Added 3 tracks to the end of “Mix” (1 request).")

    # again: the added tracks are now the playlist's own, so only new ones are added
    again = session.recommendations.recommend(Seeds.playlist(MIX), n=2)
    session.exports.extend_playlist(again)
    final = fake.playlist_track_ids(MIX)
    assert final == [ID["p1"], ID["p2"], *added, *(r.track.id for r in again.results)]
    assert len(set(final)) == 7


def test_append_never_adds_a_track_twice_and_a_failure_says_how_far(fake, config, mix):
    store, session, recs = mix
    fake.fail_next(502, path=f"/v1/playlists/{MIX}/items")
    with pytest.raises(UserError, match=r"0 of 3 tracks were added to “Mix”"):
        session.exports.extend_playlist(recs)
    assert fake.playlist_track_ids(MIX) == [ID["p1"], ID["p2"]]
    assert len(fake.calls(f"/v1/playlists/{MIX}/items", "POST")) == 1  # never retried

    with pytest.raises(UserError, match="Nothing to add to “Mix”: every track is already"):
        append_tracks(None, store, config, store.library.get_playlist(MIX), [ID["p1"]], True)


def test_demo_append_dry_run_then_outbox(cli, demo_data_dir):
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir)}
    pid = "demoplaylist0000000001"
    res = cli("--demo", "recommend", "--playlist", pid, "-n", "3", "--json", env=env)
    picked = [d["track_id"] for d in json.loads(res.stdout)]
    res = cli("--demo", "export", "--recommend", "--playlist", pid, "-n", "3", "--dry-run",
              "--json", env=env)  # fmt: skip
    assert res.returncode == 0, res.stderr
    plan = json.loads(res.stdout)
    assert plan["dry_run"] and plan["requests"] == [
        {"method": "POST", "path": f"playlists/{pid}/items", "body": {"uris": uris(picked)}}
    ]
    assert not (demo_data_dir / "demo-outbox.jsonl").exists()
    res = cli("--demo", "export", "--recommend", "--playlist", pid, "-n", "3", env=env)
    assert res.returncode == 0, res.stderr
    assert "Added 3 tracks to the end of “Gym Mix”" in res.stdout
    from spotui.config.env import Config

    (entry,) = read_outbox(Config(data_dir=demo_data_dir, config_dir=demo_data_dir, demo=True))
    assert entry["kind"] == "playlist_append" and entry["uris"] == uris(picked)
    # the playlist now holds them: continuing it again offers other tracks
    res = cli("--demo", "recommend", "--playlist", pid, "-n", "3", "--json", env=env)
    assert not {d["track_id"] for d in json.loads(res.stdout)} & set(picked)
    res = cli("--demo", "export", "--recommend", "--playlist", pid, "--public", env=env)
    assert res.returncode == 2 and "--playlist adds to yours" in res.stderr

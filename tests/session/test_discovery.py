"""Discovery beyond the library: ReccoBeats proposes, spotui ranks; cached, polite, optional.

Against the fake ReccoBeats (tests/fakes/reccobeats.py): candidates are fetched for seed
sets that cover a cluster, stored as catalog tracks with their source, featured through
the provider chain and ranked by spotui's own scorer; a seed set asked again within a
day costs no request; a 429 is sat out; offline, the user hears it and gets library +
catalog. Plus the offline demo ReccoBeats and "no repeats".
"""

from __future__ import annotations

import json
import socket
import time

import numpy as np
import pytest

from spotui.analysis.recommend.discovery_seeds import covering_seeds
from spotui.config.env import Config
from spotui.core.records import Features, Track
from spotui.http import HttpClient, HTTPStatusError
from spotui.session.discovery import QUEUED, SKIPPED, discover
from spotui.session.facade import Session
from spotui.session.recommend_store import clear_cache, recommender
from spotui.session.seeds import Seeds
from spotui.sources.demo_reccobeats import DemoReccoBeats, candidate_set
from spotui.sources.reccobeats import SOURCE
from spotui.store import Store
from tests.conftest import run_cli
from tests.fakes import fake_config
from tests.fakes.reccobeats import FakeReccoBeats, features_for
from tests.fakes.spotify import spotify_id

LIB = [spotify_id(i) for i in range(40)]
CANDIDATES = [
    Track(id=spotify_id(i, prefix="c"), name=f"New Song {i}", artists=(f"Band {i}",))
    for i in range(150)
]
#: candidates the fake recommends but knows no features for
FEATURELESS = {t.id for t in CANDIDATES[140:]}


def fill_library(store: Store) -> None:
    store.tracks.upsert_tracks(
        [Track(id=t, name=f"Mine {i}", artists=(f"Me {i % 7}",)) for i, t in enumerate(LIB)]
    )
    store.library.add_saved([(t, "2026-01-01T00:00:00Z") for t in LIB])
    store.tracks.upsert_features([Features(t, "csv:test", **features_for(t)) for t in LIB])


@pytest.fixture
def rb():
    with FakeReccoBeats() as f:
        f.know(LIB)
        f.add_candidates([t for t in CANDIDATES if t.id not in FEATURELESS])
        f.add_candidates([t for t in CANDIDATES if t.id in FEATURELESS], with_features=False)
        yield f


@pytest.fixture
def session(tmp_path, rb, store):
    clear_cache()
    fill_library(store)
    return Session(fake_config(tmp_path, reccobeats=rb), store=store)


def catalog_from_reccobeats(store: Store) -> set[str]:
    rows = store.conn.execute(
        "SELECT track_id FROM imports WHERE kind = 'catalog' AND source = ?", (SOURCE,)
    )
    return {r[0] for r in rows}


def recommendation_calls(rb: FakeReccoBeats) -> list[dict]:
    return [q for (_m, _p, q, _b) in rb.calls("/v1/track/recommendation")]


def test_candidates_are_fetched_stored_featured_and_ranked_by_spotui(session, rb, store):
    seed = LIB[3]
    recs = session.recommendations.recommend(
        Seeds.track(seed), n=10, discover=True, diversity=0, artist_cap=0
    )

    assert recommendation_calls(rb) == [{"seeds": seed, "size": "100"}]
    answered = catalog_from_reccobeats(store)
    assert len(answered) == 100 and answered <= {t.id for t in CANDIDATES}
    # features came through the provider chain (ReccoBeats), in batches of at most 40
    asked = sorted(len(b) for b in rb.id_batches())
    assert sum(asked) == 100 and max(asked) <= 40
    with_features = answered - FEATURELESS
    assert {store.tracks.get_features(t).provider for t in with_features} == {"reccobeats"}
    assert answered & FEATURELESS  # some it knows no features for: stored, not ranked
    assert all(store.tracks.get_features(t) is None for t in answered & FEATURELESS)

    # ranked by spotui's own distance, among the candidates only
    ids = [r.track.id for r in recs.results]
    rec = recommender(store)
    q = rec.scaled[rec.index[seed]]
    dist = {c: float(np.linalg.norm(rec.scaled[rec.index[c]] - q)) for c in with_features}
    assert ids == sorted(dist, key=lambda c: (dist[c], c))[:10]
    assert not any(r.in_library for r in recs.results)
    assert recs.discovery.requests == 1 + len(asked)
    assert recs.discovery.note().startswith("100 candidates from ReccoBeats (1 seed set, ")


def test_a_seed_set_asked_again_within_a_day_costs_no_request(session, rb, store):
    first = session.recommendations.recommend(Seeds.track(LIB[5]), discover=True)
    served = len(rb.requests)
    again = session.recommendations.recommend(Seeds.track(LIB[5]), discover=True)
    assert len(rb.requests) == served  # nothing sent: answer and features from the store
    assert [r.track.id for r in again.results] == [r.track.id for r in first.results]
    assert (again.discovery.cached_sets, again.discovery.requests) == (1, 0)
    assert "1 from the cache, 0 requests" in again.discovery.note()

    # a day later the answer is asked for again (features are known by then)
    rec = session.recommendations.recommender()
    later = discover(session.config, store, rec, [LIB[5]], now=lambda: time.time() + 86_401)
    assert (later.cached_sets, later.requests) == (0, 1)
    assert len(recommendation_calls(rb)) == 2


def test_library_songs_and_their_versions_are_not_discoveries(tmp_path, store):
    clear_cache()
    fill_library(store)
    remaster = Track(id="r" * 22, name="Mine 3 - Remastered 2011", artists=("Me 3",))
    fresh = CANDIDATES[:5]
    with FakeReccoBeats() as small:
        small.know(LIB)
        small.add_candidates([remaster, Track(id=LIB[4], name="Mine 4"), *fresh])
        session = Session(fake_config(tmp_path, reccobeats=small), store=store)
        recs = session.recommendations.recommend(
            Seeds.track(LIB[3]), n=10, discover=True, artist_cap=0
        )
    assert catalog_from_reccobeats(store) == {remaster.id, LIB[4], *(t.id for t in fresh)}
    assert sorted(recs.discovery.candidate_ids) == sorted(t.id for t in fresh)
    assert {r.track.id for r in recs.results} == {t.id for t in fresh}


def test_a_cluster_is_covered_by_seed_sets_of_five(session, rb):
    selection = LIB[:40]
    session.recommendations.recommend(Seeds.selection(selection), discover=True)
    sets = rb.seed_sets()
    assert [len(s) for s in sets] == [5, 5, 5]
    seeds = [s for group in sets for s in group]
    assert len(set(seeds)) == 15 and set(seeds) <= set(selection)


def test_covering_seeds_pick_one_real_track_per_sub_group_and_group_neighbours():
    rng = np.random.default_rng(0)
    centres = np.array([[float(i) * 10, 0.0] for i in range(15)])
    points = np.vstack([c + rng.normal(0, 0.5, (8, 2)) for c in centres])
    ids = [f"b{i // 8}-{i % 8}" for i in range(len(points))]
    sets = covering_seeds(ids, points, sets=3)
    blobs = [[int(s.split("-")[0][1:]) for s in group] for group in sets]
    assert sorted(b for group in blobs for b in group) == list(range(15))  # one per blob
    # each request asks for neighbours: blobs 0-4, 5-9, 10-14 (in either direction)
    assert sorted(sorted(g) for g in blobs) == [
        [0, 1, 2, 3, 4],
        [5, 6, 7, 8, 9],
        [10, 11, 12, 13, 14],
    ]
    few = covering_seeds(ids[:7], points[:7])
    assert few == [ids[:5], ids[5:7]]


def test_a_short_429_is_sat_out(session, rb):
    rb.fail_next(429, retry_after=0.4, path="/v1/track/recommendation")
    start = time.monotonic()
    recs = session.recommendations.recommend(Seeds.track(LIB[1]), discover=True)
    assert time.monotonic() - start >= 0.4
    assert len(recommendation_calls(rb)) == 2
    assert recs.discovery.error is None and recs.results
    assert not any(r.in_library for r in recs.results)


def test_a_long_429_falls_back_to_library_and_catalog_saying_why(session, rb, store):
    rb.fail_next(429, retry_after=3600, path="/v1/track/recommendation")
    recs = session.recommendations.recommend(Seeds.track(LIB[1]), n=5, discover=True)
    assert recs.discovery.failed
    assert recs.discovery.note() == (
        "Discovery unavailable (ReccoBeats is rate limiting spotui and asks to wait 60 min. "
        "Try again later; everything synced so far is kept.) - showing your library and "
        "catalog instead."
    )
    assert len(recs.results) == 5 and all(r.in_library for r in recs.results)
    assert not catalog_from_reccobeats(store)
    session.recommendations.recommend(
        Seeds.track(LIB[1]), discover=True
    )  # nothing was cached: asks again
    assert len(recommendation_calls(rb)) == 2


def test_offline_falls_back_with_a_message(tmp_path, store):
    clear_cache()
    fill_library(store)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    config = Config(
        data_dir=tmp_path / "d",
        config_dir=tmp_path / "c",
        reccobeats_url=f"http://127.0.0.1:{port}/v1",
    )
    recs = Session(config, store=store).recommendations.recommend(
        Seeds.track(LIB[2]), n=4, discover=True
    )
    assert recs.discovery.note() == (
        f"Discovery unavailable (Could not reach ReccoBeats (127.0.0.1:{port}): ConnectionError. "
        "Check your connection.) - showing your library and catalog instead."
    )
    assert len(recs.results) == 4 and all(r.in_library for r in recs.results)


def test_the_fake_behaves_like_reccobeats(rb):
    http = HttpClient(rb.url, service="ReccoBeats", backoff=0.01)
    with pytest.raises(HTTPStatusError) as exc:
        http.get("track/recommendation", {"seeds": ",".join(LIB[:6]), "size": 10})
    assert exc.value.status == 400
    with pytest.raises(HTTPStatusError):
        http.get("track/recommendation", {"seeds": LIB[0], "size": 101})
    known = http.get("track/recommendation", {"seeds": LIB[0], "size": 5})["content"]
    mixed = http.get("track/recommendation", {"seeds": f"{LIB[0]},{'x' * 22}", "size": 5})
    assert mixed["content"] == known and len(known) == 5  # unknown seeds are ignored
    assert http.get("track/recommendation", {"seeds": "y" * 22})["content"] == []
    assert set(known[0]) >= {"id", "trackTitle", "artists", "href", "isrc", "durationMs"}
    assert "energy" not in known[0]


# ---------------------------------------------------------------------- the demo
@pytest.fixture
def demo_session(demo_store, tmp_path):
    clear_cache()
    config = Config(data_dir=tmp_path / "d", config_dir=tmp_path / "c", demo=True)
    return Session(config, store=demo_store)


def test_demo_discovery_is_offline_and_deterministic(demo_session, demo_store):
    seed = demo_store.tracks.track_ids()[10]
    recs = demo_session.recommendations.recommend(Seeds.track(seed), n=10, discover=True)
    offline = {t.id for t in candidate_set()[0]}
    assert len(recs.results) == 10
    assert {r.track.id for r in recs.results} <= offline
    assert not any(r.in_library for r in recs.results)
    assert recs.discovery.note().startswith("100 candidates from demo ReccoBeats (1 seed set")
    assert demo_store.tracks.get_features(recs.results[0].track.id).provider == "demo"
    again = demo_session.recommendations.recommend(Seeds.track(seed), n=10, discover=True)
    assert [r.track.id for r in again.results] == [r.track.id for r in recs.results]
    assert again.discovery.requests == 0


def test_demo_reccobeats_answers_like_the_real_one(demo_store):
    http = DemoReccoBeats(demo_store.tracks.get_features_many)
    ids = demo_store.tracks.track_ids()[:6]
    with pytest.raises(HTTPStatusError) as exc:
        http.get("track/recommendation", {"seeds": ",".join(ids), "size": 10})
    assert exc.value.status == 400
    one = http.get("track/recommendation", {"seeds": ids[0], "size": 7})["content"]
    assert (
        len(one) == 7
        and one
        == http.get("track/recommendation", {"seeds": f"{ids[0]},{'z' * 22}", "size": 7})["content"]
    )
    sid = one[0]["href"].rsplit("/", 1)[1]
    feats = http.get("audio-features", {"ids": f"{sid},{'z' * 22}"})["content"]
    assert [f["href"] for f in feats] == [one[0]["href"]] and "time_signature" not in feats[0]


def test_cli_discover_json_on_the_demo(cli, segmented_data_dir):
    env = {"SPOTUI_DATA_DIR": str(segmented_data_dir)}
    r = cli("--demo", "recommend", "--cluster", "0", "--discover", "-n", "5", "--json", env=env)
    assert r.returncode == 0, r.stderr
    recs = json.loads(r.stdout)
    offline = {t.id for t in candidate_set()[0]}
    assert len(recs) == 5 and all(not d["in_library"] for d in recs)
    assert {d["track_id"] for d in recs} <= offline
    assert "candidates from demo ReccoBeats (3 seed sets" in r.stderr


def test_cli_discover_against_the_fake_then_from_the_cache(tmp_path, rb):
    data = tmp_path / "data"
    data.mkdir()
    with Store.open(data / "library.sqlite3") as s:
        fill_library(s)
    env = {
        "SPOTUI_DATA_DIR": str(data),
        "SPOTUI_CONFIG_DIR": str(tmp_path / "config"),
        "SPOTUI_RECCOBEATS_URL": rb.url,
    }
    args = ("recommend", "--track", LIB[7], "--discover", "-n", "3", "--json")
    first = run_cli(*args, env=env)
    assert first.returncode == 0, first.stderr
    served = len(rb.requests)
    second = run_cli(*args, env=env)
    assert second.returncode == 0, second.stderr
    assert len(rb.requests) == served
    assert json.loads(second.stdout) == json.loads(first.stdout)
    assert [d["in_library"] for d in json.loads(first.stdout)] == [False] * 3
    assert "(1 seed set, 1 from the cache, 0 requests)" in second.stderr


# ---------------------------------------------------------------------- no repeats
PLAIN = {"diversity": 0.0, "artist_cap": 0}  # plain top-n, so removing a pick shifts the rest


def test_queued_and_skipped_tracks_and_their_versions_are_not_offered_again(
    demo_session, demo_store
):
    seed = demo_store.tracks.track_ids()[20]
    before = [
        r.track
        for r in demo_session.recommendations.recommend(Seeds.track(seed), n=6, **PLAIN).results
    ]
    queued, skipped = before[0], before[1]
    # another version of the queued song, sounding exactly like it
    version = Track(id="v" * 22, name=f"{queued.name} - Radio Edit", artists=queued.artists)
    demo_store.tracks.upsert_tracks([version])
    demo_store.tracks.upsert_features(
        [_copy_features(demo_store.tracks.get_features(queued.id), version.id)]
    )
    demo_store.library.add_imports([version.id], "catalog", "test")
    demo_session.library.changed()

    demo_session.player.queue([queued.id])  # --demo: to the outbox, and remembered
    result = demo_session.recommendations.skip([skipped.id])
    assert result.summary() == (
        f"Skipped “{skipped.name}” by {skipped.artist_line}: not offered again for 30 days."
    )
    after = [
        r.track.id
        for r in demo_session.recommendations.recommend(Seeds.track(seed), n=6, **PLAIN).results
    ]
    assert not {queued.id, skipped.id, version.id} & set(after)
    assert [t.id for t in before[2:]] == after[:4]
    undone = demo_session.recommendations.unskip([skipped.id])
    assert undone.summary() == (
        f"Unskipped “{skipped.name}” by {skipped.artist_line}: can be recommended again."
    )
    back = [
        r.track.id
        for r in demo_session.recommendations.recommend(Seeds.track(seed), n=6, **PLAIN).results
    ]
    assert skipped.id in back
    demo_session.recommendations.skip([skipped.id])

    # remembered in the store with times: a queue a day and more ago counts no longer
    day_ago = time.time() - 25 * 3600
    demo_store.discovery.note_recent([queued.id], QUEUED, day_ago)
    demo_store.discovery.note_recent([skipped.id], SKIPPED, day_ago)  # skips count for 30 days
    again = [
        r.track.id
        for r in demo_session.recommendations.recommend(Seeds.track(seed), n=6, **PLAIN).results
    ]
    assert queued.id in again and skipped.id not in again


def _copy_features(f: Features, track_id: str) -> Features:
    return Features(track_id, f.provider, **f.as_dict())


def test_cli_skip_leaves_a_track_out(cli, demo_data_dir, demo_store):
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir)}
    seed = demo_store.tracks.track_ids()[30]
    args = ("--demo", "recommend", "--track", seed, "-n", "4", "--json", "--diversity", "0")
    before = [d["track_id"] for d in json.loads(cli(*args, env=env).stdout)]
    r = cli("--demo", "skip", f"spotify:track:{before[0]}", "--json", env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"skipped": [before[0]]}
    after = [d["track_id"] for d in json.loads(cli(*args, env=env).stdout)]
    assert before[0] not in after and after[:3] == before[1:]


def test_cli_skip_names_the_track_and_undo_takes_it_back(cli, demo_data_dir):
    from spotui.store import Store

    s = Store.open(demo_data_dir / "demo.sqlite3")
    track = s.tracks.get_tracks(s.tracks.track_ids("library")[:1])[0]
    s.close()
    r = cli("--demo", "skip", track.id)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        f"Skipped “{track.name}” by {track.artist_line}: not offered again for 30 days.",
        f"To take it back: spotui skip --undo {track.id}",
    ]
    r = cli("--demo", "skip", "--undo", f"spotify:track:{track.id}", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"unskipped": [track.id]}
    r = cli("--demo", "skip", "--undo", track.id)
    assert r.stdout.strip() == (
        f"Unskipped “{track.name}” by {track.artist_line}: can be recommended again."
    )

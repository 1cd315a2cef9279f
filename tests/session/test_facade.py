"""The core both faces call: one answer to "which clusters", "what are the seeds", and
the rules the TUI used to keep to itself."""

from __future__ import annotations

import json
import threading

import pytest

from spotui.config.env import Config
from spotui.core.errors import NotFoundError
from spotui.export.queue import ASK_ABOVE
from spotui.session.facade import Session
from spotui.session.seeds import Seeds
from spotui.store import Store


@pytest.fixture
def session(demo_store, tmp_path):
    config = Config(data_dir=tmp_path / "d", config_dir=tmp_path / "c", demo=True)
    return Session(config, store=demo_store)


def test_recommend_cluster_uses_the_stored_segment_k8_gmm(cli, demo_data_dir):
    """`recommend --cluster` after `segment --k 8 --method gmm` seeds from that result and
    leaves it stored (it used to re-segment with the defaults and overwrite it)."""
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir)}
    r = cli("--demo", "segment", "--k", "8", "--method", "gmm", "--json", env=env)
    assert r.returncode == 0, r.stderr
    seg = json.loads(r.stdout)
    assert (seg["method"], seg["k"]) == ("gmm", 8)
    cluster = seg["clusters"][-1]
    members = set(cluster["track_ids"])
    r = cli("--demo", "recommend", "--cluster", str(cluster["id"]), "-n", "5", "--json", env=env)
    assert r.returncode == 0, r.stderr
    recs = json.loads(r.stdout)
    assert len(recs) == 5 and not members & {d["track_id"] for d in recs}
    with Store.open(demo_data_dir / "demo.sqlite3") as s:
        run = s.moods.latest_analysis()
    assert (run.method, run.k) == ("gmm", 8)
    r = cli("--demo", "export", "--cluster", str(cluster["id"]), "--dry-run", env=env)
    assert r.returncode == 0, r.stderr
    assert f"add {len(members)} tracks" in r.stdout


def test_clusters_recompute_with_the_stored_k_and_method(session, demo_store):
    first = session.moods.segment(5, "agglomerative")
    assert (first.method, first.requested_k) == ("agglomerative", 5)
    fresh = Session(session.config, store=demo_store)
    assert fresh.moods.clusters().fingerprint == first.fingerprint  # current: reused as stored
    demo_store.library.remove_saved(
        demo_store.tracks.track_ids("library")[:40]
    )  # the library changed
    again = fresh.moods.clusters()
    assert again.fingerprint != first.fingerprint
    assert (again.method, again.requested_k) == ("agglomerative", 5)


def test_seeds_resolve_the_same_for_every_face(session):
    result = session.moods.clusters()
    cluster = result.clusters[0]
    by_cluster = session.recommendations.recommend(Seeds.cluster(cluster.id), n=5)
    by_tracks = session.recommendations.recommend(Seeds.track(result.tracks_in(cluster.id)), n=5)
    assert [r.track.id for r in by_cluster.results] == [r.track.id for r in by_tracks.results]
    assert by_cluster.title == (
        f"Like cluster {cluster.id} “{cluster.label}” ({cluster.size} tracks)"
    )
    assert by_cluster.key == f"recommend:cluster:{cluster.id}"
    assert (
        session.recommendations.pane_title(Seeds.cluster(cluster.id))
        == f"Like cluster {cluster.label}"
    )
    one = result.tracks_in(cluster.id)[0]
    track = session.moods.track_detail(one).track
    assert session.recommendations.pane_title(Seeds.track(one)) == f"Like “{track.name}”"
    assert session.recommendations.recommend(Seeds.track(one), n=3).title.startswith(
        f"Like “{track.name}” by "
    )
    assert session.recommendations.pane_title(Seeds.selection([one])) == "Like the map selection"
    with pytest.raises(NotFoundError, match="There is no cluster 99"):
        session.recommendations.recommend(Seeds.cluster(99))


def test_track_detail_says_when_a_track_has_no_cluster_yet(session, demo_store):
    result = session.moods.clusters()
    tid = next(iter(result.assignments))
    detail = session.moods.track_detail(tid)
    assert detail.cluster.id == result.assignments[tid] and detail.note == ""
    session.moods.result = None
    assert (
        session.moods.track_detail(tid).note == "Not in a mood yet. Features from the demo library."
    )
    assert session.moods.track_detail(result.unanalysed[0]).note == ""  # no features, no promise


def test_asks_before_queueing_more_than_the_threshold(session):
    assert session.player.ask_before_queueing(ASK_ABOVE, "Calm") is None
    question = session.player.ask_before_queueing(ASK_ABOVE + 1, "Calm")
    assert question == f"Queue all {ASK_ABOVE + 1} tracks of Calm? They play after what is queued."


def test_map_selection_export_name_and_key(session):
    ids = session.moods.clusters().tracks_in(session.moods.result.clusters[0].id)[:7]
    target = session.exports.selection_target(ids)
    assert target.name == "spotui · Map selection (7 tracks)"
    assert target.key == session.exports.selection_target(list(reversed(ids))).key
    plan = session.exports.export(target, dry_run=True)
    assert plan.created and plan.track_count == 7


def test_worker_threads_get_their_own_store(session, demo_store):
    seen = {}

    def worker():
        with session.context.db() as store:
            seen["store"] = store
            seen["rows"] = session.library.status()["library_tracks"]

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen["store"] is not demo_store and seen["rows"] == 2000


def test_a_sessions_spotify_clients_share_one_rate_budget(fake, config):
    """A 429 one call heard (a playback refresh) holds back the session's other clients (the
    radio's, which sits out no 429 itself) until its Retry-After has passed."""
    import threading
    import time

    session = Session(config)
    first, radio = session.context.client(), session.context.client(max_retry_after=0)
    try:
        assert first.budget is radio.budget
        fake.fail_next(429, retry_after=1.0, path="/v1/me/player")
        start = time.monotonic()
        refresh = threading.Thread(target=first.get, args=("me/player",))
        refresh.start()
        while not fake.calls("/v1/me/player"):  # the 429 has been answered
            time.sleep(0.01)
        time.sleep(0.2)  # its client has read the answer and paused the budget
        assert radio.get("me")["id"] == "alice"  # waited for the other client's Retry-After
        assert time.monotonic() - start >= 1.0
        refresh.join()
        assert Session(config).context.client().budget is not first.budget  # one per session
    finally:
        first.close()
        radio.close()

"""Moods that stay put: placing new tracks in the stored moods, the refit rule at each of
its thresholds, partial features, a chosen k through growth, and what changed (core, CLI
subprocess, TUI pilot)."""

from __future__ import annotations

import asyncio
import functools
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spotui.analysis.matrix import MOOD_FEATURES
from spotui.analysis.moods.model import MoodModel, signatures
from spotui.analysis.moods.refit_rule import (
    RefitRules,
    label_word_share,
    refit_reason,
    summarise_new,
)
from spotui.config.env import Config
from spotui.core.records import FEATURE_NAMES, Features, Track
from spotui.session import mood_store
from spotui.session.facade import Session
from spotui.sources.demo import populate
from spotui.store import Store
from spotui.tui.source import Source
from tests.conftest import app_on, open_copy, run_cli
from tests.tui.pilot import settle, wait_for

FULL = dict(
    danceability=0.6,
    energy=0.7,
    valence=0.6,
    tempo=120.0,
    loudness=-6.0,
    acousticness=0.1,
    instrumentalness=0.0,
    speechiness=0.05,
    liveness=0.1,
)


def add(store: Store, prefix: str, rows: list[dict], start: int = 0) -> list[str]:
    """Saved tracks with these features (None = missing); returns their ids."""
    ids = [f"{prefix}{start + i:0{22 - len(prefix)}d}" for i in range(len(rows))]
    store.tracks.upsert_tracks(
        [Track(t, f"Song {prefix}{start + i}", ("Someone",)) for i, t in enumerate(ids)]
    )
    store.tracks.upsert_features(
        [
            Features(t, "test", **{k: v for k, v in r.items() if v is not None})
            for t, r in zip(ids, rows, strict=True)
        ]
    )
    store.library.add_saved([(t, "2026-11-02T00:00:00Z") for t in ids])
    return ids


def like_library(store: Store, n: int, seed: int) -> list[dict]:
    """``n`` feature rows resampled from the library's own tracks, slightly jittered."""
    rows = store.tracks.feature_rows("library")
    rng = np.random.default_rng(seed)
    out = []
    for i in rng.integers(0, len(rows), n).tolist():
        r = dict(zip(FEATURE_NAMES, rows[i][1:], strict=True))
        r = {k: v for k, v in r.items() if k in MOOD_FEATURES}
        if any(v is None for v in r.values()):
            r = dict(FULL)
        for k in ("energy", "valence", "danceability"):
            r[k] = float(np.clip(r[k] + rng.normal(0, 0.01), 0, 1))
        out.append(r)
    return out


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    """500 demo tracks with their first moods, made once; tests copy the file."""
    path = tmp_path_factory.mktemp("moods") / "base.sqlite3"
    with Store.open(path) as s:
        populate(s, n_tracks=500, seed=3, n_catalog=0)
        mood_store.segment(s)
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def store(base_db, tmp_path):
    s = open_copy(base_db, tmp_path)
    yield s
    s.close()


def moods(result) -> dict[str, tuple[int, str]]:
    labels = {c.id: c.label for c in result.clusters}
    return {t: (c, labels[c]) for t, c in result.assignments.items()}


# ---------------------------------------------------------------- placing
def test_new_tracks_join_the_nearest_mood_and_nothing_else_moves(store) -> None:
    before = mood_store.load_result(store)
    new = add(store, "new", like_library(store, 60, 1))
    after = mood_store.segment(store)
    assert after.changes["refit"] is None
    assert after.k == before.k and after.requested_k is None
    assert {c.id: c.label for c in after.clusters} == {c.id: c.label for c in before.clusters}
    old = moods(before)
    assert all(moods(after)[t] == m for t, m in old.items())  # 0 moved
    assert set(new) <= set(after.assignments)
    # each new track is in the mood whose stored centre is nearest
    model = MoodModel.from_params(after.params, after.method, after.requested_k)
    rows = {r[0]: r for r in store.tracks.feature_rows("library")}
    raw = np.array(
        [[rows[t][1 + FEATURE_NAMES.index(c)] for c in MOOD_FEATURES] for t in new], dtype=float
    )
    placed, _ = model.place(raw)
    assert [after.assignments[t] for t in new] == placed.tolist()
    ch = after.changes
    assert ch["new_tracks"] == 60 and sum(ch["new_by_mood"].values()) == 60
    assert ch["moved_tracks"] == 0 and ch["renamed"] == [] and ch["added"] == []
    assert ch["summary"].startswith("60 new tracks: ")
    assert store.moods.mood_news() == set(new)
    assert sum(c.size for c in after.clusters) == len(after.assignments)
    # only the new rows were written over the previous run's: what is read back is the same
    stored = mood_store.load_result(store)
    assert stored.assignments == after.assignments and stored.coords == after.coords
    assert stored.unanalysed == after.unanalysed
    # tracks leaving the library leave the stored moods too
    gone = new[:5]
    store.conn.executemany("DELETE FROM saved_tracks WHERE track_id = ?", [(t,) for t in gone])
    fewer = mood_store.segment(store)
    assert fewer.changes["removed_tracks"] == 5 and fewer.changes["refit"] is None
    assert mood_store.load_result(store).assignments == fewer.assignments
    assert not set(gone) & set(fewer.assignments)


def test_a_track_moves_only_when_its_own_features_change(store) -> None:
    before = mood_store.load_result(store)
    model = MoodModel.from_params(before.params, before.method, before.requested_k)
    tid = next(iter(before.assignments))
    # give it the features of another mood's centre region: the most typical track there
    other = next(c.id for c in before.clusters if c.id != before.assignments[tid])
    donor = before.examples[other][0]
    donor_f = store.tracks.get_features(donor)
    store.tracks.upsert_features(
        [Features(tid, "test", **{n: getattr(donor_f, n) for n in FEATURE_NAMES})]
    )
    after = mood_store.segment(store)
    assert after.changes["refit"] is None
    assert after.assignments[tid] == other
    moved = {t for t in before.assignments if before.assignments[t] != after.assignments.get(t)}
    assert moved == {tid}
    assert after.changes["moved"] == [
        {"track_id": tid, "from": before.assignments[tid], "to": other}
    ]
    assert model.k == after.k


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batch=st.lists(
        st.fixed_dictionaries(
            {
                c: (
                    st.floats(0, 1)
                    if c not in ("tempo", "loudness")
                    else st.floats(40, 220)
                    if c == "tempo"
                    else st.floats(-40, 0)
                )
                for c in MOOD_FEATURES
            }
        ),
        min_size=1,
        max_size=40,
    )
)
def test_adding_tracks_never_moves_a_track_already_there_without_a_refit(
    base_db, tmp_path_factory, batch
) -> None:
    path = tmp_path_factory.mktemp("prop") / "lib.sqlite3"
    shutil.copy(base_db, path)
    with Store.open(path) as store:
        before = mood_store.load_result(store)
        add(store, "hyp", batch)
        after = mood_store.segment(store)
        if after.changes["refit"] is None:
            assert all(moods(after)[t] == m for t, m in moods(before).items())
            assert after.k == before.k
        else:  # a refit says why, and the far rule is what strange tracks trigger
            assert after.changes["refit"]["code"] in ("far", "size", "words", "emptied")


# ---------------------------------------------------------------- the refit rule
def _model(n_fit=100, placed=0, far=0) -> MoodModel:
    z = np.zeros(len(MOOD_FEATURES))
    return MoodModel(
        "kmeans", None, MOOD_FEATURES, z, np.ones_like(z), np.ones_like(z),
        {0: z, 1: z + 1}, n_fit=n_fit, far_distance=1.0, placed_since_fit=placed,
        far_since_fit=far,
    )  # fmt: skip


RULES = RefitRules()
LABELS = {0: "Calm Acoustic", 1: "Euphoric Dance"}


def reason(model, n_now=100, sizes=None, words=None):
    got = refit_reason(
        model, RULES, n_now, sizes or {0: 50, 1: 50}, LABELS, words or {0: 0.9, 1: 0.9}
    )
    return got.code if got else None


def test_growth_and_shrink_thresholds() -> None:
    assert reason(_model(), n_now=130) is None  # exactly 30%: not more than
    assert reason(_model(), n_now=131) == "growth"
    assert reason(_model(), n_now=70) is None
    assert reason(_model(), n_now=69) == "shrink"
    got = refit_reason(_model(n_fit=1000), RULES, 1420, {0: 710, 1: 710}, LABELS, {})
    assert got.text == (
        "Your library grew by 42% since these moods were made (1,000 → 1,420 tracks), so they "
        "were made again."
    )


def test_far_threshold_counts_only_once_enough_tracks_came() -> None:
    assert reason(_model(placed=20, far=5)) is None  # 25%: not more than
    assert reason(_model(placed=20, far=6)) == "far"
    assert reason(_model(placed=19, far=19)) is None  # fewer than far_min
    got = refit_reason(_model(placed=40, far=12), RULES, 100, {0: 50, 1: 50}, LABELS, {})
    assert got.text == (
        "30% of the 40 tracks added since these moods were made sound unlike all of them, so "
        "the moods were made again."
    )


def test_emptied_size_and_words_thresholds() -> None:
    assert reason(_model(), sizes={0: 0, 1: 100}) == "emptied"
    assert reason(_model(), sizes={0: 50, 1: 50}) is None  # 50%: not more than
    assert reason(_model(), sizes={0: 49, 1: 51}) == "size"
    assert reason(_model(), words={0: 0.5, 1: 0.9}) is None
    assert reason(_model(), words={0: 0.49, 1: 0.9}) == "words"
    got = refit_reason(_model(), RULES, 100, {0: 40, 1: 60}, LABELS, {})
    assert got.text == (
        "“Euphoric Dance” grew to 60% of your library (more than 50%), so the moods were made again."
    )


def test_rules_from_config_tell_what_they_ignored() -> None:
    rules, problems = RefitRules.from_config({"growth": 0.5, "far_min": 10, "max_share": 2, "x": 1})
    assert rules.growth == 0.5 and rules.far_min == 10 and rules.max_share == 0.5
    assert problems == [
        "[moods] max_share = 2 is not valid; using 0.5",
        "[moods] x is not a setting; ignored",
    ]
    assert RefitRules.from_config("no")[1] == ["[moods] must be a table; using the defaults"]


def test_growth_refit_through_the_store_keeps_ids_labels_and_a_chosen_k(store) -> None:
    three = mood_store.segment(store, k=3)
    assert three.k == 3 and three.requested_k == 3
    add(store, "g", like_library(store, 40, 2))
    placed = mood_store.segment(store)
    assert placed.k == 3 and placed.changes["refit"] is None  # a sync keeps the chosen k
    n_fit = placed.params["model"]["n_fit"]
    add(store, "h", like_library(store, int(0.31 * n_fit) + 1, 3), start=100)
    grown = mood_store.segment(store)
    assert grown.changes["refit"]["code"] == "growth"
    assert grown.k == 3 and grown.requested_k == 3  # made again, still the k the user chose
    assert {c.id for c in grown.clusters} == {c.id for c in placed.clusters}
    same = sum(grown.assignments[t] == c for t, c in placed.assignments.items())
    assert same / len(placed.assignments) > 0.9
    assert grown.params["model"]["n_fit"] == len(grown.assignments)


def test_tracks_unlike_every_mood_make_them_again(store) -> None:
    odd = dict(FULL, energy=0.02, valence=0.98, acousticness=1.0, instrumentalness=1.0,
               speechiness=0.95, liveness=0.99, tempo=220.0, loudness=-45.0)  # fmt: skip
    add(store, "odd", [odd] * 25)
    after = mood_store.segment(store)
    assert after.changes["refit"]["code"] == "far"
    assert "sound unlike all of them" in after.changes["refit"]["text"]
    assert after.params["model"]["placed_since_fit"] == 0  # a new fit starts counting again


def test_an_emptied_mood_makes_them_again(store) -> None:
    before = mood_store.load_result(store)
    smallest = min(before.clusters, key=lambda c: c.size)
    gone = before.tracks_in(smallest.id)
    for table in ("saved_tracks", "playlist_items", "top_tracks", "recent_plays", "imports"):
        store.conn.executemany(f"DELETE FROM {table} WHERE track_id = ?", [(t,) for t in gone])
    after = mood_store.segment(store)
    assert after.changes["refit"]["code"] in ("emptied", "shrink")
    assert all(t not in after.assignments for t in gone)


def test_the_same_library_made_again_gives_the_same_moods(store) -> None:
    a = mood_store.segment(store, refit=True)
    b = mood_store.segment(store, refit=True)
    assert a.assignments == b.assignments
    assert [(c.id, c.label) for c in a.clusters] == [(c.id, c.label) for c in b.clusters]
    assert b.changes["moved_tracks"] == 0 and b.changes["renamed"] == []


# ---------------------------------------------------------------- partial features
def test_tracks_with_some_features_are_placed_and_only_the_rest_is_unanalysed(store) -> None:
    five = {k: FULL[k] for k in ("danceability", "energy", "valence", "acousticness", "tempo")}
    part = add(store, "part", [five, dict(five, energy=0.2, valence=0.2)])
    axis = add(store, "noaxis", [dict(five, valence=None)])
    after = mood_store.segment(store)
    assert set(part) <= set(after.assignments)
    assert axis[0] in after.unanalysed and axis[0] not in after.assignments
    assert after.params["unanalysed_why"]["no energy or valence"] == 1
    cfg = Config(data_dir=store.path.parent, config_dir=store.path.parent)
    session = Session(cfg, store=store)
    if True:
        session.moods.clusters()
        d = session.moods.track_detail(part[0])
        assert d.cluster is not None
        assert d.why[-1] == (
            "Features from test; missing instrumentalness, speechiness, liveness, loudness: "
            "placed on the 5 it has."
        )
        d = session.moods.track_detail(axis[0])
        assert d.cluster is None
        assert d.note == (
            "Features from test; no valence, which every mood is made of, so it is not in a mood."
        )


def test_signatures_tell_changed_features_apart() -> None:
    a = np.array([[0.5, 0.1, np.nan], [0.5, 0.1, np.nan], [0.5, 0.100001, np.nan], [0.5, -0.0, 0]])
    s = signatures(a)
    assert s[0] == s[1] and s[0] != s[2] and s[3] != s[0]
    assert signatures(np.array([[0.0]]))[0] == signatures(np.array([[-0.0]]))[0]
    assert (s >= 0).all()


def test_summary_and_word_share() -> None:
    assert summarise_new({"Euphoric": 25, "Calm Acoustic": 20, "Mellow": 15}) == (
        "60 new tracks: 25 joined Euphoric, 20 Calm Acoustic, 15 Mellow"
    )
    assert summarise_new({"A": 1}) == "1 new track joined A"
    assert summarise_new({"A": 30}) == "30 new tracks joined A"
    assert summarise_new({f"M{i}": 1 for i in range(6)}).endswith("1 M3, 2 elsewhere")
    shares = {0: {"Calm": 0.9, "Acoustic": 0.55}, 1: {"Euphoric": 0.7}}
    assert label_word_share({0: "Calm Acoustic", 1: "Euphoric II"}, shares) == {0: 0.55, 1: 0.7}


# ---------------------------------------------------------------- the faces
def test_cli_json_and_table_say_what_changed(tmp_path: Path, segmented_data_dir: Path) -> None:
    # the moods are stored already (a first segmentation's own report is tests/analysis/moods/
    # test_segment.py::test_cli_json_and_table): only what an import changes is asked here
    env = {"SPOTUI_DATA_DIR": str(segmented_data_dir), "SPOTUI_CONFIG_DIR": str(tmp_path / "c")}
    header = "Track URI,Track Name,Artist Name(s),Danceability,Energy,Valence,Acousticness,Tempo"
    lines = [header] + [
        f"spotify:track:{'n' * 18}{i:04d},New {i},Someone,0.6,0.{7 + i % 3},0.6,0.1,120"
        for i in range(12)
    ]
    csv_path = tmp_path / "more.csv"
    csv_path.write_text("\n".join(lines) + "\n")
    imp = run_cli("--demo", "import", str(csv_path), env=env)
    assert imp.returncode == 0, imp.stderr
    proc = run_cli("--demo", "segment", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    ch = data["changes"]
    assert ch["refit"] is None and ch["new_tracks"] == 12 and ch["moved_tracks"] == 0
    assert sum(ch["new_by_mood"].values()) == 12
    new_ids = {f"{'n' * 18}{i:04d}" for i in range(12)}
    placed = {t for c in data["clusters"] for t in c["track_ids"]}
    assert new_ids <= placed  # 5 of 9 features: placed, not unanalysed
    table = run_cli("--demo", "segment", env={**env, "COLUMNS": "200"})
    assert "The library has not changed since the last run" in table.stdout
    assert "12 new tracks" in table.stdout and "joined" in table.stdout


def _sync(test):
    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


@_sync
async def test_tui_tells_what_joined_which_mood_and_marks_it(
    segmented_demo, isolated_env, tmp_path
):
    from spotui.tui.widgets.track_table import TrackTable

    with open_copy(segmented_demo, tmp_path) as s:  # the library, then 20 new tracks
        new = add(s, "tui", like_library(s, 20, 4))
    app = app_on(tmp_path / segmented_demo.name, tmp_path)
    notes: list[str] = []
    real_notify = app.notify

    def notify(message, *a, **kw):
        notes.append(str(message))
        return real_notify(message, *a, **kw)

    app.notify = notify
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: any("20 new tracks: " in n for n in notes))
        assert app.news == set(new)
        table = app.screen.query_one(TrackTable)
        cid = app.result.assignments[new[0]]
        await pilot.press("slash", *"tui0", "enter")
        await wait_for(pilot, lambda: new[0] in table.track_ids)
        row = table.track_ids.index(new[0])
        assert str(table.get_row_at(row)[0]) == "+"
        # the cluster list counts them: "+N" beside the mood's size, until it is looked at
        from rich.console import Console

        from spotui.tui.widgets.cluster_list import ClusterList

        def shown(option) -> str:
            console = Console(width=60, color_system=None, record=True, file=io.StringIO())
            console.print(option.prompt)
            return console.export_text()

        clusters = app.screen.query_one(ClusterList)
        counts = app.news_by_mood()
        assert sum(counts.values()) == 20
        idx = clusters.get_option_index(f"c{cid}")
        assert f"+{counts[cid]} " in shown(clusters.get_option_at_index(idx))
        await pilot.press("escape")  # the filter closes
        clusters.focus()
        await pilot.pause()
        clusters.highlighted = idx  # the user looks at that mood...
        await wait_for(pilot, lambda: app.screen.source == Source.cluster(cid))
        clusters.highlighted = 0  # ...and moves on: its new tracks are seen
        await wait_for(pilot, lambda: cid not in app.news_by_mood())
        assert f"+{counts[cid]} " not in shown(clusters.get_option_at_index(idx))
        await app.workers.wait_for_complete()
        assert not (app.session.moods.news() & set(app.result.tracks_in(cid)))


def test_the_refit_rule_and_stored_moods_read_without_numpy() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from spotui.analysis.moods.refit_rule import RefitRules\n"
        "from spotui.session.mood_store import load_result\n"
        "RefitRules.from_config({'growth': 0.4})\n"
        "assert 'numpy' not in sys.modules, 'numpy imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr

"""Scores that follow the order (issue 20, item 6): the number a list is sorted by is the
one shown, named ("sound 0.65", "match 0.17 (taste 0.12 · sound 0.56)"), the same in the
CLI table, its JSON, the TUI list and the detail dialog, with a legend; and when nothing
sounds close to the seed both faces say so (a track with extreme features in the demo)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from spotui.analysis.recommend.recommender import RecommendationResult, Recommender
from spotui.analysis.recommend.scoring import FAR_SOUND
from spotui.core.records import Features, Track
from spotui.session.recommend_store import recommender
from spotui.session.seeds import Recommendations, Seeds
from spotui.store import Store
from spotui.tui.widgets.recommendations import RecommendationList, _row
from tests.tui.pilot import ready, sync, wait_for

#: The demo's first library track with features, and what it gets (deterministic demo).
SEED = "LTXfWeJiq67BKJmHtkwz4g"
#: A track louder, faster and more of everything than any demo track: nothing is close.
OUTLIER = "Outlier000000000000000"
SOUND_LEGEND = (
    "sound: 1.00 = the same sound, 0.50 = as close as a typical track's 10th-nearest "
    "neighbour in your library"
)
VARIED = "(for variety, some close tracks and extra tracks by one artist are left out)"
TRACK_LEGEND = f"Ordered by sound {VARIED}; {SOUND_LEGEND}."
TASTE_LEGEND = (
    f"Ordered by match = 0.9 × taste + 0.1 × sound {VARIED}; taste: the share of the seeds "
    f"your playlists keep it with; {SOUND_LEGEND}."
)
FAR = (
    "Nothing in your library sounds close to this track (nearest: sound 0.00); these are "
    "the nearest, but far."
)


def text_of(renderable, width: int = 100) -> str:
    """What a rich renderable shows at ``width``, wrapped lines joined by spaces."""
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return " ".join(console.export_text().split())


def add_outlier(path: Path) -> None:
    """Put :data:`OUTLIER` in the library of the store at ``path``."""
    with Store.open(path) as s:
        s.tracks.upsert_tracks([Track(OUTLIER, "Everything At Once", ("Noise Wall",))])
        s.tracks.upsert_features(
            [
                Features(
                    OUTLIER, "test", danceability=0.0, energy=1.0, valence=0.0,
                    acousticness=1.0, instrumentalness=1.0, speechiness=1.0, liveness=1.0,
                    tempo=249.0, loudness=-60.0,
                )
            ]
        )  # fmt: skip
        s.library.add_saved([(OUTLIER, None)])


def _result(score: float, sound: float, taste: float, blended: bool) -> RecommendationResult:
    return RecommendationResult(Track("t", "Song", ("Band",)), score, sound, "why", True, taste,
                                blended)  # fmt: skip


# ---------------------------------------------------------------------- the score line
def test_score_line_names_each_number():
    assert _result(0.8612, 0.8612, 0.0, False).score_line == "sound 0.86"
    line = _result(0.1234, 0.8612, 0.04, True).score_line
    assert line == "match 0.12 (taste 0.04 · sound 0.86)"
    # the TUI row shows that line, not a bare number
    row = text_of(_row(2, _result(0.1234, 0.8612, 0.04, True)), 80)
    assert row == "2. Song — Band in library why match 0.12 (taste 0.04 · sound 0.86)"


def test_cli_table_and_json_name_the_sound(cli, demo_data_dir):
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir)}
    res = cli("--demo", "recommend", "--track", SEED, "-n", "3", "--json", env=env)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert [(d["name"], d["score"], d["sound"], d["taste"]) for d in data] == [
        ("Dreaming Embers", 0.6476, 0.6476, 0.0),
        ("Stars Somewhere", 0.4743, 0.4743, 0.0),
        ("Windows Together", 0.3716, 0.3716, 0.0),
    ]
    res = cli("--demo", "recommend", "--track", SEED, "-n", "3", env=env)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert any(ln.startswith("┃ # ┃ Track") and "┃ Sound ┃ Why" in ln for ln in lines)
    assert "│ 1 │ Dreaming Embers (new)  │ Ocean Strangers │  0.65 │ same high" in res.stdout
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Ordered by"))
    assert " ".join(" ".join(lines[start:]).split()) == TRACK_LEGEND  # wrapped at any width
    assert "Nothing" not in res.stdout  # 0.65 is close enough


def test_for_you_json_score_is_the_blend_and_the_order(cli, tmp_path, segmented_demo):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(segmented_demo, data / "demo.sqlite3")
    res = cli("--demo", "recommend", "--for-you", "-n", "10", "--json",
              env={"SPOTUI_DATA_DIR": str(data)})  # fmt: skip
    assert res.returncode == 0, res.stderr
    groups = json.loads(res.stdout)
    blended = [g for g in groups if any(r["taste"] for r in g["results"])]
    assert blended  # the demo keeps some listened tracks together in playlists
    for g in blended:
        assert g["legend"] == TASTE_LEGEND and g["far_note"] is None
        for r in g["results"]:
            assert r["score"] == pytest.approx(0.9 * r["taste"] + 0.1 * r["sound"], abs=2e-4)
        scores = [r["score"] for r in g["results"]]
        assert scores == sorted(scores, reverse=True)
    # before, "score" was the sound: a 0.00 sat above a 0.56 with nothing to say why
    sounds = [r["sound"] for g in blended for r in g["results"]]
    assert sounds != sorted(sounds, reverse=True)


# ---------------------------------------------------------------------- the order
@pytest.fixture(scope="module")
def demo_pool(_demo_db_file, tmp_path_factory) -> tuple[Recommender, dict[str, float]]:
    """The demo's pool, and a made-up taste over a tenth of it (as playlists would give)."""
    copy = tmp_path_factory.mktemp("pool") / "demo.sqlite3"  # the shared file stays unopened
    shutil.copy(_demo_db_file, copy)
    with Store.open(copy) as s:
        rec = recommender(s, use_cache=False)
    return rec, {t: (i % 7) / 7 for i, t in enumerate(rec.ids[::10])}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seeds=st.lists(st.integers(0, 10**6), min_size=1, max_size=5),
    diversity=st.sampled_from([0.0, 0.3, 1.0]),
    cap=st.sampled_from([None, 1, 2]),
    with_taste=st.booleans(),
    new_only=st.booleans(),
)
def test_shown_ranking_number_never_rises_down_the_list(
    demo_pool, seeds, diversity, cap, with_taste, new_only
):
    rec, taste = demo_pool
    ids = [rec.ids[i % rec.n_library] for i in seeds]
    res = rec.recommend(ids, n=10, new_only=new_only, diversity=diversity, artist_cap=cap,
                        taste=taste if with_taste else None)  # fmt: skip
    scores = [r.score for r in res]
    assert scores == sorted(scores, reverse=True)
    shown = [float(r.score_line.split()[1]) for r in res]  # what the faces print first
    assert shown == sorted(shown, reverse=True)
    for r in res:
        assert 0.0 <= r.sound <= 1.0
        if r.blended:
            assert r.score == pytest.approx(0.9 * r.taste + 0.1 * r.sound)
        else:
            assert r.score == r.sound and r.taste == 0.0
    if res:  # the nearest candidate is at least as close as anything shown
        assert res.nearest >= max(r.sound for r in res) - 1e-12


# ---------------------------------------------------------------------- nothing close
def test_outlier_seed_is_told_nothing_sounds_close(cli, demo_data_dir):
    add_outlier(demo_data_dir / "demo.sqlite3")
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir)}
    res = cli("--demo", "recommend", "--track", OUTLIER, "-n", "3", env=env)
    assert res.returncode == 0, res.stderr
    said = " ".join(res.stdout.split())
    assert f"{FAR} {TRACK_LEGEND}" in said  # after the table, before the legend
    res = cli("--demo", "recommend", "--track", OUTLIER, "-n", "3", "--json", env=env)
    assert res.returncode == 0 and res.stderr == FAR + "\n"  # --json stays one document
    assert all(d["sound"] < FAR_SOUND for d in json.loads(res.stdout))
    # discovery: the candidates are ReccoBeats', and the note says so
    res = cli("--demo", "recommend", "--track", OUTLIER, "--discover", "-n", "3", env=env)
    assert res.returncode == 0, res.stderr
    assert (
        "Nothing ReccoBeats proposed sounds close to this track (nearest: sound 0.00); these "
        "are the nearest, but far." in " ".join(res.stdout.split())
    )
    # an ordinary seed of the same library is not told that
    res = cli("--demo", "recommend", "--track", SEED, "-n", "3", "--json", env=env)
    assert res.returncode == 0 and res.stderr == ""


def test_far_note_wording_by_seed():
    results = [_result(0.2, 0.2, 0.0, False)]
    one = Recommendations(Seeds.track("a"), ["a"], results, nearest=0.2)
    assert one.far_note == (
        "Nothing in your library sounds close to this track (nearest: sound 0.20); these are "
        "the nearest, but far."
    )
    several = Recommendations(Seeds.track(["a", "b"]), ["a", "b"], results, nearest=0.2,
                              new_only=True)  # fmt: skip
    assert several.far_note == (
        "Nothing outside your library sounds close to these tracks (nearest: sound 0.20); "
        "these are the nearest, but far."
    )
    taste = [_result(0.5, 0.01, 0.55, True)]
    mine = Recommendations(Seeds.for_you(1), ["a", "b"], taste, nearest=0.2, taste_weight=0.9)
    assert mine.far_note.endswith("these are the nearest, but far, and what your playlists "
                                  "keep with them.")  # fmt: skip
    assert Recommendations(Seeds.track("a"), ["a"], results, nearest=FAR_SOUND).far_note is None
    assert Recommendations(Seeds.track("a"), ["a"], [], nearest=0.0).far_note is None


@sync
async def test_tui_list_and_detail_show_the_far_note_the_line_and_the_legend(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        add_outlier(demo_app.config.db_path)
        demo_app.session.library.changed()
        screen.show_recs(Seeds.track(OUTLIER))
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        recs = screen.query_one(RecommendationList)
        first = recs.results[0]
        assert text_of(recs.get_option_at_index(0).prompt, 200) == FAR
        row = text_of(recs.get_option_at_index(1).prompt, 200)
        assert row.startswith(f"1. {first.track.name}") and row.endswith(" sound 0.00")
        last = recs.get_option_at_index(recs.option_count - 1).prompt
        assert text_of(last, 400) == TRACK_LEGEND
        assert recs.highlighted == 1 and recs.current is first  # the note is not a result
        recs.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(pilot.app.screen.query("#rec-text")))
        text = text_of(pilot.app.screen.query_one("#rec-text").content, 118)
        assert f"· {first.score_line} {TRACK_LEGEND} {FAR} Why:" in text

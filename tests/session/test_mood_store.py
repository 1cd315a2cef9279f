"""Segmentation through the store: stored and reused, stale when the library changed, a chosen
k and method kept, nothing saved on cancel, and the stored moods read back without scikit-learn."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from spotui.analysis.moods import segment as seg
from spotui.core.errors import NoFeaturesError, UserError
from spotui.core.records import Features, Track
from spotui.session.mood_store import is_current, load_result, segment
from spotui.sources.demo import populate
from spotui.store import Store


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "spotui.db")
    populate(s, n_tracks=500, seed=3, n_catalog=0)
    yield s
    s.close()


def test_segment_stores_and_reuses(store, monkeypatch) -> None:
    first = segment(store)
    assert not first.reused and first.fingerprint
    assert len(first.unanalysed) > 0
    run = store.moods.latest_analysis()
    assert run.fingerprint == first.fingerprint and run.k == first.k

    def boom(*a, **k):
        raise AssertionError("recomputed although nothing changed")

    monkeypatch.setattr(seg, "compute", boom)
    second = segment(store)
    assert second.reused
    assert second.assignments == first.assignments
    assert second.coords == first.coords
    assert second.unanalysed == first.unanalysed
    assert second.examples == first.examples
    assert second.library_centroid == first.library_centroid
    assert [(c.id, c.label, c.size, c.reasons, c.centroid, c.color) for c in second.clusters] == [
        (c.id, c.label, c.size, c.reasons, c.centroid, c.color) for c in first.clusters
    ]
    assert second.scores == first.scores
    loaded = load_result(store)
    assert loaded is not None and is_current(store, loaded)
    assert {**loaded.to_json(), "reused": False} == first.to_json()


def test_changed_library_is_stale_and_recomputed_with_stable_ids(store) -> None:
    first = segment(store)
    track = Track(id="newtrack00000000000001", name="New One", artists=("Someone",))
    store.tracks.upsert_tracks([track])
    store.tracks.upsert_features(
        [Features(track.id, "test", 0.7, 0.8, 0.7, 120.0, -5.0, 0.1, 0.0, 0.05, 0.1, 1, 1, 4)]
    )
    store.library.add_saved([(track.id, "2026-11-02T00:00:00Z")])
    stale = load_result(store)
    assert stale is not None and not is_current(store, stale)
    second = segment(store)
    assert not second.reused and is_current(store, second)
    assert track.id in second.assignments
    assert {c.id: c.label for c in second.clusters} == {c.id: c.label for c in first.clusters}


def test_a_chosen_k_and_method_stay_until_the_user_goes_back_to_auto(store) -> None:
    auto = segment(store)
    assert auto.requested_k is None and auto.k >= 4
    five = segment(store, k=5)
    assert not five.reused and five.k == 5 and five.requested_k == 5
    assert five.changes["refit"]["code"] == "k"
    assert segment(store, k=5).reused
    assert segment(store).reused  # no k given: the chosen one stays
    again = segment(store, refit=True)  # made again: still the k the user chose
    assert again.k == 5 and again.requested_k == 5 and again.changes["refit"]["code"] == "asked"
    back = segment(store, k=seg.AUTO)
    assert back.requested_k is None and back.changes["refit"]["code"] == "k"
    agg = segment(store, method="agglomerative")
    assert not agg.reused and agg.changes["refit"]["code"] == "method"
    assert segment(store).method == "agglomerative"
    assert load_result(store).method == "agglomerative"
    with pytest.raises(UserError, match="k must be a number between 2 and 50, or auto"):
        segment(store, k="seven")


def test_no_features_is_a_clear_error(tmp_path: Path) -> None:
    with Store.open(tmp_path / "empty.db") as s:
        with pytest.raises(NoFeaturesError, match=r"\(the library is empty\)"):
            segment(s)
        s.tracks.upsert_tracks([Track(id="a" * 22, name="A")])
        s.library.add_saved([("a" * 22, None)])
        with pytest.raises(NoFeaturesError, match=r"\(1 tracks are unanalysed\)"):
            segment(s)
    assert load_result(Store.open(tmp_path / "x.db")) is None


def test_load_result_does_not_import_sklearn(store) -> None:
    segment(store)
    code = (
        "import sys\n"
        "from spotui.store import Store\n"
        "from spotui.session.mood_store import load_result, is_current\n"
        f"s = Store.open({str(store.path)!r})\n"
        "r = load_result(s)\n"
        "print(len(r.clusters), is_current(s, r),"
        " sorted(m for m in ('sklearn', 'scipy', 'pandas') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    n, current, heavy = out.stdout.split(" ", 2)
    assert int(n) >= 4 and current == "True" and heavy.strip() == "[]"


def test_progress_reported_and_cancel_saves_nothing(store) -> None:
    from spotui.core.errors import Cancelled

    calls: list[tuple[int, int, str]] = []
    segment(store, progress=lambda d, t, m: calls.append((d, t, m)))
    done = [d for d, _, _ in calls]
    assert done == sorted(done) and calls[-1] == (6, 6, "saved")
    assert any(m.startswith("trying k=") for _, _, m in calls)
    run_before = store.moods.latest_analysis().run_id
    with pytest.raises(Cancelled):
        segment(store, k=7, cancel=lambda: True)
    assert store.moods.latest_analysis().run_id == run_before

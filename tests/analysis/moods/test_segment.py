"""Segmentation: scaling, determinism, stable ids, Unanalysed, persistence, CLI JSON, imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from spotui.analysis.matrix import MOOD_FEATURES, build_matrix, to_unit
from spotui.analysis.moods import fitting
from spotui.analysis.moods import segment as seg
from spotui.analysis.moods.segment import (
    UNANALYSED_ID,
    SegmentResult,
    compute,
)
from spotui.core.errors import UserError
from spotui.core.records import FEATURE_NAMES, Features
from spotui.sources.demo import generate
from tests.conftest import run_cli


def feature_row(f: Features) -> tuple:
    return (
        f.track_id,
        *(np.nan if getattr(f, n) is None else getattr(f, n) for n in FEATURE_NAMES),
    )


@pytest.fixture(scope="module")
def lib():
    return generate(1200, seed=11)


@pytest.fixture(scope="module")
def matrix(lib):
    rows = sorted((feature_row(f) for f in lib.features), key=lambda r: r[0])
    return build_matrix(rows, [t.id for t in lib.tracks])


@pytest.fixture(scope="module")
def genres(lib):
    return {t.id: t.genres[0] for t in lib.tracks}


@pytest.fixture(scope="module")
def result(matrix, genres) -> SegmentResult:
    return compute(matrix, genres=genres)


# ---------------------------------------------------------------- feature scaling
def test_no_feature_dominates_by_its_unit(matrix) -> None:
    # after scaling, each column's spread is its weight (about), whatever its unit
    spread = matrix.scaled.std(axis=0) / matrix.weights
    for name, s in zip(MOOD_FEATURES, spread, strict=True):
        assert 0.5 < s < 2.5, (name, s)
    tempo = MOOD_FEATURES.index("tempo")
    raw_spread = matrix.raw.std(axis=0)
    assert raw_spread[tempo] > 10  # BPM: would dominate unscaled
    assert matrix.scaled[:, tempo].std() < matrix.scaled[:, MOOD_FEATURES.index("energy")].std()


def test_skewed_features_are_square_rooted_and_units_mapped() -> None:
    assert to_unit("speechiness", np.array([0.25]))[0] == pytest.approx(0.5)
    assert to_unit("liveness", np.array([0.04]))[0] == pytest.approx(0.2)
    assert to_unit("tempo", np.array([125.0]))[0] == pytest.approx(0.5)
    assert to_unit("loudness", np.array([-17.5]))[0] == pytest.approx(0.5)
    assert to_unit("energy", np.array([0.3]))[0] == pytest.approx(0.3)


def test_one_odd_track_does_not_rescale_the_others(lib) -> None:
    rows = sorted((feature_row(f) for f in lib.features), key=lambda r: r[0])
    base = build_matrix(rows)
    odd = ("zzzzodd", *rows[0][1:])
    odd = list(odd)
    odd[1 + FEATURE_NAMES.index("tempo")] = 240.0
    odd[1 + FEATURE_NAMES.index("loudness")] = -60.0
    odd[1 + FEATURE_NAMES.index("speechiness")] = 0.99
    with_odd = build_matrix([*rows, tuple(odd)])
    # The spread is floored at each column's SD, which one extreme track moves a little.
    assert np.abs(with_odd.scaled[:-1] - base.scaled).max() < 0.06


# ---------------------------------------------------------------- the computation
def test_result_shape_and_quality(result, matrix) -> None:
    assert seg.K_MIN <= result.k <= seg.K_MAX
    assert len(result.clusters) == result.k
    assert sorted(c.id for c in result.clusters) == list(range(result.k))
    assert sum(c.size for c in result.clusters) == len(matrix)
    assert set(result.assignments) == set(matrix.track_ids)
    assert set(result.coords) == set(matrix.track_ids)
    assert len({c.label for c in result.clusters}) == result.k
    assert [c.size for c in result.clusters] == sorted(
        (c.size for c in result.clusters), reverse=True
    )
    for c in result.clusters:
        assert c.color == seg.cluster_color(c.id)
        assert set(c.centroid) == set(MOOD_FEATURES)
        assert c.reasons and c.reasons[0].startswith("average energy ")
        assert result.tracks_in(c.id) and len(result.tracks_in(c.id)) == c.size
        assert all(result.assignments[t] == c.id for t in result.examples[c.id])
    s = result.scores
    assert 0.2 < s["silhouette"] < 1
    assert 0 < s["davies_bouldin"] < 3
    assert 0.5 < s["nmi"] <= 1  # genres are real structure in the demo library


def test_every_label_word_holds_for_most_members(result, matrix) -> None:
    from spotui.analysis.moods.labels import (
        CONTRAST_SHARE,
        CONTRAST_WORDS,
        MIN_SHARE,
        WORD_BY_NAME,
        word_shares,
    )

    contrast = {w for pair in CONTRAST_WORDS.values() for w in pair}

    cluster_of = [result.assignments[t] for t in matrix.track_ids]
    shares, _ = word_shares(matrix.raw, cluster_of, MOOD_FEATURES)
    for c in result.clusters:
        words = [w for w in c.label.split() if w not in ("II", "III", "IV")]
        if words[0] in contrast:
            assert shares[c.id][words.pop(0)] >= CONTRAST_SHARE
        assert WORD_BY_NAME[words[0]].kind == "mood"
        for w in words:
            assert shares[c.id][w] >= MIN_SHARE, (c.label, w, shares[c.id][w])


def test_map_is_on_mood_axes(result, matrix) -> None:
    # x = valence (sad -> happy), y = energy (calm -> energetic), in Spotify's own units
    for i, t in enumerate(matrix.track_ids):
        x, y = result.coords[t]
        assert x == pytest.approx(matrix.raw[i, MOOD_FEATURES.index("valence")], abs=1e-4)
        assert y == pytest.approx(matrix.raw[i, MOOD_FEATURES.index("energy")], abs=1e-4)


def test_pca_view_is_oriented_by_energy(matrix) -> None:
    xy = seg.pca_2d(matrix.scaled)
    energy = matrix.raw[:, MOOD_FEATURES.index("energy")]
    assert np.corrcoef(xy[:, 0], energy)[0, 1] > 0.5
    assert xy[:, 0].std() > xy[:, 1].std() > 0  # first component carries the most variance


def test_unanalysed_tracks_are_listed_never_dropped(lib, matrix, result) -> None:
    featured = {f.track_id for f in lib.features}
    expected = [t.id for t in lib.tracks if t.id not in featured]
    assert expected  # the demo library has tracks without features
    assert result.unanalysed == expected
    assert result.tracks_in(UNANALYSED_ID) == expected
    assert not set(expected) & set(result.assignments)
    assert len(result.assignments) + len(result.unanalysed) == len(lib.tracks)


def test_tracks_with_too_few_features_are_unanalysed() -> None:
    rows = []
    rng = np.random.default_rng(0)
    for i in range(40):
        values = list(rng.random(len(FEATURE_NAMES)))
        rows.append((f"t{i:02d}", *values))
    rows[3] = ("t03", *[np.nan if n == "energy" else 0.5 for n in FEATURE_NAMES])  # required gap
    ids = [r[0] for r in rows] + ["nofeatures"]
    r = compute(build_matrix(rows, ids))
    assert r.unanalysed == ["t03", "nofeatures"]
    assert len(r.assignments) == 39


def test_deterministic(matrix, genres, result) -> None:
    again = compute(matrix, genres=genres)
    assert again.assignments == result.assignments
    assert again.coords == result.coords
    assert [(c.id, c.label, c.reasons, c.centroid) for c in again.clusters] == [
        (c.id, c.label, c.reasons, c.centroid) for c in result.clusters
    ]
    assert again.scores == result.scores


@pytest.mark.parametrize("method", ["gmm", "agglomerative"])
def test_other_methods(matrix, method: str) -> None:
    r = compute(matrix, method=method)
    assert r.method == method
    assert seg.K_MIN <= r.k <= seg.K_MAX
    assert sum(c.size for c in r.clusters) == len(matrix)
    assert len({c.label for c in r.clusters}) == r.k
    assert r.scores["silhouette"] > 0.1
    assert compute(matrix, method=method).assignments == r.assignments


def test_large_library_path_samples(monkeypatch, matrix) -> None:
    # force the sampled path (choose k and agglomerate on a sample, assign the rest)
    monkeypatch.setattr(seg, "SAMPLE_SIZE", 300)
    monkeypatch.setattr(seg, "SILHOUETTE_SAMPLE", 200)
    monkeypatch.setattr(fitting, "GMM_FIT_SIZE", 500)
    for method in seg.METHODS:
        r = compute(matrix, method=method)
        assert r.params["silhouette_sample"] == 200
        assert sum(c.size for c in r.clusters) == len(matrix)
    monkeypatch.setattr(fitting, "MINIBATCH_ABOVE", 100)
    r = compute(matrix, k=6)
    assert r.k == 6 and r.scores["silhouette"] > 0.2


def test_given_k_and_bad_arguments(matrix) -> None:
    r = compute(matrix, k=9)
    assert r.k == 9 and r.requested_k == 9
    with pytest.raises(UserError, match=r"k must be between 2 and 50 \(got 1\)"):
        compute(matrix, k=1)
    with pytest.raises(UserError, match="Unknown method 'dbscan'"):
        compute(matrix, method="dbscan")
    tiny = build_matrix([(f"t{i}", *([0.5] * len(FEATURE_NAMES))) for i in range(5)])
    with pytest.raises(UserError, match="k=8 is more than the 5 tracks that have audio features"):
        compute(tiny, k=8)


def test_tiny_and_empty_libraries() -> None:
    rng = np.random.default_rng(1)
    rows = [(f"t{i}", *rng.random(len(FEATURE_NAMES))) for i in range(3)]
    r = compute(build_matrix(rows))
    assert r.k == 1 and r.scores["silhouette"] is None and len(r.assignments) == 3
    rows = [(f"t{i}", *rng.random(len(FEATURE_NAMES))) for i in range(12)]
    small = compute(build_matrix(rows))
    assert small.k == 1 and "too few to split" in small.params["note"]
    empty = compute(build_matrix([], ["a", "b"]))
    assert empty.clusters == [] and empty.unanalysed == ["a", "b"] and empty.k == 0


# ---------------------------------------------------------------- stable ids
def _split(lib, keep: int):
    rows = {f.track_id: feature_row(f) for f in lib.features}
    before_ids = [t.id for t in lib.tracks[:keep]]
    after_ids = [t.id for t in lib.tracks]

    def m(ids):
        return build_matrix(sorted((rows[t] for t in ids if t in rows), key=lambda r: r[0]), ids)

    return m(before_ids), m(after_ids)


def test_ids_and_labels_stable_after_the_library_grows(lib) -> None:
    before_m, after_m = _split(lib, 1150)
    before = compute(before_m)
    after = compute(after_m, previous=before)
    assert after.k == before.k
    assert {c.id: c.label for c in after.clusters} == {c.id: c.label for c in before.clusters}
    common = set(before.assignments)
    same = sum(before.assignments[t] == after.assignments[t] for t in common)
    assert same / len(common) > 0.97


def test_ids_follow_the_tracks_not_the_order(lib) -> None:
    before_m, after_m = _split(lib, 1150)
    before = compute(before_m)
    # pretend the previous run had numbered its clusters differently
    remap = {c.id: 20 + (5 * c.id) % 13 for c in before.clusters}
    renamed = SegmentResult(
        method=before.method,
        k=before.k,
        scores=before.scores,
        clusters=[
            type(c)(remap[c.id], c.label, c.size, c.reasons, c.centroid, c.color)
            for c in before.clusters
        ],
        assignments={t: remap[c] for t, c in before.assignments.items()},
        coords=before.coords,
        unanalysed=before.unanalysed,
        library_centroid=before.library_centroid,
    )
    after = compute(after_m, previous=renamed)
    assert {c.id: c.label for c in after.clusters} == {
        remap[c.id]: c.label for c in before.clusters
    }
    # one more cluster than before: the new one takes an id the old run did not use
    more = compute(after_m, k=before.k + 1, previous=renamed)
    new_ids = {c.id for c in more.clusters} - set(remap.values())
    assert len(new_ids) == 1 and new_ids.isdisjoint(remap.values())
    assert new_ids == {0}


# ---------------------------------------------------------------- subprocesses
def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SPOTUI_DATA_DIR"] = str(tmp / "data")
    env["SPOTUI_CONFIG_DIR"] = str(tmp / "config")
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_cli(*args, env=env)


def test_importing_the_cli_does_not_import_sklearn() -> None:
    code = (
        "import sys\n"
        "import spotui.cli\n"
        "spotui.cli.build_parser()\n"
        "import spotui.cli.segment\n"
        "print(sorted(m for m in ('sklearn', 'scipy', 'pandas', 'textual') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_cli_method_choices_match_the_core() -> None:
    import argparse

    from spotui.cli import build_parser

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    method = next(a for a in commands.choices["segment"]._actions if a.dest == "method")
    assert tuple(method.choices) == seg.METHODS


def test_cli_json_and_table(tmp_path: Path, demo_data_dir: Path) -> None:
    env = {**_env(tmp_path), "SPOTUI_DATA_DIR": str(demo_data_dir)}  # the demo made once
    proc = _run(["--demo", "segment", "--json"], env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert list(data) == [
        "method",
        "k",
        "k_chosen_by",
        "fitted_at",
        "fitted_on",
        "silhouette",
        "note",
        "reused",
        "changes",
        "clusters",
        "unanalysed",
        "unanalysed_why",
    ]
    assert data["k_chosen_by"] == "automatic" and data["reused"] is False
    assert data["changes"]["refit"]["code"] == "first" and data["changes"]["new_tracks"] == 0
    assert data["note"] is None  # the demo library is split into moods
    assert data["method"] == "kmeans" and 4 <= data["k"] <= 12
    assert isinstance(data["silhouette"], float)
    assert len(data["clusters"]) == data["k"]
    seen: set[str] = set()
    for c in data["clusters"]:
        assert list(c) == ["id", "label", "size", "reasons", "centroid", "track_ids"]
        assert c["size"] == len(c["track_ids"])
        assert set(c["centroid"]) == set(MOOD_FEATURES)
        assert all(isinstance(r, str) for r in c["reasons"])
        assert seen.isdisjoint(c["track_ids"])
        seen.update(c["track_ids"])
    assert seen.isdisjoint(data["unanalysed"])
    assert len(seen) + len(data["unanalysed"]) == 2000  # the whole demo library
    assert len(data["unanalysed"]) > 0

    # second run, human output, --demo after the subcommand: reuses the stored result
    proc = _run(["segment", "--demo"], {**env, "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    assert f"{data['k']} mood clusters" in proc.stdout
    for c in data["clusters"]:
        assert c["label"] in proc.stdout
        assert c["reasons"][0] in proc.stdout
    n_un = len(data["unanalysed"])
    assert f"Unanalysed: {n_un} tracks cannot be placed in a mood: they have no audio" in (
        " ".join(proc.stdout.split())
    )
    assert "stored moods were used" in proc.stdout
    assert "NMI vs genres 0." in proc.stdout


def test_cli_says_plainly_when_a_library_is_too_small(tmp_path: Path) -> None:
    env = _env(tmp_path)
    csv_path = tmp_path / "tiny.csv"
    header = (
        "Track URI,Track Name,Artist Name(s),Danceability,Energy,Valence,Acousticness,"
        "Instrumentalness,Speechiness,Liveness,Tempo,Loudness"
    )
    lines = [header] + [
        f"spotify:track:{i:022d},Song {i},Artist {i},0.{i + 1},0.{9 - i},0.{i + 2},0.1,0,0.05,"
        f"0.1,{100 + i},-7"
        for i in range(6)
    ]
    csv_path.write_text("\n".join(lines) + "\n")
    proc = _run(["import", str(csv_path)], env)
    assert proc.returncode == 0, proc.stderr
    proc = _run(["segment"], {**env, "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    assert "1 mood cluster\n" in proc.stdout or "1 mood cluster " in proc.stdout
    assert "6 analysed tracks are too few to split into moods (at least 20 are needed)" in (
        proc.stdout.replace("\n", " ")
    )
    assert proc.stderr.strip() == "" or "Warning" not in proc.stderr

    proc = _run(["--demo", "segment", "--k", "1"], env)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: k must be between 2 and 50 (got 1)."
    proc = _run(["--demo", "segment", "--method", "gmm", "--k", "5", "--json"], env)
    assert proc.returncode == 0, proc.stderr
    gmm = json.loads(proc.stdout)
    assert gmm["method"] == "gmm" and gmm["k"] == 5

"""Recommendations: exact neighbours, pool rules, diversity, reasons, errors, the CLI."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from benchmarks import evaluation as evaluate
from spotui.analysis.matrix import MOOD_FEATURES, build_matrix
from spotui.analysis.recommend.reasons import false_level_claims
from spotui.analysis.recommend.recommender import (
    DEFAULT_GENRE_BOOST,
    RECOMMEND_WEIGHTS,
    Recommender,
    explain,
    neighbour_distance,
    normalise_track_id,
    scale_rows,
    top_m,
)
from spotui.analysis.recommend.same_song import same_song, version_groups, version_title
from spotui.core.errors import NoFeaturesError, NotFoundError
from spotui.core.records import Features, Track
from spotui.session.recommend_store import clear_cache, recommender
from spotui.sources import demo
from spotui.store import Store

# danceability, energy, valence, acousticness, instrumentalness, speechiness, liveness,
# tempo, loudness (MOOD_FEATURES order)
LIBRARY = {
    "p1": ("Party One", "Disco Kids", (0.80, 0.85, 0.80, 0.05, 0.00, 0.05, 0.10, 124, -5.0)),
    "p2": ("Party Two", "Neon Club", (0.78, 0.88, 0.75, 0.08, 0.00, 0.06, 0.12, 126, -5.5)),
    "p3": ("Party Three", "Glitter", (0.70, 0.80, 0.70, 0.10, 0.02, 0.05, 0.15, 120, -6.0)),
    "c1": ("Calm One", "Still Water", (0.40, 0.20, 0.40, 0.90, 0.30, 0.04, 0.10, 90, -15.0)),
    "c2": ("Calm Two", "Fern", (0.35, 0.15, 0.35, 0.85, 0.50, 0.04, 0.10, 85, -17.0)),
    "c3": ("Calm Three", "Moss", (0.45, 0.25, 0.45, 0.80, 0.20, 0.04, 0.10, 95, -14.0)),
    "m1": ("Metal One", "Iron Hand", (0.30, 0.95, 0.20, 0.01, 0.20, 0.08, 0.20, 150, -4.0)),
    "m2": ("Metal Two", "Rust", (0.35, 0.92, 0.25, 0.02, 0.10, 0.07, 0.25, 145, -4.5)),
    "r1": ("Rap One", "MC Paper", (0.80, 0.60, 0.50, 0.10, 0.00, 0.35, 0.15, 95, -6.0)),
    "r2": ("Rap Two", "Lyric", (0.75, 0.65, 0.55, 0.15, 0.00, 0.30, 0.10, 92, -6.5)),
    # another release of p1 (same title and artist): never recommended next to p1
    "p1-single": ("Party One", "Disco Kids", (0.80, 0.85, 0.80, 0.05, 0.00, 0.05, 0.10, 124, -5.0)),
}
CATALOG = {
    "k1": ("Club Night", "Far Away DJ", (0.79, 0.86, 0.78, 0.06, 0.01, 0.05, 0.11, 125, -5.2)),
    "k2": ("Rain Piano", "Far Pianist", (0.38, 0.18, 0.38, 0.88, 0.40, 0.04, 0.10, 88, -16.0)),
    # imported as catalog but also in the library: it counts as library
    "p2": LIBRARY["p2"],
}


def _features(tid: str, values, provider: str = "test") -> Features:
    return Features(tid, provider, **dict(zip(MOOD_FEATURES, values, strict=True)))


def _fill(store: Store) -> None:
    tracks = [
        Track(tid, name, (artist,)) for tid, (name, artist, _) in {**LIBRARY, **CATALOG}.items()
    ]
    tracks += [Track("nofeat", "No Features", ("Ghost",)), Track("partial", "Partial", ("Half",))]
    store.tracks.upsert_tracks(tracks)
    feats = [_features(t, v) for t, (_, _, v) in {**LIBRARY, **CATALOG}.items()]
    feats.append(Features("partial", "test", danceability=0.5))  # energy, valence missing
    store.tracks.upsert_features(feats)
    store.library.add_saved([(t, None) for t in [*LIBRARY, "nofeat", "partial"]])
    store.library.add_imports(list(CATALOG), "catalog", "test catalog")


@pytest.fixture
def rec_store(store):
    _fill(store)
    clear_cache()
    return store


def _ids(results) -> list[str]:
    return [r.track.id for r in results]


# ------------------------------------------------------------------ scoring
def test_exact_neighbours_match_brute_force_distance(rec_store):
    rec = recommender(rec_store)
    got = rec.recommend(["p1"], n=50, diversity=0.0, artist_cap=None)

    # brute force over the shared feature matrix (features.build_matrix), library + catalog
    def rows(scope):
        return [
            tuple(np.nan if v is None else v for v in r)
            for r in rec_store.tracks.feature_rows(scope)
        ]

    lib = build_matrix(rows("library"), weights=RECOMMEND_WEIGHTS)
    cat = build_matrix(rows("catalog"), weights=RECOMMEND_WEIGHTS, reference=lib)
    ids = lib.track_ids + cat.track_ids
    x = np.vstack([lib.scaled, cat.scaled]).astype(np.float64)
    dist = np.linalg.norm(x - x[ids.index("p1")], axis=1)
    expected = [
        ids[i] for i in np.argsort(dist, kind="stable") if ids[i] not in ("p1", "p1-single")
    ]
    assert _ids(got) == expected
    sim = 2.0 ** -((dist / rec.d_ref) ** 2)
    assert [r.score for r in got] == pytest.approx([sim[ids.index(t)] for t in expected])
    assert rec.d_ref == pytest.approx(neighbour_distance(lib.scaled))
    assert _ids(got)[:3] == ["k1", "p2", "p3"]
    assert set(_ids(got)[-2:]) == {"k2", "c2"}  # quiet and acoustic: least like a party track


def test_seed_and_its_other_release_are_excluded(rec_store):
    got = _ids(recommender(rec_store).recommend(["p1"], n=100, artist_cap=None))
    assert "p1" not in got and "p1-single" not in got
    assert len(got) == 11  # 11 library + 2 catalog-only tracks with features, minus 2 seeds


def test_several_seeds_use_their_centroid(rec_store):
    rec = recommender(rec_store)
    got = rec.recommend(["c1", "c3"], n=3, diversity=0.0, artist_cap=None)
    assert _ids(got) == ["k2", "c2", "r2"]  # k2 sits closest to the middle of c1 and c3
    assert not {"c1", "c3"} & set(_ids(rec.recommend(["c1", "c3"], n=100)))


def test_new_only_returns_catalog_tracks_not_in_library(rec_store):
    got = recommender(rec_store).recommend(["p1"], n=10, new_only=True)
    assert _ids(got) == ["k1", "k2"]  # p2 was imported as catalog too, but it is in the library
    assert all(not r.in_library for r in got)
    mixed = recommender(rec_store).recommend(["p1"], n=3)
    assert [r.in_library for r in mixed] == [False, True, True]


def test_exclude_is_respected(rec_store):
    got = recommender(rec_store).recommend(["p1"], n=2, exclude={"k1"}, diversity=0)
    assert _ids(got) == ["p2", "p3"]


@pytest.mark.parametrize("n", [50, 30_000, 250_000])
def test_top_m_is_exact(n):
    rng = np.random.default_rng(n)
    scores = rng.standard_normal(n).astype(np.float32)
    scores[::7] = -np.inf  # excluded rows
    scores[1:40:3] = scores[2]  # ties
    for m in (1, 10, 40):
        got = np.sort(scores[top_m(scores, m)])
        assert len(got) == m
        np.testing.assert_array_equal(got, np.sort(scores)[-m:])


def test_scale_rows_equals_build_matrix():
    lib = demo.generate(600, seed=3, n_catalog=200, missing_share=0.0)
    rows = [(f.track_id, *(getattr(f, c) for c in MOOD_FEATURES)) for f in lib.features]
    # punch a few holes: one imputed value, one row with too little to analyse
    rows[5] = (rows[5][0], *rows[5][1:8], np.nan, rows[5][9])
    rows[9] = (rows[9][0], 0.5, np.nan, np.nan, *rows[9][4:])
    ref = build_matrix(rows, source_columns=MOOD_FEATURES)
    mine = scale_rows([r[0] for r in rows], np.array([r[1:] for r in rows], dtype=float))
    assert mine.track_ids == ref.track_ids and mine.unanalysed == [rows[9][0]]
    np.testing.assert_array_equal(mine.scaled, ref.scaled)
    np.testing.assert_allclose(mine.raw, ref.raw)
    crow = [(f.track_id, *(getattr(f, c) for c in MOOD_FEATURES)) for f in lib.catalog_features]
    crow[0] = (crow[0][0], *crow[0][1:4], np.nan, *crow[0][5:])
    cref = build_matrix(crow, source_columns=MOOD_FEATURES, reference=ref)
    cmine = scale_rows([r[0] for r in crow], np.array([r[1:] for r in crow]), reference=mine)
    np.testing.assert_array_equal(cmine.scaled, cref.scaled)


# ------------------------------------------------------------------ diversity
def _background(
    n: int = 60, seed: int = 1, calm: bool = False
) -> list[tuple[str, str, str, tuple]]:
    """Filler tracks so the library has statistics; ``calm`` ones are unlike any party seed."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        v = (*rng.uniform(0.05, 0.95, 7), rng.uniform(70, 170), rng.uniform(-20, -3))
        if calm:
            v = (v[0] * 0.4, v[1] * 0.4, *v[2:7], 80.0, -18.0)
        out.append((f"bg{i}", f"Filler {i}", f"Band {i}", v))
    return out


def _recommender(entries, **kwargs) -> Recommender:
    tracks = [Track(tid, name, (artist,)) for tid, name, artist, _ in entries]
    feats = [_features(tid, v) for tid, _, _, v in entries]
    return Recommender.from_tracks(tracks, feats, **kwargs)


def test_mmr_spreads_near_duplicates():
    # The seed lies between four near-identical tracks (closest) and one on its other side.
    seed = ("s", "Seed", "Seed Band", (0.80, 0.85, 0.60, 0.10, 0.10, 0.06, 0.15, 125, -6.0))
    dups = [
        (
            f"d{i}",
            f"Twin {i}",
            f"Twin Band {i}",
            (0.85, 0.88, 0.52, 0.08, 0.05, 0.06, 0.15, 128, -5.5),
        )
        for i in range(4)
    ]
    other = ("b", "Other Side", "B Band", (0.70, 0.79, 0.76, 0.14, 0.20, 0.06, 0.15, 119, -7.0))
    rec = _recommender([seed, *dups, other, *_background(calm=True)])
    plain = _ids(rec.recommend(["s"], n=4, diversity=0.0))
    assert sorted(plain) == ["d0", "d1", "d2", "d3"]
    for diversity in (0.3, 0.5):
        varied = _ids(rec.recommend(["s"], n=2, diversity=diversity))
        assert sorted(varied) == ["b", "d0"], diversity
    assert sorted(_ids(rec.recommend(["s"], n=2, diversity=0.2))) == ["d0", "d1"]


def test_artist_cap_limits_results_per_artist():
    seed = ("s", "Seed", "Seed Band", (0.85, 0.90, 0.60, 0.05, 0.10, 0.05, 0.15, 128, -5.0))
    same = [
        (
            f"a{i}",
            f"Album Cut {i}",
            "Prolific",
            (0.85 - i / 100, 0.9, 0.6, 0.05, 0.1, 0.05, 0.15, 128, -5.0),
        )
        for i in range(5)
    ]
    rec = _recommender([seed, *same, *_background()])
    capped = rec.recommend(["s"], n=6, diversity=0.0)
    assert sum(r.track.artists == ("Prolific",) for r in capped) == 2
    assert len(capped) == 6
    uncapped = _ids(rec.recommend(["s"], n=5, diversity=0.0, artist_cap=None))
    assert uncapped == ["a0", "a1", "a2", "a3", "a4"]


def test_genre_blend_reorders_equal_sounding_tracks():
    v = (0.6, 0.6, 0.6, 0.3, 0.1, 0.05, 0.15, 110, -8.0)
    tracks = [
        Track("s", "Seed", ("X",), genres=("jazz",)),
        Track("other", "Other", ("Y",), genres=("pop",)),
        Track("same", "Same", ("Z",), genres=("jazz", "soul")),
    ]
    entries = _background()
    tracks += [Track(t, n, (a,)) for t, n, a, _ in entries]
    feats = [_features(t.id, v) for t in tracks[:3]] + [_features(t, x) for t, _, _, x in entries]
    rec = Recommender.from_tracks(tracks, feats, genre_boost=0.05)
    got = rec.recommend(["s"], n=2, diversity=0.0)
    assert _ids(got) == ["same", "other"]
    assert got[0].score == pytest.approx(1.0) and got[1].score == pytest.approx(0.95)
    assert got[0].reason.endswith("; also jazz")
    off = Recommender.from_tracks(tracks, feats, genre_boost=0.0)
    assert [r.score for r in off.recommend(["s"], n=2, diversity=0.0)] == pytest.approx([1.0, 1.0])


# ------------------------------------------------------------------ explanations
def test_explain_names_absolute_levels_numbers_and_tempo():
    z_seed = np.array([0.2, 2.0, 0.1, -1.5, 0.0, 0.0, 0.0, 0.3, 0.9])
    z_cand = np.array([-0.9, 1.8, 0.3, -1.3, 0.1, 0.0, 0.0, 0.4, -0.5])
    raw_seed = np.array([0.6, 0.9, 0.5, 0.05, 0, 0.05, 0.1, 126.0, -5.0])
    raw_cand = np.array([0.4, 0.88, 0.5, 0.07, 0, 0.05, 0.1, 124.4, -9.0])
    # energy passes the absolute bar (>= 0.7) for both; acousticness is distinctive for the
    # library but 0.05 is no absolute "low", so it is given as numbers
    assert explain(z_seed, z_cand, raw_seed, raw_cand) == (
        "same high energy; acousticness 0.07 vs 0.05; tempo 124 vs 126 BPM"
    )
    far = raw_cand.copy()
    far[MOOD_FEATURES.index("tempo")] = 90
    assert explain(z_seed, z_cand, raw_seed, far) == "same high energy; acousticness 0.07 vs 0.05"
    # an imputed value is never claimed as shared
    imputed = np.zeros(9, dtype=bool)
    imputed[1] = True
    assert explain(z_seed, z_cand, raw_seed, far, cand_imputed=imputed) == (
        "acousticness 0.07 vs 0.05"
    )
    # nothing distinctive and no bar passed: the closest features, as numbers
    mid = np.array([0.5, 0.5, 0.5, 0.2, 0.0, 0.05, 0.1, 120.0, -8.0])
    flat = np.zeros(9)
    assert explain(flat, flat + 0.1, mid, mid + 0.01) == (
        "danceability 0.51 vs 0.50; energy 0.51 vs 0.50; tempo 120 vs 120 BPM"
    )


@pytest.mark.parametrize(
    ("column", "seed", "cand", "claimed"),
    [
        ("instrumentalness", 0.006, 0.004, None),  # "high" for a vocal library, not absolutely
        ("instrumentalness", 0.52, 0.91, "high"),
        ("instrumentalness", 0.45, 0.91, None),  # the seed is below the bar
        ("liveness", 0.34, 0.35, None),  # a studio track
        ("liveness", 0.85, 0.92, "high"),
        ("acousticness", 0.49, 0.9, None),
        ("speechiness", 0.40, 0.35, "high"),
        ("valence", 0.2, 0.25, "low"),
        ("danceability", 0.69, 0.95, None),
    ],
)
def test_level_claims_need_the_absolute_bar_for_both(column, seed, cand, claimed):
    j = MOOD_FEATURES.index(column)
    raw_seed = np.array([0.5, 0.5, 0.5, 0.2, 0.0, 0.05, 0.1, 120.0, -8.0])
    raw_cand = raw_seed.copy()
    raw_seed[j], raw_cand[j] = seed, cand
    z_seed = np.zeros(9)
    z_seed[j] = 3.0  # very distinctive for the library in every case
    reason = explain(z_seed, z_seed, raw_seed, raw_cand)
    assert (f"{claimed} {column}" in reason) if claimed else (f"high {column}" not in reason)
    assert false_level_claims(reason, raw_seed, raw_cand) == []
    assert false_level_claims(f"same high {column}", [0.0] * 9, [0.0] * 9) == [f"high {column}"]


def test_reasons_from_the_store(rec_store):
    got = recommender(rec_store).recommend(["c1"], n=2, diversity=0.0)
    assert [(r.track.id, r.reason) for r in got] == [
        ("k2", "same high acousticness and low energy; tempo 88 vs 90 BPM"),
        ("c3", "same high acousticness and low energy; tempo 95 vs 90 BPM"),
    ]


# ------------------------------------------------------------------ errors
def test_unknown_seed_is_not_found(rec_store):
    rec = recommender(rec_store)
    with pytest.raises(NotFoundError) as exc:
        rec.recommend(["nope"])
    assert str(exc.value) == "unknown track id nope: not in your library or imported catalog."
    with pytest.raises(NotFoundError, match="unknown track ids a, b:"):
        rec.recommend(["p1", "a", "b"])


def test_seed_without_features(rec_store):
    rec = recommender(rec_store)
    for tid in ("nofeat", "partial"):
        with pytest.raises(NoFeaturesError) as exc:
            rec.recommend([tid])
        assert str(exc.value).startswith(
            "this track has too few audio features to compare with others (recommendations "
            f"need at least 7 of the 9, energy, valence and danceability among them: {tid})."
        )
    with pytest.raises(NoFeaturesError, match="none of these tracks have"):
        rec.recommend(["nofeat", "partial"])
    assert _ids(rec.recommend(["nofeat", "p1"], n=1)) == ["k1"]  # featureless seeds are skipped


def test_bad_arguments(rec_store):
    rec = recommender(rec_store)
    with pytest.raises(ValueError):
        rec.recommend(["p1"], diversity=1.5)
    assert rec.recommend(["p1"], n=0) == []


def test_normalise_track_id():
    assert normalise_track_id("spotify:track:abc") == "abc"
    assert normalise_track_id("https://open.spotify.com/track/abc?si=x") == "abc"
    assert normalise_track_id(" abc ") == "abc"


def test_metrics():
    assert evaluate.precision_at_k([True, False, True, False], 4) == 0.5
    assert evaluate.precision_at_k([True, True], 4) == 0.5  # missing slots count as misses
    assert evaluate.reciprocal_rank([False, False, True]) == pytest.approx(1 / 3)
    assert evaluate.reciprocal_rank([False, False]) == 0.0
    assert evaluate.shares_genre(("Jazz", "soul"), ("pop", "jazz"))
    assert not evaluate.shares_genre((), ("pop",))


# ------------------------------------------------------------------ CLI
def _demo_ids(data_dir) -> tuple[str, str, list[str]]:
    s = Store.open(data_dir / "demo.sqlite3")
    try:
        with_f = {r[0] for r in s.tracks.feature_rows("library")}
        lib = s.tracks.track_ids("library")
        seed = next(t for t in lib if t in with_f)
        nofeat = next(t for t in lib if t not in with_f)
        return seed, nofeat, s.tracks.track_ids("catalog")
    finally:
        s.close()


def test_cli_json_shape(cli, demo_data_dir):
    seed, _, catalog = _demo_ids(demo_data_dir)
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir)}
    res = cli("--demo", "recommend", "--track", seed, "-n", "5", "--json", env=env)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert len(data) == 5
    for item in data:
        assert list(item) == [
            "track_id", "name", "artists", "score", "sound", "taste", "reason", "in_library"
        ]  # fmt: skip
        assert item["score"] == item["sound"]  # no blend for a track: the order is the sound
        assert isinstance(item["artists"], list) and isinstance(item["score"], float)
        assert item["reason"] and item["track_id"] != seed
    # a track's recommendations are about the sound (taste is for playlists and "for you")
    assert [d["taste"] for d in data] == [0.0] * 5
    assert [d["score"] for d in data] == sorted((d["score"] for d in data), reverse=True)
    res = cli("recommend", "--demo", "--track", seed, "--new-only", "--json", env=env)
    assert res.returncode == 0, res.stderr
    assert {d["track_id"] for d in json.loads(res.stdout)} <= set(catalog)


def test_cli_table_and_errors(cli, demo_data_dir):
    seed, nofeat, _ = _demo_ids(demo_data_dir)
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir)}
    res = cli("--demo", "recommend", "--track", seed, "-n", "3", env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("Like “") and "Why" in res.stdout
    res = cli("--demo", "recommend", "--track", "nope", env=env)
    assert res.returncode == 2
    assert res.stderr == "error: unknown track id nope: not in your library or imported catalog.\n"
    assert res.stdout == ""
    res = cli("--demo", "recommend", "--track", nofeat, env=env)
    assert res.returncode == 2
    assert res.stderr.startswith("error: this track has too few audio features")
    res = cli("--demo", "recommend", env=env)
    assert (
        res.returncode == 2
        and "say what to recommend for: --track, --cluster, --playlist or --for-you" in res.stderr
    )


def test_cli_cluster_seed(cli, segmented_data_dir):
    demo_data_dir = segmented_data_dir
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir)}
    res = cli("--demo", "recommend", "--cluster", "0", "-n", "4", "--json", env=env)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert len(data) == 4
    s = Store.open(demo_data_dir / "demo.sqlite3")
    try:
        run = s.moods.latest_analysis()
    finally:
        s.close()
    members = {tid for tid, cid, *_ in run.assignments if cid == 0}
    assert members and not members & {d["track_id"] for d in data}
    res = cli("--demo", "recommend", "--cluster", "99", env=env)
    assert res.returncode == 2 and res.stderr.startswith("error: There is no cluster 99")


# ------------------------------------------------------------------ versions of one song
@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Levels - Radio Edit", "levels"),
        ("Levels", "levels"),
        ("Here Comes The Sun - Remastered 2009", "here comes the sun"),
        ("Bitter Sweet Symphony - 2016 Remaster", "bitter sweet symphony"),
        ("Wonderwall - Remastered", "wonderwall"),
        ("Wonderwall (Remastered)", "wonderwall"),
        ("Hotel California - Live", "hotel california"),
        ("Sapato Velho - Ao Vivo", "sapato velho"),
        ("Watermelon Sugar - Acoustic", "watermelon sugar"),
        ("Wicked Game - Acoustic Version", "wicked game"),
        ('Let It Go - From "Frozen"/Soundtrack Version', "let it go"),
        ("Let It Go - From “Frozen”", "let it go"),
        ('Channa Mereya (From "Ae Dil Hai Mushkil")', "channa mereya"),
        ("Señorita (feat. Camila Cabello)", "señorita"),
        ("Señorita [feat. Camila Cabello]", "señorita"),
        ("Señorita feat. Camila Cabello", "señorita"),
        ("Help! - Single Version / Mono", "help!"),
        ("Help! - Mono", "help!"),
        ("God Damnit (Hex Cougar Remix)(with Call Me Karizma)", "god damnit"),
        ("Everywhere I Go (Remix) - Mixed", "everywhere i go"),
        (
            "Mighty To Save - Live At Sydney Entertainment Centre, Sydney, Australia/2006",
            "mighty to save",
        ),
        # not version labels: the title stays
        ("(I Can't Get No) Satisfaction", "(i can't get no) satisfaction"),
        ("Sweet Dreams (Are Made of This)", "sweet dreams (are made of this)"),
        ("Bohemian Rhapsody - Pt. 2", "bohemian rhapsody - pt. 2"),
        (
            "The Christmas Song (Chestnuts Roasting on an Open Fire)",
            "the christmas song (chestnuts roasting on an open fire)",
        ),
        ("Live", "live"),
        ("(Remastered)", "(remastered)"),
        ("  Two   Spaces  ", "two spaces"),
    ],
)
def test_version_title(title, expected):
    assert version_title(title) == expected


def test_version_key_needs_the_same_artists_or_isrc():
    a = Track("a", "Levels", ("Avicii",))
    assert same_song(a, Track("b", "Levels - Radio Edit", ("AVICII",)))
    assert not same_song(a, Track("c", "Levels", ("Someone Else",)))
    assert same_song(
        Track("d", "Song", ("X", "Y")), Track("e", "Song (feat. Z)", ("Y", "X"))
    )  # order of credit does not matter
    assert same_song(  # same recording, different title: the ISRC decides
        Track("f", "Canción", ("X",), isrc="USUM71703861"),
        Track("g", "Song", ("X",), isrc="us-um7-17-03861"),
    )
    groups = version_groups([a, Track("b", "Levels - Live", ("Avicii",)), Track("x", "Other")])
    assert groups == [[0, 1]]


def test_versions_never_reach_the_results():
    v = (0.80, 0.85, 0.80, 0.05, 0.00, 0.05, 0.10, 124, -5.0)
    near = (0.79, 0.84, 0.79, 0.06, 0.00, 0.05, 0.11, 125, -5.2)
    entries = [
        ("s", "Levels", "Avicii", v),
        ("v1", "Levels - Radio Edit", "Avicii", v),
        ("v2", "Levels (Remastered)", "Avicii", near),
        ("o1", "Other Song", "Band A", near),
        ("o2", "Other Song - Live", "Band A", v),  # a version of o1: only one of them
        ("o3", "Third", "Band B", near),
        *_background(),
    ]
    tracks = [Track(t, n, (a,)) for t, n, a, _ in entries]
    tracks.append(Track("isrc", "Nivåer", ("Avicii",), isrc="SE1234567890"))
    tracks[0] = dataclasses.replace(tracks[0], isrc="SE1234567890")
    feats = [_features(t, x) for t, _, _, x in entries] + [_features("isrc", v)]
    rec = Recommender.from_tracks(tracks, feats)
    got = _ids(rec.recommend(["s"], n=4, diversity=0.0, artist_cap=None))
    assert not {"v1", "v2", "isrc"} & set(got)
    assert len({"o1", "o2"} & set(got)) == 1 and "o3" in got


# ------------------------------------------------------------------ scores
def test_track_at_the_centre_and_exact_twins_score_one():
    rng = np.random.default_rng(4)
    entries = _background(41, seed=4)
    raw = np.array([x for *_, x in entries])
    centre = tuple(np.median(raw, axis=0))  # 41 values: two more copies keep the median
    twin = (0.3, 0.9, 0.2, 0.01, 0.9, 0.05, 0.3, 174.0, -4.0)
    entries += [
        ("z1", "Centre A", "Mid", centre),
        ("z2", "Centre B", "Middle", centre),
        ("t1", "Twin A", "Drum", twin),
        ("t2", "Twin B", "Bass", twin),
    ]
    rng.shuffle(entries)
    rec = _recommender(entries)
    assert np.abs(rec.scaled[rec.index["z1"]]).max() < 1e-6  # exactly at the library centre
    for a, b in (("z1", "z2"), ("z2", "z1"), ("t1", "t2"), ("t2", "t1")):
        top = rec.recommend([a], n=3)[0]
        assert top.track.id == b and top.score == pytest.approx(1.0, abs=1e-6)


def test_scores_spread_in_zero_one_and_follow_the_distance():
    lib = demo.generate(800, seed=5, n_catalog=0, missing_share=0.0)
    tracks = [dataclasses.replace(t, genres=()) for t in lib.tracks]
    rec = Recommender.from_tracks(tracks, lib.features)
    scores = []
    for tid in rec.ids[:60]:
        res = rec.recommend([tid], n=10, diversity=0.0, artist_cap=None)
        s = [r.score for r in res]
        assert s == sorted(s, reverse=True) and all(0.0 <= x <= 1.0 for x in s)
        d = np.linalg.norm(
            rec.scaled[[rec.index[r.track.id] for r in res]] - rec.scaled[rec.index[tid]], axis=1
        )
        assert np.all(np.diff(d) >= -1e-6)
        scores += s
    assert np.mean(np.array(scores) >= 0.99) < 0.05
    assert np.percentile(scores, 90) - np.percentile(scores, 10) > 0.2


def test_genre_blend_is_off_by_default():
    assert DEFAULT_GENRE_BOOST == 0.0
    v = (0.6, 0.6, 0.6, 0.3, 0.1, 0.05, 0.15, 110, -8.0)
    tracks = [
        Track("s", "Seed", ("X",), genres=("jazz",)),
        Track("other", "Other", ("Y",), genres=("pop",)),
        Track("same", "Same", ("Z",), genres=("jazz",)),
    ]
    rec = Recommender.from_tracks(tracks, [_features(t.id, v) for t in tracks])
    got = rec.recommend(["s"], n=2, diversity=0.0)
    assert _ids(got) == ["other", "same"] and [r.score for r in got] == pytest.approx([1, 1])
    assert "also" not in got[1].reason


def test_pool_features_are_read_in_chunks_without_losing_a_row() -> None:
    """The pool reads ``(id, *values)`` rows a few thousand at a time (peak memory); across
    chunk borders and for no rows at all it must give what one big array would."""
    import numpy as np

    from spotui.analysis.matrix import MOOD_FEATURES, read_feature_rows

    width = len(MOOD_FEATURES)
    rows = [(f"t{i}", *(float(i * width + j) for j in range(width))) for i in range(8192 * 2 + 5)]
    ids, full = read_feature_rows(iter(rows))  # an iterator, as the store's cursor is
    assert ids == [r[0] for r in rows]
    np.testing.assert_array_equal(full, np.array([r[1:] for r in rows]))
    ids, full = read_feature_rows([])
    assert ids == [] and full.shape == (0, width)

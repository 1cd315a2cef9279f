"""Playlists as taste: the co-occurrence scorer (exact values) and its blend in the recommender."""

from __future__ import annotations

import pytest

from spotui.analysis.recommend.recommender import Recommender
from spotui.analysis.recommend.taste import (
    SAVED_WEEK_WEIGHT,
    Basket,
    Cooccurrence,
    blend,
    kept_with,
    saved_weeks,
)
from spotui.core.records import Track
from tests.analysis.recommend.test_recommender import LIBRARY, _features


def _co() -> Cooccurrence:
    return Cooccurrence(
        [
            Basket("playlist:P1", 1.0, ("a", "b", "c")),
            Basket("playlist:P2", 1.0, ("a", "d")),
            Basket("saved:2026-W01", SAVED_WEEK_WEIGHT, ("b", "d")),
            Basket("playlist:solo", 1.0, ("e",)),  # one track: keeps nothing with anything
        ]
    )


def test_scores_are_the_mean_strongest_link_over_the_seeds():
    # a: c (P1) 1, d (P2) 1; b: c (P1) 1, d (saved week) 0.5 -> c 2/2, d 1.5/2
    assert _co().scores(["a", "b"]) == {"c": 1.0, "d": 0.75}
    assert _co().scores(["a"]) == {"b": 1.0, "c": 1.0, "d": 1.0}
    assert _co().scores(["e"]) == {}
    assert _co().scores(["unknown"]) == {}


def test_an_excluded_playlist_is_never_used():
    assert _co().scores(["a", "b"], exclude={"playlist:P1"}) == {"d": 0.75}
    assert _co().scores(["c"], exclude={"playlist:P1"}) == {}


def test_big_baskets_count_less_per_pair():
    big = Basket("playlist:all", 1.0, tuple(f"t{i}" for i in range(400)))
    assert big.pair_weight == 0.25
    assert Cooccurrence([big]).scores(["t0"])["t1"] == 0.25


def test_saved_weeks_group_by_iso_week():
    saved = [
        ("x", "2026-01-05T10:00:00Z"),  # Monday, week 2
        ("y", "2026-01-11T23:00:00Z"),  # Sunday, week 2
        ("z", "2026-01-12T00:00:00Z"),  # Monday, week 3, alone: no basket
        ("w", None),
        ("v", "not a date"),
    ]
    assert saved_weeks(saved) == [Basket("saved:2026-W02", SAVED_WEEK_WEIGHT, ("x", "y"))]


def test_blend_and_reason():
    assert blend(0.5, 1.0, 0.9) == pytest.approx(0.95)
    assert blend(0.5, 0.0, 0.9) == pytest.approx(0.05)
    assert kept_with(0.0, 1) == ""
    assert kept_with(1.0, 1) == "in your playlists with the seed; "
    assert kept_with(1.0, 3) == "in your playlists with all 3 seeds; "
    assert kept_with(0.25, 4) == "in your playlists with 25% of the seeds; "


def test_a_track_kept_with_the_seed_is_recommended_however_it_sounds():
    tracks = [Track(t, name, (artist,)) for t, (name, artist, _) in LIBRARY.items()]
    rec = Recommender.from_tracks(tracks, [_features(t, v) for t, (_, _, v) in LIBRARY.items()])
    plain = [r.track.id for r in rec.recommend(["p1"], n=3, diversity=0)]
    assert plain == ["p2", "p3", "m2"]  # by sound
    mixed = rec.recommend(["p1"], n=3, diversity=0, taste={"c1": 1.0, "p3": 1.0})
    # kept with the seed first (ordered by sound among them), then by sound
    assert [r.track.id for r in mixed] == ["p3", "c1", "p2"]
    assert mixed[1].reason.startswith("in your playlists with the seed; ")
    assert not mixed[2].reason.startswith("in your playlists")
    # the seed itself is never recommended, even when it is in the taste map
    assert "p1" not in [r.track.id for r in rec.recommend(["p1"], n=5, taste={"p1": 1.0})]

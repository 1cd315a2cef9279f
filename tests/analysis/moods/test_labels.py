"""Mood labels: every word true of the members, one word order, unique, stable, with numbers."""

from __future__ import annotations

import numpy as np
import pytest

from spotui.analysis.matrix import MOOD_FEATURES
from spotui.analysis.moods.labels import (
    MIN_SHARE,
    MIXED,
    WORD_BY_NAME,
    WORDS,
    compose,
    label_clusters,
    modifiers_of,
    mood_of,
    word_shares,
)

COLS = MOOD_FEATURES
TYPICAL = dict(
    danceability=0.55,
    energy=0.6,
    valence=0.45,
    acousticness=0.3,
    instrumentalness=0.05,
    speechiness=0.05,
    liveness=0.15,
    tempo=120.0,
    loudness=-8.0,
)


def rows(n: int, **over: float) -> np.ndarray:
    values = {**TYPICAL, **over}
    return np.array([[values[c] for c in COLS]] * n, dtype=np.float64)


def test_word_shares_count_members_meeting_each_condition() -> None:
    raw = np.vstack([rows(6, instrumentalness=0.9), rows(4, instrumentalness=0.2)])
    shares, library = word_shares(raw, [0] * 10, COLS)
    assert shares[0]["Instrumental"] == pytest.approx(0.6)
    assert library["Instrumental"] == pytest.approx(0.6)
    # Spotify's absolute bar: 0.49 is not instrumental, 0.5 is
    s, _ = word_shares(rows(2, instrumentalness=0.49), [1, 1], COLS)
    assert s[1]["Instrumental"] == 0.0
    s, _ = word_shares(rows(2, instrumentalness=0.5), [1, 1], COLS)
    assert s[1]["Instrumental"] == 1.0


@pytest.mark.parametrize(
    ("energy", "valence", "word"),
    [
        (0.8, 0.8, "Euphoric"),
        (0.8, 0.2, "Intense"),
        (0.3, 0.7, "Serene"),
        (0.3, 0.2, "Melancholic"),
        (0.8, 0.47, "Energetic"),
        (0.3, 0.47, "Calm"),
        (0.55, 0.47, "Mellow"),
        (0.40, 0.47, "Calm"),
    ],
)
def test_mood_word_is_the_most_specific_that_holds(energy, valence, word) -> None:
    shares, _ = word_shares(rows(10, energy=energy, valence=valence), [0] * 10, COLS)
    assert mood_of(shares[0]) == word


def test_soft_words_claim_low_energy() -> None:
    # half at 0.5, half at 0.7 energy: not mellow (a 0.7 track is not mellow to anyone) and
    # not energetic for 60% of them: "Steady"
    raw = np.vstack([rows(5, energy=0.5, valence=0.47), rows(5, energy=0.7, valence=0.47)])
    shares, _ = word_shares(raw, [0] * 10, COLS)
    assert shares[0]["Mellow"] == 0.5
    assert mood_of(shares[0]) == "Steady"
    high, _ = word_shares(rows(10, energy=0.65, valence=0.47), [0] * 10, COLS)
    assert high[0]["Mellow"] == 0.0


def test_a_mood_word_needs_a_clear_majority() -> None:
    # 5 euphoric + 5 melancholic tracks: no mood word holds for 60%, so "Mixed"
    raw = np.vstack([rows(5, energy=0.9, valence=0.9), rows(5, energy=0.1, valence=0.1)])
    shares, _ = word_shares(raw, [0] * 10, COLS)
    assert mood_of(shares[0]) == MIXED
    # 6 of 10 is enough
    raw = np.vstack([rows(6, energy=0.9, valence=0.9), rows(4, energy=0.1, valence=0.1)])
    shares, _ = word_shares(raw, [0] * 10, COLS)
    assert mood_of(shares[0]) == "Euphoric"


def test_a_modifier_needs_members_and_lift_over_the_library() -> None:
    # acoustic for 70% of the cluster, but also for 65% of the library: not distinctive
    assert modifiers_of({"Acoustic": 0.7}, {"Acoustic": 0.65}) == []
    assert modifiers_of({"Acoustic": 0.7}, {"Acoustic": 0.3}) == ["Acoustic"]
    # holds for too few members, whatever the library
    assert modifiers_of({"Acoustic": 0.55}, {"Acoustic": 0.0}) == []
    # timbre beats tempo/loudness at equal lift
    assert modifiers_of({"Quiet": 0.9, "Instrumental": 0.9}, {}) == ["Instrumental", "Quiet"]


def test_words_always_in_vocabulary_order() -> None:
    assert compose("Energetic", ["Instrumental", "Acoustic"]) == "Energetic Acoustic Instrumental"
    assert compose("Energetic", ["Acoustic", "Instrumental"]) == "Energetic Acoustic Instrumental"
    order = [w.word for w in WORDS]
    assert len(order) == len(set(order))


def _label(groups: dict[int, np.ndarray], previous=None):
    raw = np.vstack(list(groups.values()))
    cluster_of = np.concatenate([[cid] * len(r) for cid, r in groups.items()])
    shares, library = word_shares(raw, cluster_of, COLS)
    sizes = {cid: len(r) for cid, r in groups.items()}
    return label_clusters(shares, library, sizes=sizes, previous=previous), shares


def test_labels_true_for_members_unique_and_with_numbers() -> None:
    labels, shares = _label(
        {
            0: rows(40, energy=0.85, valence=0.8, danceability=0.8),
            1: rows(30, energy=0.25, valence=0.2, acousticness=0.9),
            2: rows(20, energy=0.25, valence=0.2, instrumentalness=0.9, acousticness=0.9),
            3: rows(10, energy=0.85, valence=0.2, speechiness=0.5),
        }
    )
    got = {cid: m.label for cid, m in labels.items()}
    assert got[0] == "Euphoric Dance"
    assert got[3] == "Intense Spoken"
    assert got[1].startswith("Melancholic") and got[2].startswith("Melancholic")
    assert len(set(got.values())) == 4
    assert len({frozenset(v.split()) for v in got.values()}) == 4  # not the same words reordered
    for cid, m in labels.items():
        for w in m.label.split():
            if w in WORD_BY_NAME:
                assert shares[cid][w] >= MIN_SHARE
        assert any("% of tracks (library" in r for r in m.reasons)
    assert "energy ≥ 0.60, valence ≥ 0.55: 100% of tracks (library 40%)" in labels[0].reasons


def test_no_modifiers_when_there_is_one_cluster() -> None:
    labels, _ = _label({0: rows(50, energy=0.2, valence=0.2, acousticness=0.95)})
    assert labels[0].label == "Melancholic"


def test_previous_label_kept_while_true_and_dropped_when_not() -> None:
    groups = {
        0: rows(40, energy=0.85, valence=0.8),
        1: rows(30, energy=0.25, valence=0.2, acousticness=0.9, instrumentalness=0.9),
    }
    fresh, _ = _label(groups)
    assert fresh[1].label == "Melancholic Acoustic"
    kept, _ = _label(groups, previous={1: "Melancholic Instrumental"})
    assert kept[1].label == "Melancholic Instrumental"
    dropped, _ = _label(groups, previous={1: "Euphoric Dance"})
    assert dropped[1].label == fresh[1].label


def test_identical_clusters_get_numerals_not_fake_words() -> None:
    labels, _ = _label({0: rows(20, energy=0.9, valence=0.9), 1: rows(20, energy=0.9, valence=0.9)})
    assert sorted(m.label for m in labels.values()) == ["Euphoric", "Euphoric II"]

"""Mood labels follow from the numbers, are unique, explained, and stable when still true."""

from __future__ import annotations

import pytest

from spotui.analysis.moods import (
    PALETTE,
    UNANALYSED_COLOR,
    cluster_color,
    explain,
    label_clusters,
    mood_word,
    qualifying_modifiers,
)

#: A plain library average: nothing in a centroid equal to it stands out.
LIB = {
    "danceability": 0.55,
    "energy": 0.60,
    "valence": 0.50,
    "acousticness": 0.30,
    "instrumentalness": 0.15,
    "speechiness": 0.08,
    "liveness": 0.18,
    "tempo": 115.0,
    "loudness": -8.0,
}
SD = {
    "danceability": 0.15,
    "energy": 0.22,
    "valence": 0.22,
    "acousticness": 0.30,
    "instrumentalness": 0.30,
    "speechiness": 0.08,
    "liveness": 0.15,
    "tempo": 22.0,
    "loudness": 5.0,
}


def centroid(**changes: float) -> dict[str, float]:
    return {**LIB, **changes}


@pytest.mark.parametrize(
    ("energy", "valence", "word"),
    [
        (0.85, 0.75, "Euphoric"),
        (0.85, 0.50, "Energetic"),
        (0.85, 0.20, "Intense"),
        (0.50, 0.70, "Upbeat"),
        (0.50, 0.50, "Mellow"),
        (0.50, 0.20, "Moody"),
        (0.20, 0.70, "Serene"),
        (0.20, 0.50, "Calm"),
        (0.20, 0.20, "Melancholic"),
        # boundaries: 0.40 / 0.65 for energy, 0.40 / 0.60 for valence
        (0.65, 0.60, "Euphoric"),
        (0.6499, 0.5999, "Mellow"),
        (0.40, 0.40, "Mellow"),
        (0.3999, 0.3999, "Melancholic"),
    ],
)
def test_mood_word_grid(energy: float, valence: float, word: str) -> None:
    assert mood_word(energy, valence) == word


def test_known_centroids_get_the_labels_their_numbers_say() -> None:
    centroids = {
        0: centroid(energy=0.25, valence=0.50, acousticness=0.85, loudness=-12.0),
        1: centroid(energy=0.85, valence=0.75, danceability=0.80),
        2: centroid(energy=0.15, valence=0.20, instrumentalness=0.88, acousticness=0.60),
        3: centroid(energy=0.80, valence=0.46, liveness=0.78),
        4: centroid(energy=0.64, valence=0.50, speechiness=0.32, danceability=0.72),
        5: centroid(energy=0.95, valence=0.22, tempo=145.0, acousticness=0.02),
        6: centroid(energy=0.60, valence=0.50),
    }
    labels = label_clusters(centroids, LIB, SD)
    assert {cid: m.label for cid, m in labels.items()} == {
        0: "Calm Acoustic",
        1: "Euphoric Dance",
        # instrumentalness stands out 2.4 SD, acousticness only 1.0
        2: "Melancholic Instrumental",
        3: "Energetic Live",
        # speechiness 3 SD beats danceability 1.1 SD
        4: "Mellow Spoken",
        # fast tempo (1.4 SD, weighted 0.6) beats "Electric" (0.9 SD, weighted 0.5)
        5: "Intense Fast",
        # nothing stands out: the mood word alone
        6: "Mellow",
    }


def test_a_modifier_needs_both_the_absolute_and_the_relative_condition() -> None:
    # acousticness 0.45 is 0.5 SD above the library, but below the 0.5 absolute threshold
    assert [m.word for m in qualifying_modifiers(centroid(acousticness=0.45), LIB, SD)] == []
    # 0.55 is above the threshold but in a very acoustic library it does not stand out
    acoustic_lib = {**LIB, "acousticness": 0.60}
    assert [
        m.word for m in qualifying_modifiers(centroid(acousticness=0.55), acoustic_lib, SD)
    ] == []
    assert [m.word for m in qualifying_modifiers(centroid(acousticness=0.55), LIB, SD)] == [
        "Acoustic"
    ]


def test_reasons_are_plain_words_with_numbers() -> None:
    labels = label_clusters(
        {0: centroid(energy=0.25, valence=0.50, acousticness=0.85), 1: centroid(energy=0.82)},
        LIB,
        SD,
    )
    assert labels[0].label == "Calm Acoustic"
    assert labels[0].reasons[:3] == (
        "energy 0.25 vs library 0.60",
        "valence 0.50 vs library 0.50",
        "acousticness 0.85, 2.8x library",
    )
    assert labels[1].label == "Energetic"
    assert labels[1].reasons == ("energy 0.82 vs library 0.60", "valence 0.50 vs library 0.50")


def test_explain_units_for_tempo_and_loudness() -> None:
    reasons = explain(centroid(tempo=150.0, loudness=-4.2), LIB, SD, ("Fast",))
    assert reasons == (
        "energy 0.60 vs library 0.60",
        "valence 0.50 vs library 0.50",
        "tempo 150 BPM vs library 115",
        # loudness is 0.76 SD away: below the "stands out" bar of 1 SD, so not listed
    )
    assert "loudness -2.0 dB vs library -8.0 dB" in explain(
        centroid(tempo=150.0, loudness=-2.0), LIB, SD, ("Fast",)
    )


def test_labels_are_unique_second_modifier_first() -> None:
    centroids = {
        0: centroid(energy=0.2, valence=0.5, acousticness=0.90),
        # acousticness 2.2 SD is its strongest, liveness 2.1 SD its second
        1: centroid(energy=0.2, valence=0.5, acousticness=0.95, liveness=0.50),
    }
    alone = label_clusters({1: centroids[1]}, LIB, SD)[1]
    assert alone.label == "Calm Acoustic"
    assert alone.modifiers == ("Acoustic", "Live")
    labels = label_clusters(centroids, LIB, SD, sizes={0: 100, 1: 50})
    assert labels[0].label == "Calm Acoustic"  # it has no second modifier
    assert labels[1].label == "Calm Acoustic Live"
    assert "liveness 0.50, 2.8x library" in labels[1].reasons
    # no clash, no second modifier
    centroids[1] = centroid(energy=0.2, valence=0.5, acousticness=0.85, instrumentalness=0.80)
    labels = label_clusters(centroids, LIB, SD)
    assert labels[1].label == "Calm Instrumental"


def test_labels_are_unique_with_contrast_words_then_numerals() -> None:
    centroids = {
        0: centroid(energy=0.2, valence=0.55, acousticness=0.9),
        1: centroid(energy=0.2, valence=0.42, acousticness=0.9),
        2: centroid(energy=0.2, valence=0.55, acousticness=0.9),
    }
    labels = label_clusters(centroids, LIB, SD, sizes={0: 30, 1: 20, 2: 10})
    names = [labels[c].label for c in (0, 1, 2)]
    assert len(set(names)) == 3
    # 1 is darker than the others (valence 0.42 vs 0.55: 0.6 SD); 0 and 2 are only 0.3 SD
    # brighter than the group (below the 0.3 bar) and identical, so numerals (by size)
    assert names == ["Calm Acoustic", "Dark Calm Acoustic", "Calm Acoustic II"]
    assert "valence 0.42 vs library 0.50" in labels[1].reasons


def test_many_identical_clusters_still_unique() -> None:
    centroids = {i: centroid() for i in range(12)}
    labels = label_clusters(centroids, LIB, SD)
    assert len({m.label for m in labels.values()}) == 12
    assert labels[0].label == "Mellow"
    assert labels[1].label == "Mellow II"


def test_previous_label_kept_while_still_true() -> None:
    c = centroid(energy=0.25, valence=0.5, acousticness=0.85, instrumentalness=0.7)
    fresh = label_clusters({3: c}, LIB, SD)[3].label
    assert fresh == "Calm Acoustic"
    # last run called it "Calm Instrumental": still true (instrumental qualifies), kept
    kept = label_clusters({3: c}, LIB, SD, previous={3: "Calm Instrumental"})[3]
    assert kept.label == "Calm Instrumental"
    assert "instrumentalness" in " ".join(kept.reasons)
    # "Euphoric Dance" is no longer true of this centroid: recomputed
    assert label_clusters({3: c}, LIB, SD, previous={3: "Euphoric Dance"})[3].label == fresh


def test_previous_label_wins_over_a_new_cluster_with_the_same_label() -> None:
    a = centroid(energy=0.25, valence=0.5, acousticness=0.85)
    b = centroid(energy=0.25, valence=0.5, acousticness=0.80)
    labels = label_clusters(
        {0: b, 1: a}, LIB, SD, sizes={0: 500, 1: 100}, previous={1: "Calm Acoustic"}
    )
    assert labels[1].label == "Calm Acoustic"
    assert labels[0].label != "Calm Acoustic"


def test_colours_fixed_by_id() -> None:
    assert cluster_color(0) == PALETTE[0]
    assert cluster_color(3) == PALETTE[3]
    assert cluster_color(len(PALETTE) + 1) == PALETTE[1]
    assert cluster_color(-1) == UNANALYSED_COLOR
    assert len(set(PALETTE)) == len(PALETTE) >= 12

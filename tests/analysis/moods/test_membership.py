"""'Why is this track here': the track's own distances and the features that decide."""

from __future__ import annotations

import math
import random
import re
from types import SimpleNamespace

import numpy as np

from spotui.analysis import matrix as analysis_matrix
from spotui.analysis.matrix import MOOD_FEATURES, build_matrix
from spotui.analysis.moods.membership import Why, explain_membership, unit_value, unlike_sentence
from spotui.analysis.moods.segment import compute
from spotui.core.records import FEATURE_NAMES, Cluster
from spotui.sources.demo import generate


def test_unit_value_matches_the_matrix() -> None:
    rng = random.Random(3)
    values = [rng.uniform(-60, 260) for _ in range(300)] + [0.0, 0.25, 1.0, 50.0, 200.0, -35.0]
    for name in MOOD_FEATURES:
        for v in values:
            assert unit_value(name, v) == float(analysis_matrix.to_unit(name, np.array([v]))[0])
        assert unit_value(name, None) is None
        assert math.isnan(unit_value(name, float("nan")))


def test_explains_the_track_with_its_own_distances() -> None:
    lib = generate(600, seed=4)
    rows = sorted(
        (
            (
                f.track_id,
                *(np.nan if getattr(f, n) is None else getattr(f, n) for n in FEATURE_NAMES),
            )
            for f in lib.features
        ),
        key=lambda r: r[0],
    )
    m = build_matrix(rows)
    result = compute(m, k=4)
    labels = {c.id: c.label for c in result.clusters}
    feats = {f.track_id: f for f in lib.features}
    for tid in m.track_ids[:40]:
        f = {**feats[tid].as_dict(), "track_id": tid}
        why = explain_membership(f, result)
        own = labels[result.assignments[tid]]
        assert why.numbers[0].split(" to the centre of ")[1].startswith(own)
        near, far = (float(x) for x in re.findall(r"(\d+\.\d) to ", why.numbers[0]))
        assert near <= far + 0.05  # KMeans: a track is nearest its own centre
        assert own in why.words[0]
        for line in why.numbers[1:]:
            assert line.split()[0] in MOOD_FEATURES


def test_no_lines_without_stored_centres() -> None:
    class Old:
        params: dict = {}
        clusters: list = []
        assignments: dict = {}

    assert explain_membership({"energy": 0.5}, Old()) == Why()


# ---------------------------------------------------------------- plain words, fixed fixtures
#: Three moods on four features, scaled as themselves (centre 0, spread 1, weight 1), so the
#: analysis space is Spotify's own 0..1 scale and every distance can be checked by hand.
COLUMNS = ("energy", "valence", "acousticness", "instrumentalness")
CENTRES = {
    0: {"energy": 0.78, "valence": 0.74, "acousticness": 0.12, "instrumentalness": 0.03},
    1: {"energy": 0.35, "valence": 0.45, "acousticness": 0.62, "instrumentalness": 0.08},
    2: {"energy": 0.85, "valence": 0.45, "acousticness": 0.08, "instrumentalness": 0.04},
}
LABELS = {0: "Euphoric Vocal", 1: "Calm Acoustic", 2: "Energetic Vocal"}


def _result(track_id: str, cluster_id: int) -> SimpleNamespace:
    scaling = {"columns": list(COLUMNS), "center": [0.0] * 4, "spread": [1.0] * 4}
    return SimpleNamespace(
        params={
            "scaling": {**scaling, "weights": [1.0] * 4},
            "centers": {str(c): [v[f] for f in COLUMNS] for c, v in CENTRES.items()},
        },
        clusters=[Cluster(c, LABELS[c], 10, centroid=v) for c, v in CENTRES.items()],
        assignments={track_id: cluster_id},
    )


def _why(cluster_id: int, **features: float | None) -> Why:
    return explain_membership({**features, "track_id": "t"}, _result("t", cluster_id))


def test_a_track_well_inside_its_mood_in_words_then_numbers() -> None:
    why = _why(0, energy=0.81, valence=0.76, acousticness=0.05, instrumentalness=0.01)
    assert why.words == (
        "Sits well inside Euphoric Vocal: closer to its typical sound than to any other mood. "
        "Energetic Vocal is the next nearest.",
        "What puts it here rather than Energetic Vocal: happier (0.76 vs 0.45 typical there).",
    )
    assert why.numbers == (
        "Distance in the mood space (scaled, weighted features): 0.1 to the centre of "
        "Euphoric Vocal, 0.3 to Energetic Vocal.",
        "valence 0.76: typical in Euphoric Vocal 0.74, in Energetic Vocal 0.45.",
    )


def test_two_deciding_features_and_a_plain_placement() -> None:
    why = _why(0, energy=0.72, valence=0.60, acousticness=0.20, instrumentalness=0.02)
    assert why.words == (
        "Sits in Euphoric Vocal: closer to its typical sound than to any other mood. "
        "Energetic Vocal is the next nearest.",
        "What puts it here rather than Energetic Vocal: less energy (0.72 vs 0.85 typical "
        "there) and happier (0.60 vs 0.45).",
    )


def test_a_borderline_track_unlike_its_moods_words() -> None:
    """ "Chasing Home" in "Energetic Vocal" at instrumentalness 0.67: not what "Vocal" says."""
    why = _why(2, energy=0.86, valence=0.47, acousticness=0.06, instrumentalness=0.67)
    assert why.words == (
        "A borderline track: almost as close to Euphoric Vocal as to Energetic Vocal.",
        "What puts it here rather than Euphoric Vocal: sadder (0.47 vs 0.74 typical there) "
        "and more energy (0.86 vs 0.78).",
        "Unlike most of Energetic Vocal, it is instrumental (instrumentalness 0.67).",
    )
    assert why.numbers[0] == (
        "Distance in the mood space (scaled, weighted features): 0.6 to the centre of "
        "Energetic Vocal, 0.7 to Euphoric Vocal."
    )


def test_not_the_word_when_its_opposite_is_not_true_either() -> None:
    """valence 0.50 is not "Cheerful" (0.55) nor "Moody" (below 0.40): "not cheerful"."""
    why = _why(0, energy=0.70, valence=0.50, acousticness=0.10, instrumentalness=0.30)
    assert why.words[-1] == (
        "Unlike most of Euphoric Vocal, it is not cheerful (valence 0.50) and not vocal "
        "(instrumentalness 0.30)."
    )
    # nearer another centre than its own (GMM, agglomerative): said, not hidden
    assert why.words[0] == (
        "Nearer the typical sound of Energetic Vocal than of Euphoric Vocal; it is in "
        "Euphoric Vocal because a mood is shaped by all its tracks, not by its centre alone."
    )


def test_missing_features_are_skipped_in_words_and_distances() -> None:
    why = _why(2, energy=0.86, valence=0.47, acousticness=None, instrumentalness=None)
    assert why.words == (
        "Sits well inside Energetic Vocal: closer to its typical sound than to any other mood. "
        "Euphoric Vocal is the next nearest.",
        "What puts it here rather than Euphoric Vocal: sadder (0.47 vs 0.74 typical there) "
        "and more energy (0.86 vs 0.78).",
    )  # no "Unlike ... Vocal": its instrumentalness is unknown, so nothing is claimed
    assert why.numbers[0].startswith(
        "Distance in the mood space (scaled, weighted features): 0.0 to the centre of "
        "Energetic Vocal, 0.4 to Euphoric Vocal."
    )


def test_unlike_sentences_for_mood_words_and_contrast_words() -> None:
    assert unlike_sentence("Calm Acoustic", {"energy": 0.75, "acousticness": 0.2}) == (
        "Unlike most of Calm Acoustic, it is energetic (energy 0.75) and not acoustic "
        "(acousticness 0.20)."
    )
    # a contrast word ("Bright", against a library median) and a numeral claim nothing
    assert unlike_sentence("Bright Steady Dance II", {"energy": 0.5, "danceability": 0.7}) == ""
    assert unlike_sentence("Mellow", {"energy": 0.8}) == (
        "Unlike most of Mellow, it is energetic (energy 0.80)."
    )

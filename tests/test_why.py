"""'Why is this track here': the track's own distances and the features that decide."""

from __future__ import annotations

import math
import random
import re

import numpy as np

from spotui.analysis import matrix as analysis_matrix
from spotui.analysis.matrix import MOOD_FEATURES, build_matrix
from spotui.analysis.segment import compute
from spotui.analysis.why import explain_membership, unit_value
from spotui.model import FEATURE_NAMES
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
        lines = explain_membership(f, result)
        own = labels[result.assignments[tid]]
        assert lines[0].split(" from the centre of ")[1].startswith(own)
        near, far = (float(x) for x in re.findall(r"(\d+\.\d) ", lines[0] + " ")[:2])
        assert near <= far + 0.05  # KMeans: a track is nearest its own centre
        if len(lines) > 1:
            assert lines[1].startswith("decided by ")
            named = lines[1].removeprefix("decided by ").split("; ")
            assert all(p.split()[0] in MOOD_FEATURES for p in named)


def test_no_lines_without_stored_centres() -> None:
    class Old:
        params: dict = {}
        clusters: list = []
        assignments: dict = {}

    assert explain_membership({"energy": 0.5}, Old()) == []

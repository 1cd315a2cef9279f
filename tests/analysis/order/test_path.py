"""A path from A to B: its ends, its length, no repeats, and steps that close in on B."""

from __future__ import annotations

import numpy as np
import pytest

from spotui.analysis.order.path import track_path


def line_pool(n: int = 200, seed: int = 0):
    """Candidates scattered along a line from A (0, 0, 0) to B (4, 2, -2), with noise."""
    rng = np.random.default_rng(seed)
    a, b = np.zeros(3), np.array([4.0, 2.0, -2.0])
    s = rng.random(n)
    x = a + s[:, None] * (b - a) + rng.normal(0, 0.05, (n, 3))
    ids = [f"c{i}" for i in range(n)]
    return ["A", "B", *ids], np.vstack([a, b, x])


def test_path_walks_from_a_to_b_in_even_steps():
    ids, x = line_pool()
    path = track_path(ids, x, "A", "B", 12)
    assert path[0] == "A" and path[-1] == "B"
    assert len(path) == 12 and len(set(path)) == 12
    rows = np.array([x[ids.index(t)] for t in path])
    to_b = np.linalg.norm(rows - x[1], axis=1)
    assert np.all(np.diff(to_b) < 0)
    steps = np.linalg.norm(np.diff(rows, axis=0), axis=1)
    assert steps.max() < 2.0 * np.median(steps)


def test_a_short_path_is_just_the_ends_and_exclusions_are_kept_out():
    ids, x = line_pool(50)
    assert track_path(ids, x, "A", "B", 2) == ["A", "B"]
    first = track_path(ids, x, "A", "B", 5)
    again = track_path(ids, x, "A", "B", 5, exclude=first[1:-1])
    assert not set(first[1:-1]) & set(again)


def test_a_sparse_pool_still_gives_distinct_tracks():
    ids, x = line_pool(6)
    path = track_path(ids, x, "A", "B", 8)
    assert len(set(path)) == 8
    with pytest.raises(ValueError, match="to pick from"):
        track_path(ids, x, "A", "B", 9)


def test_bad_requests_are_refused():
    ids, x = line_pool(10)
    with pytest.raises(ValueError):
        track_path(ids, x, "A", "nope", 5)
    with pytest.raises(ValueError):
        track_path(ids, x, "A", "A", 5)
    with pytest.raises(ValueError):
        track_path(ids, x, "A", "B", 1)


def test_unknown_features_do_not_poison_the_distances():
    ids, x = line_pool(40)
    x = x.copy()
    x[5, 2] = np.nan
    path = track_path(ids, x, "A", "B", 6)
    assert len(set(path)) == 6

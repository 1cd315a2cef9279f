"""Arcs as energy targets drawn from the tracks' own energy range."""

from __future__ import annotations

import numpy as np
import pytest

from spotui.analysis.order.arcs import ARCS, PEAK_AT, positions, shape, targets


def test_shapes_start_and_end_where_documented():
    x = positions(11)
    assert np.all(shape("steady", x) == 0.5)
    assert shape("build", x)[[0, -1]].tolist() == [0.0, 1.0]
    assert shape("wind-down", x)[[0, -1]].tolist() == [1.0, 0.0]
    peak = shape("peak", positions(21))
    assert peak[0] == 0.0 and peak.max() == pytest.approx(1.0)
    assert positions(21)[int(np.argmax(peak))] == pytest.approx(PEAK_AT)
    assert peak[-1] == pytest.approx(0.3)
    wave = shape("wave", positions(30))
    assert wave[0] == pytest.approx(0.0) and wave[-1] == pytest.approx(0.0)
    for arc in ARCS:
        u = shape(arc, positions(50))
        assert u.min() >= 0.0 and u.max() <= 1.0


def test_wave_rises_once_every_fifteen_tracks_and_at_least_twice():
    def peaks(n):
        u = shape("wave", positions(n))
        return int(np.sum((u[1:-1] > u[:-2]) & (u[1:-1] >= u[2:])))

    assert peaks(10) == 2
    assert peaks(60) == 4
    assert peaks(150) == 10


def test_a_calm_moods_build_goes_from_its_calmest_to_its_most_energetic_track():
    energy = np.array([0.12, 0.3, 0.05, 0.22, 0.4, 0.18])
    t = targets("build", energy)
    assert t[0] == pytest.approx(0.05) and t[-1] == pytest.approx(0.4)
    assert np.all(np.diff(t) > 0)
    # the sorted energies fit a build exactly
    assert np.sort(energy) == pytest.approx(t)
    assert targets("steady", energy) == pytest.approx(np.full(6, np.median(energy)))
    assert targets("wind-down", energy) == pytest.approx(t[::-1])


def test_unknown_energies_are_left_out_of_the_targets():
    t = targets("build", np.array([0.2, np.nan, 0.6]))
    assert t.tolist() == pytest.approx([0.2, 0.4, 0.6])
    assert np.all(np.isnan(targets("build", np.array([np.nan, np.nan]))))


def test_unknown_arc_is_refused():
    with pytest.raises(ValueError, match="unknown arc"):
        targets("zigzag", np.array([0.1]))

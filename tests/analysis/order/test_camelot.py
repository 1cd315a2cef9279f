"""Camelot codes for every key, names, and the distance rule a transition is judged on."""

from __future__ import annotations

import pytest

from spotui.analysis.order.camelot import (
    DISTANCE_COST,
    MAX_DISTANCE,
    Camelot,
    camelot,
    camelot_distance,
    key_label,
    key_name,
    parse,
)

# The standard Camelot wheel, written out by hand (not derived from the module's formula):
# (pitch class, mode) -> code. Mode 1 = major (B), 0 = minor (A).
WHEEL = {
    (0, 1): "8B", (7, 1): "9B", (2, 1): "10B", (9, 1): "11B", (4, 1): "12B", (11, 1): "1B",
    (6, 1): "2B", (1, 1): "3B", (8, 1): "4B", (3, 1): "5B", (10, 1): "6B", (5, 1): "7B",
    (9, 0): "8A", (4, 0): "9A", (11, 0): "10A", (6, 0): "11A", (1, 0): "12A", (8, 0): "1A",
    (3, 0): "2A", (10, 0): "3A", (5, 0): "4A", (0, 0): "5A", (7, 0): "6A", (2, 0): "7A",
}  # fmt: skip


def test_all_24_keys_map_to_the_wheel():
    assert len(WHEEL) == 24
    for (key, mode), code in WHEEL.items():
        assert str(camelot(key, mode)) == code, (key, mode)
    assert len({str(camelot(k, m)) for k, m in WHEEL}) == 24


def test_names_and_the_column_label():
    assert key_label(0, 1) == "8B · C major"
    assert key_label(9, 0) == "8A · A minor"
    assert key_name(6, 1) == "F♯ major"
    assert key_name(1, 1) == "D♭ major"
    assert key_name(1, 0) == "C♯ minor"
    assert key_label(10, 0) == "3A · B♭ minor"


@pytest.mark.parametrize("key, mode", [(-1, 1), (None, 1), (3, None), (12, 0), (3, 2)])
def test_missing_key_or_mode_is_missing_not_guessed(key, mode):
    assert camelot(key, mode) is None
    assert key_name(key, mode) is None
    assert key_label(key, mode) is None


def test_distance_rule():
    c = parse("8B")
    assert camelot_distance(c, parse("8B")) == 0
    # smooth: one step round the wheel, same letter, either way and across 12/1
    assert camelot_distance(c, parse("9B")) == 1
    assert camelot_distance(c, parse("7B")) == 1
    assert camelot_distance(parse("12A"), parse("1A")) == 1
    # smooth: the relative minor
    assert camelot_distance(c, parse("8A")) == 1
    # the rest cost more, by wheel steps (+1 when the letter changes too)
    assert camelot_distance(c, parse("9A")) == 2
    assert camelot_distance(c, parse("10B")) == 2
    assert camelot_distance(c, parse("2B")) == 6
    assert camelot_distance(c, parse("2A")) == MAX_DISTANCE


def test_distance_is_symmetric_and_costs_grow():
    codes = [Camelot(n, letter) for n in range(1, 13) for letter in "AB"]
    for a in codes:
        for b in codes:
            assert camelot_distance(a, b) == camelot_distance(b, a)
            assert 0 <= camelot_distance(a, b) <= MAX_DISTANCE
    assert list(DISTANCE_COST) == sorted(DISTANCE_COST)
    assert DISTANCE_COST[0] == 0 and DISTANCE_COST[-1] == 1
    assert len(DISTANCE_COST) == MAX_DISTANCE + 1


def test_parse_accepts_what_a_user_types_and_refuses_the_rest():
    assert parse(" 12a") == Camelot(12, "A")
    for bad in ("13A", "0B", "8C", "B", ""):
        with pytest.raises(ValueError):
            parse(bad)

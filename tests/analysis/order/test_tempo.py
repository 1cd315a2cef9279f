"""Tempo folding: half and double time are the same pulse; steps are symmetric percentages."""

from __future__ import annotations

import pytest

from spotui.analysis.order.tempo import MAX_STEP, fold_to, folded_ratio, folded_step


def test_half_and_double_time_are_the_same_pulse():
    assert folded_step(70, 140) == pytest.approx(0.0)
    assert folded_step(140, 70) == pytest.approx(0.0)
    assert folded_step(60, 240) == pytest.approx(0.0)
    assert folded_step(128, 64) == pytest.approx(0.0)


def test_step_is_a_symmetric_percentage():
    assert folded_step(100, 110) == pytest.approx(10.0)
    assert folded_step(110, 100) == pytest.approx(10.0)
    # 70 next to 150 is 150/2 = 75 against 70: a 7.1% step, not 114%
    assert folded_step(70, 150) == pytest.approx(150 / 140 * 100 - 100)


def test_no_folded_step_exceeds_sqrt_two():
    for a in range(40, 241, 7):
        for b in range(40, 241, 11):
            step = folded_step(a, b)
            assert step is not None and 0 <= step <= MAX_STEP + 1e-9
            assert folded_ratio(a, b) == pytest.approx(1 / folded_ratio(b, a))


@pytest.mark.parametrize("a, b", [(None, 120), (120, None), (0, 120), (120, float("nan"))])
def test_unknown_tempo_gives_no_step(a, b):
    assert folded_step(a, b) is None


def test_fold_to_brings_a_tempo_next_to_another():
    assert fold_to(140, 72) == pytest.approx(70)
    assert fold_to(60, 128) == pytest.approx(120)

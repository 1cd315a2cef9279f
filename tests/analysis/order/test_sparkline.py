"""The preview's energy curve as text."""

from __future__ import annotations

import pytest

from spotui.analysis.order.sparkline import BLOCKS, curve_preview, sparkline


def test_levels_map_to_blocks_on_a_fixed_scale():
    assert sparkline([0.0, 0.5, 1.0]) == "▁▅█"
    assert sparkline([0.2, 0.4], lo=0.2, hi=0.4) == "▁█"
    assert sparkline([-1.0, 2.0]) == "▁█"
    assert sparkline([0.3, None, float("nan")]) == "▃  "
    assert sparkline([]) == ""
    assert sparkline([0.4, 0.4], lo=0.4, hi=0.4) == "▁▁"


def test_a_long_curve_is_averaged_to_the_width():
    line = sparkline([0.0] * 50 + [1.0] * 50, width=10)
    assert line == "▁" * 5 + "█" * 5
    assert set(sparkline([i / 499 for i in range(500)], width=40)) <= set(BLOCKS)
    assert len(sparkline([0.5] * 500, width=40)) == 40


def test_preview_puts_the_order_over_the_arc():
    assert curve_preview([0.1, 0.9], [0.0, 1.0]) == "energy ▂▇\narc    ▁█"
    with pytest.raises(ValueError):
        curve_preview([0.1], [0.1, 0.2])

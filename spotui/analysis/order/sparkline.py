"""The preview's picture of an order: its energy curve against the arc, as block characters.

Why text: the TUI's preview and ``spotui order`` both show it, and a line of "▁▂▃▅▇" fits a
table cell, a dialog and a terminal log alike. Both lines share one scale (0..1 energy unless
given), so where they differ the order leaves the arc. Longer than ``width`` the curve is
averaged in even buckets, so 500 tracks still fit a line; a missing value is a space.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

BLOCKS = "▁▂▃▄▅▆▇█"


def _buckets(values: Sequence[float | None], width: int) -> list[float | None]:
    if len(values) <= width:
        return list(values)
    out: list[float | None] = []
    for b in range(width):
        lo, hi = b * len(values) // width, (b + 1) * len(values) // width
        known = [v for v in values[lo:hi] if v is not None and math.isfinite(v)]
        out.append(sum(known) / len(known) if known else None)
    return out


def sparkline(
    values: Sequence[float | None], *, lo: float = 0.0, hi: float = 1.0, width: int = 60
) -> str:
    """One block per value (or per bucket past ``width``), lo as the lowest block, hi the top."""
    span = hi - lo
    chars = []
    for v in _buckets(values, width):
        if v is None or not math.isfinite(v):
            chars.append(" ")
            continue
        level = 0.0 if span <= 0 else min(max((v - lo) / span, 0.0), 1.0)
        chars.append(BLOCKS[round(level * (len(BLOCKS) - 1))])
    return "".join(chars)


def curve_preview(
    energy: Sequence[float | None],
    target: Sequence[float | None],
    *,
    width: int = 60,
    lo: float = 0.0,
    hi: float = 1.0,
) -> str:
    """Two labelled lines, the order's energy over the arc's target, on one scale."""
    if len(energy) != len(target):
        raise ValueError("one target per track")
    return (
        f"energy {sparkline(energy, lo=lo, hi=hi, width=width)}\n"
        f"arc    {sparkline(target, lo=lo, hi=hi, width=width)}"
    )

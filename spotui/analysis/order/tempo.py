"""Tempo steps between consecutive tracks, with half and double time folded together.

Why folding: beat trackers often report a track at half or double its felt tempo, and a
70 BPM ballad next to a 140 BPM track shares its pulse (every other beat). A transition is
therefore judged on the smallest of the steps from ``a`` to ``b``, ``2b`` and ``b/2``. The step
is a ratio in percent on a log scale (100 to 110 and 110 to 100 are both a 10% step), which is
how a DJ's pitch fader reads it; after folding no step exceeds ~41% (a ratio of sqrt 2).
"""

from __future__ import annotations

import math

#: The largest folded step in percent (a ratio of sqrt(2)); folding never yields more.
MAX_STEP = (math.sqrt(2.0) - 1.0) * 100.0


def known(bpm: float | None) -> bool:
    """Whether a tempo can be used: the real sample has tempo 0 for tracks it could not time."""
    return bpm is not None and math.isfinite(bpm) and bpm > 0


def folded_ratio(a: float, b: float) -> float:
    """``b`` as a multiple of ``a`` after folding half/double time: in [1/sqrt 2, sqrt 2]."""
    r = math.log2(b / a)
    return 2.0 ** (r - round(r))


def folded_step(a: float | None, b: float | None) -> float | None:
    """The tempo step from ``a`` to ``b`` in percent after folding; None if either is unknown.

    ``round`` to the nearest power of two covers 2b and b/2 and also 4x (a 60 BPM intro next
    to a 240 BPM track), which a beat tracker can report too.
    """
    if not (known(a) and known(b)):
        return None
    assert a is not None and b is not None
    r = folded_ratio(a, b)
    return (max(r, 1.0 / r) - 1.0) * 100.0


def fold_to(bpm: float, reference: float) -> float:
    """``bpm`` moved by octaves next to ``reference``: what a listener hears as the pulse."""
    return reference * folded_ratio(reference, bpm)

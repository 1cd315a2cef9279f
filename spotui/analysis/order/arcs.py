"""Energy arcs: the curve an order's energy should follow, from first track (0) to last (1).

Each arc is a *shape* u(x) in 0..1 over the position x in 0..1 and becomes targets through
the tracks' own energy: the target at x is the tracks' energy quantile at u(x). Why quantiles
rather than a fixed 0..1 scale: a calm mood has no track at energy 0.9, and asking it to reach
one would make every "build" end on the same few tracks; with quantiles a calm mood's build
goes from its calmest track (u = 0, the minimum) to its most energetic (u = 1, the maximum),
and one outlier moves only the end point, not the whole curve. It also makes a perfect fit
possible: for "build" the tracks sorted by energy fit exactly.

The shapes:

* ``steady``: u = 0.5, the mood's median energy all the way; every order fits it equally well
  (the sum of |energy - median| does not depend on the order), so only smoothness decides;
* ``build``: u = x, calmest to most energetic, evenly;
* ``wind-down``: u = 1 - x, the reverse, for the end of a night or falling asleep;
* ``peak``: up from the calmest to the most energetic at 60% of the way, then down to the
  30% level at the end (a workout or a party's warm-up, peak and cool-down);
* ``wave``: 0.5 - 0.5 cos(2 pi c x), rises and falls between calm and energetic, starting
  calm, with c = max(2, round(n / 15)) cycles: a cycle about every 15 tracks, so a long
  list does not turn into one slow build, and at least two waves so it is not a peak.
"""

from __future__ import annotations

import numpy as np

ARCS: tuple[str, ...] = ("steady", "build", "wind-down", "peak", "wave")
DEFAULT_ARC = "steady"

#: Where the peak arc is highest (fraction of the order) and where it ends (level, 0..1).
PEAK_AT = 0.6
PEAK_END = 0.3
#: Tracks per rise and fall of the wave (at least two waves).
WAVE_TRACKS = 15


def check_arc(arc: str) -> str:
    if arc not in ARCS:
        raise ValueError(f"unknown arc {arc!r}; one of {', '.join(ARCS)}")
    return arc


def positions(n: int) -> np.ndarray:
    """Positions 0..1 of n tracks (a single track sits in the middle)."""
    return np.linspace(0.0, 1.0, n) if n > 1 else np.full(n, 0.5)


def shape(arc: str, x: np.ndarray, n: int | None = None) -> np.ndarray:
    """The arc's level u(x) in 0..1 at positions ``x``; ``n`` (default len(x)) sets the waves."""
    check_arc(arc)
    x = np.asarray(x, dtype=np.float64)
    if arc == "steady":
        return np.full_like(x, 0.5)
    if arc == "build":
        return x.copy()
    if arc == "wind-down":
        return 1.0 - x
    if arc == "peak":
        up = x / PEAK_AT
        down = 1.0 - (x - PEAK_AT) / (1.0 - PEAK_AT) * (1.0 - PEAK_END)
        return np.where(x <= PEAK_AT, up, down)
    cycles = max(2, round((len(x) if n is None else n) / WAVE_TRACKS))
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * cycles * x)


def targets(arc: str, energy: np.ndarray, n: int | None = None) -> np.ndarray:
    """Target energy at each of ``n`` positions (default: one per track) for these tracks.

    Unknown energies (NaN) are left out of the quantiles; with none known every target is
    NaN, and the objective then scores every position alike.
    """
    energy = np.asarray(energy, dtype=np.float64)
    n = len(energy) if n is None else n
    level = shape(arc, positions(n), n)
    known = energy[np.isfinite(energy)]
    if len(known) == 0:
        return np.full(n, np.nan)
    return np.quantile(known, level)

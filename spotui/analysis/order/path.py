"""A path from one track to another: n tracks that walk from A's sound to B's in even steps.

How: n - 2 waypoints are laid evenly on the straight line from A to B in the feature space the
caller hands in, and each, from A's end to B's, takes the nearest candidate not yet used (A
and B themselves are the ends and are never picked in between). Why the caller's space: it
should be the scaled mood matrix (``FeatureMatrix.scaled``), where a step means as much in
every column; raw features would let tempo in BPM drown out the 0..1 ones. Why greedy from
A's end: each step is then the best match to its waypoint given the steps before it, which is
what a listener hears in order; a global assignment would trade an early step's fit for a
later one's. With a sparse pool the nearest candidate can sit off the line, so a step may
repeat a little ground; the distance to B still falls from one step to the next whenever the
pool has tracks near the line.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _check(index: dict[str, int], ids: int, rows: int, a: str, b: str, n: int) -> None:
    """A ValueError saying which of the path's inputs cannot make one."""
    if ids != rows:
        raise ValueError("one feature row per candidate")
    for end in (a, b):
        if end not in index:
            raise ValueError(f"track {end} is not in the pool")
    if a == b:
        raise ValueError("a path needs two different tracks")
    if n < 2:
        raise ValueError("a path has at least its two ends")


def track_path(
    ids: Sequence[str],
    x: np.ndarray,
    a: str,
    b: str,
    n: int,
    *,
    exclude: Sequence[str] = (),
) -> list[str]:
    """``n`` track ids from ``a`` to ``b`` (both included), none twice.

    ``ids`` and the rows of ``x`` are the candidate pool (it must hold ``a`` and ``b``);
    ``exclude`` keeps tracks out of the middle (the user's skips, say).
    """
    x = np.asarray(x, dtype=np.float64)
    index = {t: i for i, t in enumerate(ids)}
    _check(index, len(ids), len(x), a, b, n)
    ia, ib = index[a], index[b]
    free = np.ones(len(ids), dtype=bool)
    free[[ia, ib]] = False
    for t in exclude:
        if t in index:
            free[index[t]] = False
    if free.sum() < n - 2:
        raise ValueError(f"the pool has {int(free.sum())} tracks to pick from, {n - 2} needed")
    # NaN (an unknown feature) is ignored rather than poisoning every distance
    x = np.where(np.isfinite(x), x, 0.0)
    path = [ia]
    for k in range(1, n - 1):
        waypoint = x[ia] + (x[ib] - x[ia]) * (k / (n - 1))
        dist = np.linalg.norm(x - waypoint, axis=1)
        dist[~free] = np.inf
        pick = int(np.argmin(dist))
        free[pick] = False
        path.append(pick)
    path.append(ib)
    return [ids[i] for i in path]

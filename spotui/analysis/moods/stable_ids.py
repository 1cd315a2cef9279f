"""Stable cluster ids across re-runs: a cluster that is still mostly the same tracks keeps
its id, so its colour, label and exported playlist follow it.

Hungarian assignment on the Jaccard overlap of shared tracks; a new cluster that overlaps no
old one enough gets an id the previous run did not use, so an export of an old cluster is
never silently taken over by a different one.
"""

from __future__ import annotations

import numpy as np

#: Jaccard overlap below which a new cluster is not considered the same as an old one.
MATCH_MIN_JACCARD = 0.25


def match_ids(labels: np.ndarray, k: int, track_ids: list[str], previous) -> dict[int, int]:
    """Map new cluster indices 0..k-1 to stable ids (see the module docstring)."""
    if previous is None or not previous.clusters:
        return {j: j for j in range(k)}
    old_ids = sorted({c.id for c in previous.clusters})
    jaccard = _jaccard(labels, k, track_ids, previous.assignments, old_ids)
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(-jaccard)
    mapping: dict[int, int] = {}
    for r, c in zip(rows, cols, strict=True):
        if jaccard[r, c] >= MATCH_MIN_JACCARD:
            mapping[int(r)] = old_ids[c]
    return _with_fresh_ids(mapping, k, old_ids)


def _with_fresh_ids(mapping: dict[int, int], k: int, old_ids: list[int]) -> dict[int, int]:
    """Unmatched clusters get the lowest ids the previous run did not use (in place)."""
    taken = set(old_ids)
    fresh = (i for i in range(10**6) if i not in taken)
    for j in range(k):
        if j not in mapping:
            mapping[j] = next(fresh)
    return mapping


def _jaccard(
    labels: np.ndarray, k: int, track_ids: list[str], prev: dict[str, int], old_ids: list[int]
) -> np.ndarray:
    """Jaccard overlap of every new cluster (rows) with every old one (columns), counted
    over the tracks both runs placed."""
    old_pos = {cid: i for i, cid in enumerate(old_ids)}
    overlap = np.zeros((k, len(old_ids)))
    new_common = np.zeros(k)
    old_common = np.zeros(len(old_ids))
    for tid, j in zip(track_ids, labels.tolist(), strict=True):
        cid = prev.get(tid)
        if cid is None or cid not in old_pos:
            continue
        overlap[j, old_pos[cid]] += 1
        new_common[j] += 1
        old_common[old_pos[cid]] += 1
    union = new_common[:, None] + old_common[None, :] - overlap
    return np.divide(overlap, union, out=np.zeros_like(overlap), where=union > 0)

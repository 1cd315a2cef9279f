"""Seeds that cover a set of tracks: what to ask ReccoBeats for a cluster or a selection.

ReccoBeats takes at most 5 seed ids per request. Five random tracks of a 300-track cluster
ask for whatever corner of it they happen to fall in; instead the tracks are split into
``sets * 5`` sub-groups by k-means (numpy) on the recommender's matrix (the same "sounds like"
space the answers are ranked in), and each sub-group is represented by its *real* track
nearest the sub-centre. The representatives are ordered along the group's main axis
(first principal component) and cut into requests of 5, so each request's seeds are
neighbours and ask for one sound rather than an average of distant ones. Deterministic
(fixed k-means seed), so the same cluster asks for the same seed sets and hits the cache.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Seeds per ReccoBeats request.
PER_SET = 5
#: Requests for a cluster or a selection (track seeds: one request per 5 tracks given).
COVER_SETS = 3


def covering_seeds(
    ids: Sequence[str], scaled: np.ndarray, sets: int = COVER_SETS, per_set: int = PER_SET
) -> list[list[str]]:
    """Up to ``sets`` seed sets of up to ``per_set`` ids that together cover ``ids``.

    ``scaled`` holds one row per id. With no more ids than seeds needed, every id is a
    seed (in the given order).
    """
    ids = list(ids)
    want = sets * per_set
    if len(ids) <= want:
        return [ids[i : i + per_set] for i in range(0, len(ids), per_set)]
    x = np.asarray(scaled, dtype=np.float64)
    centres, labels = _kmeans(x, want)
    reps: list[int] = []
    for c in range(want):
        members = np.flatnonzero(labels == c)
        if len(members):
            d = np.linalg.norm(x[members] - centres[c], axis=1)
            reps.append(int(members[np.argmin(d)]))
    pts = x[reps] - x[reps].mean(axis=0)
    axis = np.linalg.svd(pts, full_matrices=False)[2][0] if len(reps) > 1 else np.zeros(x.shape[1])
    order = [reps[i] for i in np.argsort(pts @ axis, kind="stable")]
    chosen = [ids[r] for r in order]
    return [chosen[i : i + per_set] for i in range(0, len(chosen), per_set)]


def _kmeans(x: np.ndarray, k: int, iters: int = 25) -> tuple[np.ndarray, np.ndarray]:
    """k-means++ seeding (fixed seed) and Lloyd steps, in numpy.

    Why not scikit-learn's KMeans: only the sub-centres' nearest tracks are used, so one
    seeding and a few steps are enough, and sklearn took 1.5-3.3 s for a 300-600-track
    cluster on the busy 2-core test machine (plus a 1 s import) against ~10 ms here.
    """
    rng = np.random.default_rng(0)
    centres = [x[rng.integers(len(x))]]
    d2 = np.sum((x - centres[0]) ** 2, axis=1)
    for _ in range(1, k):
        p = d2 / d2.sum() if d2.sum() > 0 else None
        centres.append(x[rng.choice(len(x), p=p)])
        d2 = np.minimum(d2, np.sum((x - centres[-1]) ** 2, axis=1))
    c = np.array(centres)
    labels = np.zeros(len(x), dtype=int)
    for step in range(iters):
        dist = np.sum(x * x, axis=1)[:, None] - 2 * x @ c.T + np.sum(c * c, axis=1)[None, :]
        new = np.argmin(dist, axis=1)
        if step and np.array_equal(new, labels):
            break
        labels = new
        for j in range(k):
            members = x[labels == j]
            if len(members):
                c[j] = members.mean(axis=0)
    return c, labels


def seed_sets(rec, seed_ids: Sequence[str], sets: int = COVER_SETS) -> list[list[str]]:
    """Seed sets for a :class:`~spotui.analysis.recommend.recommender.Recommender` query: the seeds
    with features (that ReccoBeats can know: Spotify ids), covered by :func:`covering_seeds`."""
    from spotui.spotify.ids import parse_track_id

    rows = [r for r in rec.seed_rows(seed_ids) if parse_track_id(rec.ids[r]) is not None]
    ids = [rec.ids[r] for r in rows]
    return covering_seeds(ids, rec.scaled[rows], sets=sets) if ids else []

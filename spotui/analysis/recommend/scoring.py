"""Scoring helpers of the recommender: exact top-m, score calibration, metadata blend.

Split out of :mod:`spotui.analysis.recommend.recommender` to keep it readable; numpy only (TUI path).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from spotui.core.records import Track

#: The shown score is 0.5 at the library's median distance to a track's k-th neighbour.
CALIBRATION_K = 10
#: Library rows sampled (fixed seed) to find that distance.
CALIBRATION_SAMPLE = 200
#: MMR: distance to the picks counts up to this many ``d_ref`` (far off is no merit).
MMR_CAP = 2.0
#: Below this best sound, "nothing sounds close" (``Recommendations.far_note``): the 5th
#: percentile of the nearest candidate's sound for 3,000 random one-track seeds of the
#: real 17,949-track sample (benchmarks/rec_far.py: p1 0.21, p5 0.379, median 0.747;
#: 25-track seeds: p5 0.63; two random tracks: median 0.00, p99 0.22). A seed under it is
#: farther from everything than 95 of 100 real tracks are; the scale is each library's own
#: (0.5 = its typical 10th-neighbour distance), so the bar carries over (demo: 3.1%).
FAR_SOUND = 0.38
#: A genre is mentioned in a reason when at least this share of the seeds have it.
GENRE_MENTION_SHARE = 0.2


def top_m(scores: np.ndarray, m: int, stride: int = 16) -> np.ndarray:
    """Indices of the ``m`` largest scores, unordered (exact; ``argpartition``, no full sort).

    Above 20k scores a strided sample first gives a threshold: the m-th largest of a subset
    is never above the m-th largest of the whole, so every true top-m score passes it, and
    typically only ~``stride * m`` do. Selecting among those instead of all scores is ~10x
    faster at 100k (0.1 vs 1 ms) and still exact.
    """
    n = len(scores)
    if m >= n:
        return np.arange(n)
    if n > 20_000 and m * stride * 4 < n:
        sample = scores[::stride]
        k = len(sample) - m
        threshold = np.partition(sample, k)[k]
        idx = np.flatnonzero(scores >= threshold)
        sub = scores[idx]
        return idx[np.argpartition(sub, len(sub) - m)[len(sub) - m :]]
    return np.argpartition(scores, n - m)[n - m :]


def neighbour_distance(
    x: np.ndarray, k: int = CALIBRATION_K, sample: int = CALIBRATION_SAMPLE
) -> float:
    """Median distance from a track of ``x`` to its ``k``-th nearest other track.

    Over a fixed-seed sample of ``sample`` rows (against all rows), so the same library
    always gives the same value; ~40 ms at 100k rows. Falls back to the median distance to
    any other track when duplicates make it 0, and to 1.0 for fewer than two rows.
    """
    n = len(x)
    if n < 2:
        return 1.0
    k = min(k, n - 1)
    x = np.asarray(x, dtype=np.float32)
    x = x - x.mean(axis=0)  # centred, so the |a|^2 + |b|^2 - 2ab expansion stays precise
    sq = np.einsum("ij,ij->i", x, x)
    rng = np.random.default_rng(0)
    idx = np.sort(rng.choice(n, size=sample, replace=False)) if n > sample else np.arange(n)
    ref = _kth_distance(x, sq, idx, k)
    if ref <= 1e-6:  # duplicates everywhere: the typical distance to any other track
        ref = _kth_distance(x, sq, idx, (n - 1) // 2 + 1)
    return ref if ref > 1e-6 else 1.0


def _kth_distance(x: np.ndarray, sq: np.ndarray, idx: np.ndarray, k: int) -> float:
    """Median over rows ``idx`` of the distance to their ``k``-th nearest other row."""
    xt = np.ascontiguousarray(x.T)
    kth = []
    for a in range(0, len(idx), 32):
        s = idx[a : a + 32]
        d2 = x[s] @ xt  # |a - b|^2 - |a|^2 = |b|^2 - 2ab: in place, the row's |a|^2 added last
        d2 *= -2.0
        d2 += sq[None, :]
        d2[np.arange(len(s)), s] = np.inf
        if d2.shape[1] > 20_000 and k * 64 < d2.shape[1]:
            # exact, as in top_m: a strided subset's k-th smallest bounds the row's from above
            thr = np.partition(d2[:, ::16], k - 1, axis=1)[:, k - 1]
            part = np.array(
                [np.partition(r[r <= t], k - 1)[k - 1] for r, t in zip(d2, thr, strict=False)]
            )
        else:
            part = np.partition(d2, k - 1, axis=1)[:, k - 1]
        kth.append(part + sq[s])
    return float(np.sqrt(max(float(np.median(np.concatenate(kth))), 0.0)))


def seed_shares(tracks: Sequence[Track]) -> tuple[dict[str, float], dict[str, float]]:
    """Share of the seed tracks having each genre, and each artist (casefolded)."""
    genres: dict[str, int] = {}
    artists: dict[str, int] = {}
    for t in tracks:
        for g in {g.casefold() for g in t.genres}:
            genres[g] = genres.get(g, 0) + 1
        for a in {a.casefold() for a in t.artists}:
            artists[a] = artists.get(a, 0) + 1
    k = max(len(tracks), 1)
    return {g: c / k for g, c in genres.items()}, {a: c / k for a, c in artists.items()}


def metadata_match(
    track: Track, genre_share: dict[str, float], artist_share: dict[str, float]
) -> tuple[float, float]:
    """(largest seed share of one of the track's genres, the same for its artists), 0..1."""
    g = max((genre_share.get(x.casefold(), 0.0) for x in track.genres), default=0.0)
    a = max((artist_share.get(x.casefold(), 0.0) for x in track.artists), default=0.0)
    return g, a


def shared_genres(genres: Sequence[str], share: dict[str, float]) -> list[str]:
    """The candidate's genres that at least a fifth of the seeds have, most shared first."""
    found = [(share.get(g.casefold(), 0.0), g) for g in genres]
    return [g for s, g in sorted(found, key=lambda x: -x[0]) if s >= GENRE_MENTION_SHARE]


def mmr_pick(
    rows: np.ndarray,
    rel: np.ndarray,
    vecs: np.ndarray,
    n: int,
    diversity: float,
    artist_cap: int | None,
    versions,
    track_of: Callable[[int], Track],
) -> tuple[list[int], list[float]]:
    """Pick ``n`` of the shortlist ``rows`` (best first) by maximal marginal relevance.

    Each next pick maximises ``diversity * min(distance to the picks, MMR_CAP) - (1 -
    diversity) * miss``, in distances (``vecs`` are the rows in units of ``d_ref``), which
    are linear, unlike cosine (1 - cos ~ angle^2 / 2) or the shown score. The miss is the
    distance the relevance ``rel`` stands for (``rel = 2 ** -miss^2``), so a metadata blend
    counts too. ``diversity=0`` keeps the shortlist order. Versions of a song already in
    ``versions`` (a :class:`~spotui.analysis.recommend.same_song.VersionFilter`, seeds included) and
    artists already picked ``artist_cap`` times are skipped.
    """
    miss = np.sqrt(-np.log2(np.clip(rel, 1e-300, 1.0)))
    min_d = np.full(len(rows), MMR_CAP)
    alive = np.ones(len(rows), dtype=bool)
    per_artist: dict[str, int] = {}
    picked: list[int] = []
    picked_rel: list[float] = []
    while len(picked) < n and alive.any():
        if diversity > 0 and picked:
            value = diversity * min_d - (1 - diversity) * miss
        else:
            value = -np.arange(len(rows), dtype=np.float64)  # shortlist order
        value[~alive] = -np.inf
        i = int(np.argmax(value))
        alive[i] = False
        t = track_of(int(rows[i]))
        if versions.seen(t):
            continue
        artists = {a.casefold() for a in t.artists}
        if artist_cap and any(per_artist.get(a, 0) >= artist_cap for a in artists):
            continue
        for a in artists:
            per_artist[a] = per_artist.get(a, 0) + 1
        versions.add(t)
        picked.append(int(rows[i]))
        picked_rel.append(float(rel[i]))
        if diversity > 0:
            np.minimum(min_d, np.linalg.norm(vecs - vecs[i], axis=1), out=min_d)
    return picked, picked_rel


def mask_candidates(
    scores: np.ndarray,
    offset: int,
    index: dict[str, int],
    banned: set[int],
    only: set[str] | None,
) -> int:
    """Score ``-inf`` for what may not be returned; how many candidates are left.

    ``scores[i]`` is pool row ``offset + i``; ``banned`` rows (seeds, excluded tracks) are
    out; with ``only``, so is every row whose id is not in it (discovery's candidates).
    """
    for r in banned:
        if r >= offset:
            scores[r - offset] = -np.inf
    if only is None:
        return len(scores) - sum(1 for r in banned if r >= offset)
    keep = np.zeros(len(scores), dtype=bool)
    keep[[index[i] - offset for i in only if index.get(i, -1) >= offset]] = True
    scores[~keep] = -np.inf
    return int(np.isfinite(scores).sum())

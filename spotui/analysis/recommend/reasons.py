"""Why a track was recommended: one line that names only true, absolute-scale facts.

"High" and "low" are claimed only on Spotify's own scale, and only when *both* the seed and
the candidate pass the bar: instrumentalness >= 0.5 (Spotify: "values above 0.5 are
intended to represent instrumental tracks"), liveness >= 0.8 ("above 0.8 provides strong
likelihood that the track is live"), acousticness >= 0.5, speechiness >= 0.33 ("between 0.33
and 0.66 ... both music and speech"), and energy, valence and danceability >= 0.7 (high) or
<= 0.3 (low). A library-relative "high" was misleading: on a library of electronic music an
instrumentalness of 0.006 is "high", and a studio track with liveness 0.34 was called
"high liveness". Everything else is given as numbers, this track's value first:
"energy 0.82 vs 0.85", "tempo 124 vs 126 BPM", "loudness -5.1 vs -6.0 dB".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from spotui.analysis.matrix import MOOD_FEATURES
from spotui.core.feature_spec import format_number

#: Absolute bars on Spotify's scale: a feature is "high" at or above, "low" at or below.
HIGH_BAR: dict[str, float] = {
    "instrumentalness": 0.5,
    "liveness": 0.8,
    "acousticness": 0.5,
    "speechiness": 0.33,
    "energy": 0.7,
    "valence": 0.7,
    "danceability": 0.7,
}
LOW_BAR: dict[str, float] = {"energy": 0.3, "valence": 0.3, "danceability": 0.3}

# A feature is given as numbers when the seed is distinctive on it (this many standard
# deviations from the library's median) and the candidate is close (within this many).
_DISTINCT_Z = 0.5
_SHARED_Z = 0.6
_TEMPO_CLOSE_BPM = 10.0
_MAX_FEATURES = 2


def level(column: str, value: float) -> str | None:
    """ "high", "low" or None for ``value`` of ``column`` on Spotify's absolute scale."""
    hi = HIGH_BAR.get(column)
    if hi is not None and value >= hi:
        return "high"
    lo = LOW_BAR.get(column)
    if lo is not None and value <= lo:
        return "low"
    return None


def format_pair(column: str, cand: float, seed: float) -> str:
    """ "energy 0.82 vs 0.85": this track's value first, then the seed's."""
    unit = {"tempo": " BPM", "loudness": " dB"}.get(column, "")
    return f"{column} {format_number(column, cand)} vs {format_number(column, seed)}{unit}"


def explain(
    seed_z: np.ndarray,
    cand_z: np.ndarray,
    seed_raw: np.ndarray,
    cand_raw: np.ndarray,
    *,
    seed_imputed: np.ndarray | None = None,
    cand_imputed: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    shared_genres: Sequence[str] = (),
    same_artist: bool = False,
) -> str:
    """One line naming what the candidate shares with the seed.

    At most two features: first those where seed and candidate pass the same absolute bar
    ("same high energy and low valence"), then, as numbers, those where the seed is
    distinctive for the library (``*_z``, standardised) and the candidate close; with
    neither, the two closest features as numbers. Tempo is added in BPM when within 10.
    Filled-in (imputed) values are never claimed.
    """
    cols = MOOD_FEATURES
    w = np.ones(len(cols)) if weights is None else np.asarray(weights, dtype=np.float64)
    known = _known(len(cols), seed_imputed, cand_imputed)
    sz = np.asarray(seed_z, dtype=np.float64)
    cz = np.asarray(cand_z, dtype=np.float64)
    sr = np.asarray(seed_raw, dtype=np.float64)
    cr = np.asarray(cand_raw, dtype=np.float64)
    diff = np.abs(sz - cz)
    tempo_j = cols.index("tempo")
    usable = [j for j in range(len(cols)) if known[j] and j != tempo_j]

    levels = _shared_levels(usable, sr, cr, w * np.abs(sz))
    numbers = _close_numbers(usable, {j for _, j, _ in levels}, sz, diff, w, len(levels))

    parts = _feature_parts(levels, numbers, cr, sr)
    if known[tempo_j] and abs(float(cr[tempo_j]) - float(sr[tempo_j])) <= _TEMPO_CLOSE_BPM:
        parts.append(format_pair("tempo", float(cr[tempo_j]), float(sr[tempo_j])))
    parts += _metadata_parts(same_artist, shared_genres)
    return "; ".join(parts) if parts else "similar overall sound"


def _feature_parts(
    levels: list[tuple[float, int, str]], numbers: list[int], cr: np.ndarray, sr: np.ndarray
) -> list[str]:
    """The shared levels in words ("same high energy"), then the close columns as numbers."""
    cols = MOOD_FEATURES
    parts = []
    if levels:
        parts.append("same " + " and ".join(f"{lv} {cols[j]}" for _, j, lv in levels))
    parts += [format_pair(cols[j], float(cr[j]), float(sr[j])) for j in numbers]
    return parts


def _known(n: int, *imputed: np.ndarray | None) -> np.ndarray:
    """Columns neither track had filled in: only those may be claimed."""
    known = np.ones(n, dtype=bool)
    for mask in imputed:
        if mask is not None:
            known &= ~np.asarray(mask, dtype=bool)
    return known


def _close_numbers(
    usable: list[int],
    named: set[int],
    sz: np.ndarray,
    diff: np.ndarray,
    w: np.ndarray,
    n_levels: int,
) -> list[int]:
    """Columns said as numbers besides the shared levels: where the seed is distinctive and
    the candidate close; with no level and none of those, the closest columns overall."""
    close = sorted(
        (
            (w[j] * (abs(sz[j]) - diff[j]), j)
            for j in usable
            if j not in named and abs(sz[j]) >= _DISTINCT_Z and diff[j] <= _SHARED_Z
        ),
        reverse=True,
    )
    numbers = [j for _, j in close[: _MAX_FEATURES - n_levels]]
    if not n_levels and not numbers:
        numbers = [j for j in sorted(usable, key=lambda j: (diff[j] * w[j], j))][:_MAX_FEATURES]
    return numbers


def _metadata_parts(same_artist: bool, shared_genres: Sequence[str]) -> list[str]:
    """What the tracks share besides their sound (only asked for by a metadata blend)."""
    parts = []
    if same_artist:
        parts.append("same artist")
    if shared_genres:
        parts.append("also " + ", ".join(shared_genres[:2]))
    return parts


def _shared_levels(usable, seed_raw, cand_raw, rank) -> list[tuple[float, int, str]]:
    """(rank, column, "high"/"low") where both tracks pass the same bar; the top two."""
    cols = MOOD_FEATURES
    out = []
    for j in usable:
        lv = level(cols[j], float(seed_raw[j]))
        if lv is not None and lv == level(cols[j], float(cand_raw[j])):
            out.append((float(rank[j]), j, lv))
    return sorted(out, reverse=True)[:_MAX_FEATURES]


def false_level_claims(reason: str, seed_raw, cand_raw) -> list[str]:
    """The "high X"/"low X" claims in ``reason`` that the raw values do not support.

    For tests and benchmarks: every claim must hold for both the seed and the candidate.
    """
    bad = []
    for lv, bars in (("high", HIGH_BAR), ("low", LOW_BAR)):
        for column in bars:
            if f"{lv} {column}" not in reason:
                continue
            j = MOOD_FEATURES.index(column)
            if level(column, float(seed_raw[j])) != lv or level(column, float(cand_raw[j])) != lv:
                bad.append(f"{lv} {column}")
    return bad


__all__ = ["HIGH_BAR", "LOW_BAR", "explain", "false_level_claims", "format_pair", "level"]

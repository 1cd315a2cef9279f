"""Cluster centroid -> a short mood label a person recognises, with the numbers behind it.

How a label is made (the rules the tests check):

1. **Mood word** from the centroid's absolute energy and valence (Spotify's 0..1 scales),
   on a 3 x 3 grid (:data:`MOOD_GRID`). Absolute, not relative to the library: a cluster of
   metal is "Intense" even in a library of nothing but metal.
2. **Modifier**: the most distinctive feature of the cluster *relative to the library*
   (:data:`MODIFIERS`), e.g. "Acoustic" when acousticness is at least 0.5 and clearly above
   the library's mean. Distinctiveness is measured in library standard deviations (z).
   The label is the mood word plus the strongest modifier: "Calm Acoustic".
3. **Uniqueness**: where two clusters would share a label, each gets its second modifier;
   if that does not separate them, a contrast word against the other clusters of the same
   label is put in front ("Dark", "Fast", ...); as a last resort roman numerals by size.
4. **Stability**: a cluster that kept its id across a re-run keeps its previous label as
   long as that label is still true of the new centroid (same mood word, every modifier
   still qualifies).

Every label comes with ``reasons``: plain sentences with the numbers ("energy 0.82 vs
library 0.61", "acousticness 0.85, 3.1x library").

Pure Python; no numpy or scikit-learn needed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

#: Energy / valence level boundaries: below the first is "low", from the second on "high".
ENERGY_BOUNDS = (0.40, 0.65)
VALENCE_BOUNDS = (0.40, 0.60)

#: (energy level, valence level) -> mood word.
MOOD_GRID: dict[tuple[str, str], str] = {
    ("high", "high"): "Euphoric",
    ("high", "mid"): "Energetic",
    ("high", "low"): "Intense",
    ("mid", "high"): "Upbeat",
    ("mid", "mid"): "Mellow",
    ("mid", "low"): "Moody",
    ("low", "high"): "Serene",
    ("low", "mid"): "Calm",
    ("low", "low"): "Melancholic",
}


@dataclass(frozen=True)
class Modifier:
    """A distinctive-feature word: applies when the centroid passes both thresholds.

    ``minimum``/``maximum`` is the absolute condition on the centroid value (raw units);
    ``min_z`` how far (in library standard deviations) it must stand out in ``direction``.
    ``priority`` ranks words of equal distinctiveness: timbre words (Acoustic, Dance...)
    say more than tempo/loudness, which largely repeat energy.
    """

    word: str
    feature: str
    direction: int  # +1: high values, -1: low values
    threshold: float  # absolute: value >= threshold (direction +1) or <= (direction -1)
    min_z: float = 0.5
    priority: float = 1.0


MODIFIERS: tuple[Modifier, ...] = (
    Modifier("Acoustic", "acousticness", +1, 0.50),
    Modifier("Instrumental", "instrumentalness", +1, 0.50),
    Modifier("Dance", "danceability", +1, 0.65),
    Modifier("Spoken", "speechiness", +1, 0.20),
    Modifier("Live", "liveness", +1, 0.45),
    Modifier("Fast", "tempo", +1, 125.0, 0.75, 0.6),
    Modifier("Slow", "tempo", -1, 90.0, 0.75, 0.6),
    Modifier("Loud", "loudness", +1, -6.0, 0.75, 0.6),
    Modifier("Soft", "loudness", -1, -15.0, 0.75, 0.6),
    Modifier("Electric", "acousticness", -1, 0.10, 0.5, 0.5),
    Modifier("Vocal", "instrumentalness", -1, 0.05, 0.5, 0.5),
)

#: Contrast words put in front to tell apart clusters that would share a label:
#: feature -> (word for higher than the others, word for lower).
CONTRAST_WORDS: dict[str, tuple[str, str]] = {
    "valence": ("Bright", "Dark"),
    "energy": ("Driving", "Gentle"),
    "tempo": ("Fast", "Slow"),
    "loudness": ("Loud", "Soft"),
    "danceability": ("Groovy", "Loose"),
    "acousticness": ("Acoustic", "Electric"),
    "instrumentalness": ("Instrumental", "Vocal"),
    "speechiness": ("Wordy", "Sung"),
    "liveness": ("Live", "Studio"),
}

#: Typical spread of each feature, used when the library's own is unknown or degenerate.
DEFAULT_SD: dict[str, float] = {
    "danceability": 0.15,
    "energy": 0.2,
    "valence": 0.2,
    "acousticness": 0.3,
    "instrumentalness": 0.3,
    "speechiness": 0.1,
    "liveness": 0.15,
    "tempo": 25.0,
    "loudness": 5.0,
}

#: Features whose reasons read best as a ratio ("3.1x library") when far above the library.
_RATIO_FEATURES = ("acousticness", "instrumentalness", "speechiness", "liveness")

#: Fixed palette (hex, understood by both rich and Textual), indexed by cluster id.
PALETTE: tuple[str, ...] = (
    "#4E79A7",  # blue
    "#F28E2B",  # orange
    "#E15759",  # red
    "#76B7B2",  # teal
    "#59A14F",  # green
    "#EDC948",  # yellow
    "#B07AA1",  # purple
    "#FF9DA7",  # pink
    "#9C755F",  # brown
    "#17BECF",  # cyan
    "#BCBD22",  # olive
    "#8C6BB1",  # violet
)
UNANALYSED_COLOR = "#7F7F7F"
UNANALYSED_LABEL = "Unanalysed"

_ROMAN = ("II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII")


def cluster_color(cluster_id: int) -> str:
    """The colour of a cluster, the same in the TUI list, the map and the CLI table."""
    if cluster_id < 0:
        return UNANALYSED_COLOR
    return PALETTE[cluster_id % len(PALETTE)]


def level(value: float, bounds: tuple[float, float]) -> str:
    if value < bounds[0]:
        return "low"
    if value >= bounds[1]:
        return "high"
    return "mid"


def mood_word(energy: float, valence: float) -> str:
    """The energy x valence mood word of a centroid."""
    return MOOD_GRID[(level(energy, ENERGY_BOUNDS), level(valence, VALENCE_BOUNDS))]


@dataclass(frozen=True)
class MoodLabel:
    label: str
    reasons: tuple[str, ...]
    mood: str
    modifiers: tuple[str, ...]  # qualifying modifier words, strongest first


def _sd(feature: str, library_sd: Mapping[str, float] | None) -> float:
    value = (library_sd or {}).get(feature)
    if value is None or not math.isfinite(value) or value <= 1e-6:
        return DEFAULT_SD.get(feature, 1.0)
    return float(value)


def z_scores(
    centroid: Mapping[str, float],
    library_mean: Mapping[str, float],
    library_sd: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """How far each feature of ``centroid`` is from the library, in library SDs."""
    return {
        f: (centroid[f] - library_mean[f]) / _sd(f, library_sd)
        for f in centroid
        if f in library_mean
    }


def qualifying_modifiers(
    centroid: Mapping[str, float],
    library_mean: Mapping[str, float],
    library_sd: Mapping[str, float] | None = None,
) -> list[Modifier]:
    """Modifiers true of ``centroid``, most distinctive first (ties by vocabulary order)."""
    z = z_scores(centroid, library_mean, library_sd)
    found = []
    for order, m in enumerate(MODIFIERS):
        if m.feature not in centroid or m.feature not in z:
            continue
        value = centroid[m.feature]
        passes = value >= m.threshold if m.direction > 0 else value <= m.threshold
        zd = z[m.feature] * m.direction
        if passes and zd >= m.min_z:
            found.append((-(zd * m.priority), order, m))
    found.sort(key=lambda t: (t[0], t[1]))
    return [m for _, _, m in found]


def reason(feature: str, value: float, library: float) -> str:
    """One plain-words comparison of a centroid value with the library's."""
    if feature == "tempo":
        return f"tempo {value:.0f} BPM vs library {library:.0f}"
    if feature == "loudness":
        return f"loudness {value:.1f} dB vs library {library:.1f} dB"
    if feature in _RATIO_FEATURES and library >= 0.01 and value >= 2 * library:
        return f"{feature} {value:.2f}, {value / library:.1f}x library"
    return f"{feature} {value:.2f} vs library {library:.2f}"


def explain(
    centroid: Mapping[str, float],
    library_mean: Mapping[str, float],
    library_sd: Mapping[str, float] | None = None,
    words: tuple[str, ...] = (),
    limit: int = 5,
) -> tuple[str, ...]:
    """Reasons for a label: energy and valence (the mood word), then the features behind
    ``words``, then whatever else stands out most (|z| >= 1), up to ``limit`` lines."""
    z = z_scores(centroid, library_mean, library_sd)
    order = ["energy", "valence"]
    by_word = {m.word: m.feature for m in MODIFIERS}
    by_word.update({w: f for f, pair in CONTRAST_WORDS.items() for w in pair})
    for w in words:
        f = by_word.get(w)
        if f and f not in order:
            order.append(f)
    rest = sorted((f for f in z if f not in order and abs(z[f]) >= 1.0), key=lambda f: -abs(z[f]))
    order.extend(rest)
    return tuple(
        reason(f, centroid[f], library_mean[f])
        for f in order[:limit]
        if f in centroid and f in library_mean
    )


def _compose(mood: str, modifiers: list[str], prefix: str = "") -> str:
    return " ".join(w for w in (prefix, mood, *modifiers) if w)


def _still_true(label: str, mood: str, modifiers: list[str]) -> bool:
    """Whether an earlier label still describes a centroid (contrast prefixes excepted)."""
    words = [w for w in label.split() if w not in _ROMAN]
    if mood not in words:
        return False
    after = words[words.index(mood) + 1 :]
    return all(w in modifiers for w in after)


def label_clusters(
    centroids: Mapping[int, Mapping[str, float]],
    library_mean: Mapping[str, float],
    library_sd: Mapping[str, float] | None = None,
    sizes: Mapping[int, int] | None = None,
    previous: Mapping[int, str] | None = None,
) -> dict[int, MoodLabel]:
    """Unique labels and reasons for every cluster (centroids in raw feature units).

    ``previous`` maps cluster ids to the labels they had in the last run; they are kept
    when still true (see the module docstring).
    """
    sizes = sizes or {}
    previous = previous or {}
    ids = sorted(centroids, key=lambda c: (-sizes.get(c, 0), c))
    mood: dict[int, str] = {}
    mods: dict[int, list[str]] = {}
    for cid in ids:
        c = centroids[cid]
        mood[cid] = mood_word(c["energy"], c["valence"])
        mods[cid] = [m.word for m in qualifying_modifiers(c, library_mean, library_sd)]

    labels: dict[int, str] = {}
    fixed: set[int] = set()
    used_previous: set[str] = set()
    for cid in ids:
        old = previous.get(cid)
        if old and old not in used_previous and _still_true(old, mood[cid], mods[cid]):
            labels[cid] = old
            fixed.add(cid)
            used_previous.add(old)
    for cid in ids:
        if cid not in fixed:
            labels[cid] = _compose(mood[cid], mods[cid][:1])

    def groups() -> list[list[int]]:
        by: dict[str, list[int]] = {}
        for cid in ids:
            by.setdefault(labels[cid], []).append(cid)
        return [g for g in by.values() if len(g) > 1]

    # Step 1: a second modifier for clusters that share a label.
    for group in groups():
        for cid in group:
            if cid not in fixed and len(mods[cid]) > 1:
                labels[cid] = _compose(mood[cid], mods[cid][:2])

    # Step 2: a contrast word against the other members of the same label.
    for group in groups():
        for cid in group:
            if cid in fixed:
                continue
            others = [o for o in group if o != cid]
            words = labels[cid].split()
            best: tuple[float, str] | None = None
            for feature, (up, down) in CONTRAST_WORDS.items():
                if feature not in centroids[cid]:
                    continue
                mean_other = sum(centroids[o][feature] for o in others) / len(others)
                dz = (centroids[cid][feature] - mean_other) / _sd(feature, library_sd)
                word = up if dz > 0 else down
                if abs(dz) >= 0.3 and word not in words and (best is None or abs(dz) > best[0]):
                    best = (abs(dz), word)
            if best is not None:
                labels[cid] = f"{best[1]} {labels[cid]}"

    # Step 3: numerals, the biggest cluster (or the one that kept its label) goes without.
    taken = set(labels.values())
    for group in groups():
        keep = next((c for c in group if c in fixed), group[0])
        n = 0
        for cid in group:
            if cid == keep:
                continue
            while True:
                candidate = f"{labels[keep]} {_ROMAN[n]}"
                n += 1
                if candidate not in taken:
                    break
            labels[cid] = candidate
            taken.add(candidate)

    out: dict[int, MoodLabel] = {}
    for cid in ids:
        words = tuple(w for w in labels[cid].split() if w != mood[cid] and w not in _ROMAN)
        out[cid] = MoodLabel(
            label=labels[cid],
            reasons=explain(centroids[cid], library_mean, library_sd, words),
            mood=mood[cid],
            modifiers=tuple(mods[cid]),
        )
    return out

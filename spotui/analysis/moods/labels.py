"""Mood labels that are true of a cluster's tracks, not just of its average.

A centroid can sit where no track is: a cluster half ballads, half club tracks averages to
"mid energy". So every word of a label is a **claim about tracks** (:class:`Word`: a
condition on Spotify's absolute scales, e.g. "Instrumental" = instrumentalness >= 0.5, the bar
Spotify itself documents) and is used only when it holds for at least :data:`MIN_SHARE` of the
cluster's members. The rules the tests check:

1. **Mood word first**, from energy x valence: the most specific word that holds for the
   members (two-axis words such as "Euphoric" before one-axis ones such as "Energetic", then
   "Mellow" (energy below 0.60; soft words claim low energy) or "Steady" (0.45-0.75), the
   earlier word on a tie; "Mixed" when none does).
2. **One texture modifier** ("Acoustic", "Instrumental", "Dance", "Spoken", "Live", ...) when
   it holds for the members *and* stands out against the library: its share in the cluster is
   at least :data:`MIN_LIFT` above its share in the whole library. No modifier when there is
   only one cluster (it would describe the library, not a mood of it).
3. **Unique labels, one word order**: words always appear in vocabulary order, so "Energetic
   Instrumental" and "Instrumental Energetic" cannot both exist; clusters that would share a
   label get their next qualifying modifier, then a numeral (II, III) as a last resort.
4. **Stability**: a cluster that kept its id keeps its previous label while every word of it
   still holds and it stays unique.

Reasons give the numbers: "energy ≥ 0.60, valence ≥ 0.55: 72% of tracks (library 31%)". The share computation needs numpy and imports it inside :func:`word_shares`; the rest
of this module is pure Python because the TUI imports it (colours) before its first paint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: A word is used only when it holds for at least this share of the cluster's tracks.
MIN_SHARE = 0.60
#: A modifier must hold for this much more of the cluster than of the whole library.
MIN_LIFT = 0.20

#: Energy / valence bars of the mood words (Spotify's 0..1 scales).
ENERGY_HIGH, ENERGY_LOW = 0.60, 0.50
VALENCE_HIGH, VALENCE_LOW = 0.55, 0.40
#: "Mellow" holds for tracks below this energy.
SOFT_ENERGY = 0.60


@dataclass(frozen=True)
class Word:
    """A label word and the condition a track must meet for the word to be true of it.

    ``conditions`` are ``(feature, ">=" | "<", value)`` on Spotify's absolute scales; a track
    meets the word when it meets all of them. ``kind`` is "mood" (energy x valence, one per
    label, first) or "texture" (modifiers).
    """

    word: str
    kind: str
    conditions: tuple[tuple[str, str, float], ...]
    specificity: int = 1
    #: Ranks texture words of equal lift: timbre (Acoustic, Instrumental...) says more than
    #: tempo or loudness, which largely repeat energy.
    priority: float = 1.0

    def describe(self) -> str:
        parts = []
        for feature, op, value in self.conditions:
            unit = " BPM" if feature == "tempo" else " dB" if feature == "loudness" else ""
            shown = f"{value:.0f}" if feature in ("tempo", "loudness") else f"{value:.2f}"
            parts.append(f"{feature} {'≥' if op == '>=' else '<'} {shown}{unit}")
        return ", ".join(parts)


_E, _V = "energy", "valence"
#: The vocabulary, in label word order. Mood words: most specific first.
WORDS: tuple[Word, ...] = (
    Word("Euphoric", "mood", ((_E, ">=", ENERGY_HIGH), (_V, ">=", VALENCE_HIGH)), 3),
    Word("Intense", "mood", ((_E, ">=", ENERGY_HIGH), (_V, "<", VALENCE_LOW)), 3),
    Word("Serene", "mood", ((_E, "<", ENERGY_LOW), (_V, ">=", VALENCE_HIGH)), 3),
    Word("Melancholic", "mood", ((_E, "<", ENERGY_LOW), (_V, "<", VALENCE_LOW)), 3),
    Word("Energetic", "mood", ((_E, ">=", ENERGY_HIGH),), 2),
    Word("Calm", "mood", ((_E, "<", ENERGY_LOW),), 2),
    Word("Cheerful", "mood", ((_V, ">=", VALENCE_HIGH),), 2),
    Word("Moody", "mood", ((_V, "<", VALENCE_LOW),), 2),
    # Soft words claim low energy: a 0.7-energy track is not mellow to anyone. A cluster of
    # middling energy that is neither soft nor energetic is "Steady".
    Word("Mellow", "mood", ((_E, "<", SOFT_ENERGY),), 1),
    Word("Steady", "mood", ((_E, ">=", 0.45), (_E, "<", 0.75)), 1),
    Word("Acoustic", "texture", (("acousticness", ">=", 0.5),)),
    Word("Electric", "texture", (("acousticness", "<", 0.1),)),
    Word("Instrumental", "texture", (("instrumentalness", ">=", 0.5),)),
    Word("Vocal", "texture", (("instrumentalness", "<", 0.1),)),
    Word("Dance", "texture", (("danceability", ">=", 0.65),)),
    Word("Spoken", "texture", (("speechiness", ">=", 0.33),)),
    Word("Live", "texture", (("liveness", ">=", 0.8),)),
    Word("Fast", "texture", (("tempo", ">=", 130.0),), priority=0.7),
    Word("Slow", "texture", (("tempo", "<", 95.0),), priority=0.7),
    Word("Loud", "texture", (("loudness", ">=", -6.0),), priority=0.7),
    Word("Quiet", "texture", (("loudness", "<", -12.0),), priority=0.7),
)
WORD_BY_NAME: dict[str, Word] = {w.word: w for w in WORDS}
#: The mood word of a cluster none of the mood words is true of.
MIXED = "Mixed"

#: Contrast words, used only to tell apart clusters that would otherwise share a label
#: (common in a one-genre library, where no texture stands out against the library):
#: feature -> (word for above the library's median, word for below). A track meets the word
#: when it is on that side of the median; the word needs :data:`CONTRAST_SHARE` of the members.
CONTRAST_WORDS: dict[str, tuple[str, str]] = {
    "valence": ("Bright", "Dark"),
    "energy": ("Driving", "Gentle"),
    "danceability": ("Groovy", "Loose"),
    "acousticness": ("Organic", "Synthetic"),
    "tempo": ("Brisk", "Unhurried"),
    "loudness": ("Punchy", "Soft"),
}
CONTRAST_SHARE = 0.70

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


def word_shares(raw, cluster_of, columns: Sequence[str]) -> tuple[dict, dict]:
    """Share of each cluster's tracks (and of the library) that each word is true of.

    ``raw``: (n, len(columns)) array in original units; ``cluster_of``: the n cluster ids.
    Returns ``({cluster id: {word: share}}, {word: library share}))``.
    """
    import numpy as np

    raw = np.asarray(raw, dtype=np.float64)
    cluster_of = np.asarray(cluster_of)
    ids, inv = np.unique(cluster_of, return_inverse=True)
    counts = np.bincount(inv, minlength=len(ids)).astype(np.float64)
    per: dict[int, dict[str, float]] = {int(c): {} for c in ids}
    library: dict[str, float] = {}

    def add(word: str, ok: np.ndarray) -> None:
        library[word] = float(ok.mean()) if len(ok) else 0.0
        hits = np.bincount(inv, weights=ok.astype(np.float64), minlength=len(ids))
        for i, c in enumerate(ids):
            per[int(c)][word] = float(hits[i] / counts[i])

    for w in WORDS:
        if any(f not in columns for f, _, _ in w.conditions):
            continue
        ok = np.ones(len(raw), dtype=bool)
        for feature, op, value in w.conditions:
            col = raw[:, columns.index(feature)]
            ok &= col >= value if op == ">=" else col < value
        add(w.word, ok)
    for feature, (up, down) in CONTRAST_WORDS.items():
        if feature in columns and len(raw):
            col = raw[:, columns.index(feature)]
            median = float(np.median(col))
            library[f"median:{feature}"] = median
            add(up, col > median)
            add(down, col < median)
    return per, library


@dataclass(frozen=True)
class MoodLabel:
    label: str
    reasons: tuple[str, ...]
    mood: str
    modifiers: tuple[str, ...]  # qualifying texture words, most distinctive first


def mood_of(shares: Mapping[str, float]) -> str:
    """The most specific mood word true of at least :data:`MIN_SHARE` of the tracks."""
    found = [
        (w.specificity, shares.get(w.word, 0.0), -order, w.word)
        for order, w in enumerate(WORDS)
        if w.kind == "mood" and shares.get(w.word, 0.0) >= MIN_SHARE
    ]
    return max(found)[3] if found else MIXED


def modifiers_of(shares: Mapping[str, float], library: Mapping[str, float]) -> list[str]:
    """Texture words true of the tracks and distinctive against the library, best first."""
    found = []
    for order, w in enumerate(WORDS):
        s = shares.get(w.word, 0.0)
        lift = s - library.get(w.word, 0.0)
        if w.kind == "texture" and s >= MIN_SHARE and lift >= MIN_LIFT:
            found.append((-lift * w.priority, order, w.word))
    return [word for _, _, word in sorted(found)]


def compose(mood: str, modifiers: Sequence[str]) -> str:
    """A label from its words, always in vocabulary order (one order per set of words)."""
    order = {w.word: i for i, w in enumerate(WORDS)}
    return " ".join([mood, *sorted(modifiers, key=lambda m: order.get(m, len(order)))])


def reason(word: str, shares: Mapping[str, float], library: Mapping[str, float]) -> str:
    """Why ``word`` is in a label, with the numbers."""
    for feature, pair in CONTRAST_WORDS.items():
        if word in pair:
            side = "above" if word == pair[0] else "below"
            median = library.get(f"median:{feature}", 0.0)
            return (
                f"{feature} {side} library median {median:.2f}: "
                f"{shares.get(word, 0.0):.0%} of tracks"
            )
    w = WORD_BY_NAME[word]
    return (
        f"{w.describe()}: {shares.get(word, 0.0):.0%} of tracks "
        f"(library {library.get(word, 0.0):.0%})"
    )


def centroid_line(centroid: Mapping[str, float], library_mean: Mapping[str, float]) -> str:
    """Average energy and valence against the library's, for context."""
    fs = [f for f in ("energy", "valence") if f in centroid and f in library_mean]
    if not fs:
        return ""
    mine = ", ".join(f"{f} {centroid[f]:.2f}" for f in fs)
    lib = ", ".join(f"{library_mean[f]:.2f}" for f in fs)
    return f"average {mine} (library {lib})"


def _still_true(label: str, mood: str, shares: Mapping[str, float], library) -> bool:
    """Whether an earlier label still holds: its mood word is still true of at least
    :data:`MIN_SHARE` of the members (even if a more specific word now is too: a mood that
    kept its tracks keeps its name) and every modifier still does, with some lift."""
    words = [w for w in label.split() if w not in _ROMAN]
    if words and words[0] in _CONTRAST:
        if shares.get(words[0], 0.0) < CONTRAST_SHARE:
            return False
        words = words[1:]
    if not words:
        return False
    if words[0] != mood and (words[0] == MIXED or shares.get(words[0], 0.0) < MIN_SHARE):
        return False
    for w in words[1:]:
        s = shares.get(w, 0.0)
        if s < MIN_SHARE or s - library.get(w, 0.0) < MIN_LIFT / 2:
            return False
    return True


def label_clusters(
    shares: Mapping[int, Mapping[str, float]],
    library: Mapping[str, float],
    centroids: Mapping[int, Mapping[str, float]] | None = None,
    library_mean: Mapping[str, float] | None = None,
    sizes: Mapping[int, int] | None = None,
    previous: Mapping[int, str] | None = None,
) -> dict[int, MoodLabel]:
    """Unique labels and reasons for every cluster from its :func:`word_shares`.

    ``previous`` maps cluster ids to the labels they had in the last run; they are kept
    when still true (see the module docstring).
    """
    sizes = sizes or {}
    previous = previous or {}
    centroids = centroids or {}
    ids = sorted(shares, key=lambda c: (-sizes.get(c, 0), c))
    single = len(ids) == 1
    mood = {cid: mood_of(shares[cid]) for cid in ids}
    mods = {cid: [] if single else modifiers_of(shares[cid], library) for cid in ids}
    labels, used = _kept_labels(ids, previous, mood, shares, library)
    for cid in ids:
        if cid not in labels:
            used[cid] = mods[cid][:1]
            labels[cid] = compose(mood[cid], used[cid])
    _make_unique(ids, labels, used, mood, mods, set(previous) & set(labels), shares)
    out: dict[int, MoodLabel] = {}
    for cid in ids:
        out[cid] = MoodLabel(
            label=labels[cid],
            reasons=label_reasons(
                labels[cid], shares[cid], library, centroids.get(cid), library_mean
            ),
            mood=mood[cid],
            modifiers=tuple(mods[cid]),
        )
    return out


def _kept_labels(ids, previous, mood, shares, library) -> tuple[dict[int, str], dict]:
    """The earlier labels still true of their clusters (each at most once), and the words
    of each beyond its mood word."""
    labels: dict[int, str] = {}
    used: dict[int, list[str]] = {}
    for cid in ids:
        old = previous.get(cid)
        if old and old not in labels.values() and _still_true(old, mood[cid], shares[cid], library):
            labels[cid] = old
            used[cid] = [w for w in old.split() if w not in _ROMAN and w != mood[cid]]
    return labels, used


def label_reasons(
    label: str,
    shares: Mapping[str, float],
    library: Mapping[str, float],
    centroid: Mapping[str, float] | None = None,
    library_mean: Mapping[str, float] | None = None,
) -> tuple[str, ...]:
    """The numbers behind every word of ``label`` for the tracks it is given to now (a mood
    keeps its label between refits; its reasons say how true that still is)."""
    lines = []
    if centroid and library_mean:
        lines.append(centroid_line(centroid, library_mean))
    for word in label.split():
        if word in WORD_BY_NAME or word in _CONTRAST:
            lines.append(reason(word, shares, library))
    return tuple(x for x in lines if x)


_CONTRAST = {w for pair in CONTRAST_WORDS.values() for w in pair}


def _make_unique(ids, labels, used, mood, mods, kept, shares) -> None:
    """Second modifiers, then contrast words, then numerals, for colliding labels (in place)."""
    for group in _collisions(ids, labels):
        for cid in group[1:]:
            _add_modifier(cid, labels, used, mood, mods)
    for group in _collisions(ids, labels):
        for cid in group[1:]:
            _add_contrast(cid, labels, used, shares)
    taken = set(labels.values())
    for group in _collisions(ids, labels):
        _number_apart(group, labels, kept, taken)


def _collisions(ids, labels) -> list[list[int]]:
    """Clusters sharing a label, in ``ids`` order within each group."""
    by: dict[str, list[int]] = {}
    for cid in ids:
        by.setdefault(labels[cid], []).append(cid)
    return [g for g in by.values() if len(g) > 1]


def _add_modifier(cid, labels, used, mood, mods) -> None:
    """The cluster's next modifier that makes its label one nobody has (if any)."""
    extra = [m for m in mods[cid] if m not in used[cid]]
    taken = set(labels.values())
    for m in extra:
        candidate = compose(mood[cid], [*used[cid], m])
        if candidate not in taken:
            used[cid] = [*used[cid], m]
            labels[cid] = candidate
            return


def _add_contrast(cid, labels, used, shares) -> None:
    """The cluster's strongest contrast word that makes its label unique (if any)."""
    taken = set(labels.values())
    options = sorted(
        (w for w in _CONTRAST if shares[cid].get(w, 0.0) >= CONTRAST_SHARE),
        key=lambda w: (-shares[cid][w], w),
    )
    for w in options:
        if f"{w} {labels[cid]}" not in taken:
            used[cid] = [w, *used[cid]]
            labels[cid] = f"{w} {labels[cid]}"
            return


def _number_apart(group, labels, kept, taken: set[str]) -> None:
    """Numerals for what is still the same: the kept label (or the first) stays bare."""
    keep = next((c for c in group if c in kept), group[0])
    n = 0
    for cid in group:
        if cid == keep:
            continue
        while f"{labels[keep]} {_ROMAN[n]}" in taken:
            n += 1
        labels[cid] = f"{labels[keep]} {_ROMAN[n]}"
        taken.add(labels[cid])

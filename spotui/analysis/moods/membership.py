""" "Why is this track here": the track's own case, in words a listener can use.

A cluster's reasons describe most of its members; a given track may be a borderline case.
So the detail pane explains the *track*, from how far it sits from its own cluster's centre
and from the next nearest cluster's, in the analysis space the clusters were made in, and
from the features that decide between the two (those whose squared distance to the rival
centre exceeds the one to its own centre the most).

Distances in a scaled, weighted space mean nothing to a listener ("1.3 from the centre"), so
:func:`explain_membership` gives two blocks (:class:`Why`):

* ``words``, first: where the track sits ("Sits well inside Euphoric Vocal: ..." / "A
  borderline track: ..."), what puts it there rather than in the next nearest mood, on
  Spotify's own 0..1 scales ("more energy (0.81 vs 0.35 typical there)"), and where the track
  differs from its mood's label words ("Unlike most of Energetic Vocal, it is instrumental
  (instrumentalness 0.67)."; the words and their conditions are
  :data:`spotui.analysis.moods.labels.WORDS`).
* ``numbers``, for whoever wants them: the distances and the deciding features' values.

Missing features are skipped in the distances, rescaled to the whole weight, as the mood
model places such tracks (see spotui.analysis.moods.model). Pure Python on purpose: the detail
pane paints before numpy is imported. Everything it needs (the scaling and the centres) is
stored with the segmentation result's ``params``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spotui.analysis.moods.labels import WORD_BY_NAME, WORDS, Word
from spotui.core.feature_spec import (
    LOUDNESS_RANGE,
    SQRT_FEATURES,
    TEMPO_RANGE,
    format_value,
    unit_value,
)

#: Fixed ranges and square-rooted columns of ``spotui.analysis.matrix.to_unit``; the one
#: numpy-free copy, with ``unit_value``, is in feature_spec.
RANGES: dict[str, tuple[float, float]] = {"tempo": TEMPO_RANGE, "loudness": LOUDNESS_RANGE}
SQRT_COLUMNS: tuple[str, ...] = SQRT_FEATURES
#: Within this share of its own distance, the next cluster is "almost as close".
BORDERLINE = 0.15
#: The next cluster at least this many times as far as its own: "well inside".
WELL_INSIDE = 1.5

#: A deciding feature is named only when the track and the other mood's typical value are
#: this far apart on the 0..1 scale (0.02 vs 0.04 instrumentalness is no reason to a listener).
MIN_DIFFERENCE = 0.05

#: How a track differs from another mood's typical sound, per feature: (more, less).
COMPARE: dict[str, tuple[str, str]] = {
    "danceability": ("more danceable", "less danceable"),
    "energy": ("more energy", "less energy"),
    "valence": ("happier", "sadder"),
    "acousticness": ("more acoustic", "less acoustic"),
    "instrumentalness": ("more instrumental", "more vocal"),
    "speechiness": ("more speech", "less speech"),
    "liveness": ("more live-sounding", "less live-sounding"),
    "tempo": ("faster", "slower"),
    "loudness": ("louder", "quieter"),
}
#: A label word as the adjective of "it is ..." (the rest: the word in lower case).
ADJECTIVES: dict[str, str] = {"Dance": "danceable", "Spoken": "speech-like"}


@dataclass(frozen=True, slots=True)
class Why:
    """Why a track sits in its cluster: plain ``words`` first, the ``numbers`` behind them
    for whoever asks (the detail pane shows them dimmer, below the bars)."""

    words: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()


def explain_membership(features: Mapping[str, float | None], result) -> Why:
    """Why the track with ``features`` (and ``track_id``) sits in its cluster.

    ``result`` is a :class:`~spotui.analysis.moods.result.SegmentResult` whose params carry the
    scaling and centres (results stored before they did give an empty :class:`Why`).
    """
    space = _mood_space(result)
    if space is None:
        return Why()
    scaling, centers, columns = space
    x = _scaled(features, scaling, columns)
    present = [j for j, v in enumerate(x) if v is not None]
    if not present:
        return Why()
    dist = _distances(x, present, centers, scaling["weights"])
    own, rival = _own_and_rival(result, features.get("track_id", ""), dist)
    labels = {c.id: c.label for c in result.clusters}
    own_label, rival_label = str(labels.get(own, own)), str(labels.get(rival, rival))
    words = [placement(own_label, rival_label, dist[own], dist[rival])]
    numbers = [
        f"Distance in the mood space (scaled, weighted features): {dist[own]:.1f} to the "
        f"centre of {own_label}, {dist[rival]:.1f} to {rival_label}."
    ]
    deciding = _deciding(columns, x, present, centers[own], centers[rival])
    own_c, rival_c = _centroid(result, own), _centroid(result, rival)
    shown = _shown(features, deciding, own_c, rival_c)
    if shown:
        words.append(deciding_sentence(rival_label, shown))
        numbers += _typical_lines(shown, own_label, rival_label, own_c)
    unlike = unlike_sentence(own_label, features)
    if unlike:
        words.append(unlike)
    return Why(tuple(words), tuple(numbers))


def _mood_space(result) -> tuple[Mapping, dict[int, list[float]], list[str]] | None:
    """The scaling, centres and columns stored with ``result``; None when there is nothing
    to compare (one mood, or a result stored before they were)."""
    scaling = result.params.get("scaling") or {}
    centers = {int(k): v for k, v in (result.params.get("centers") or {}).items()}
    columns = scaling.get("columns") or []
    if not columns or len(centers) < 2:
        return None
    return scaling, centers, columns


def _typical_lines(
    shown: Sequence[tuple[str, float, float]],
    own_label: str,
    rival_label: str,
    own_c: Mapping[str, float | None],
) -> list[str]:
    """The numbers behind the deciding sentence: the track's value and each mood's typical."""
    return [
        f"{c} {format_value(c, v)}: typical in {own_label} {format_value(c, own_c[c])}, "
        f"in {rival_label} {format_value(c, r)}."
        for c, v, r in shown
    ]


def _scaled(
    features: Mapping[str, float | None], scaling: Mapping, columns: Sequence[str]
) -> list[float | None]:
    """The track in the model's space (unit, centred, spread, weighted); None = missing."""
    x: list[float | None] = []
    for j, c in enumerate(columns):
        u = unit_value(c, features.get(c))
        center, spread, w = scaling["center"][j], scaling["spread"][j], scaling["weights"][j]
        x.append(None if u is None or u != u else (u - center) / spread * w)
    return x


def _distances(
    x: Sequence[float | None],
    present: Sequence[int],
    centers: Mapping[int, Sequence[float]],
    weights: Sequence[float],
) -> dict[int, float]:
    """Distance to each centre over the features the track has, rescaled to the whole
    weight (as the model places it)."""
    full = sum(w * w for w in weights)
    rescale = full / max(sum(weights[j] ** 2 for j in present), 1e-12)
    return {
        cid: math.sqrt(sum((x[j] - v[j]) ** 2 for j in present) * rescale)
        for cid, v in centers.items()
    }


def _own_and_rival(result, track_id: str, dist: Mapping[int, float]) -> tuple[int, int]:
    """The track's mood (the nearest when it has none stored) and the next nearest."""
    own = result.assignments.get(track_id, None)
    own = own if own in dist else min(dist, key=dist.get)
    rival = min((c for c in dist if c != own), key=dist.get)
    return own, rival


def _deciding(
    columns: Sequence[str],
    x: Sequence[float | None],
    present: Sequence[int],
    o: Sequence[float],
    r: Sequence[float],
) -> list[str]:
    """The (at most two) features that most put the track with its own mood: on each, it
    is nearer its own centre than the rival centre is (far from both, it is no reason to
    be in either)."""
    gain = [((x[j] - r[j]) ** 2 - (x[j] - o[j]) ** 2, j) for j in present]
    return [
        columns[j]
        for g, j in sorted(gain, reverse=True)
        if g > 0 and (x[j] - o[j]) ** 2 < (r[j] - o[j]) ** 2
    ][:2]


def _shown(
    features: Mapping[str, float | None],
    deciding: Sequence[str],
    own_c: Mapping[str, float | None],
    rival_c: Mapping[str, float | None],
) -> list[tuple[str, float, float]]:
    """Deciding features worth saying: comparable in words, known for both moods, and
    different enough to hear."""
    return [
        (c, features[c], rival_c[c])
        for c in deciding
        if c in COMPARE
        and own_c.get(c) is not None
        and rival_c.get(c) is not None
        and abs(unit_value(c, features[c]) - unit_value(c, rival_c[c])) >= MIN_DIFFERENCE
    ]


def placement(own: str, rival: str, d_own: float, d_rival: float) -> str:
    """Where the track sits between its own mood and the next nearest, in words."""
    if d_rival < d_own * (1 - BORDERLINE):
        # GMM and agglomerative moods are shaped by all their tracks, not by a centre alone
        return (
            f"Nearer the typical sound of {rival} than of {own}; it is in {own} because a "
            "mood is shaped by all its tracks, not by its centre alone."
        )
    if d_rival < d_own:
        return f"A borderline track: as close to {rival} as to {own}."
    if d_rival - d_own <= BORDERLINE * d_own:
        return f"A borderline track: almost as close to {rival} as to {own}."
    if d_rival >= WELL_INSIDE * d_own:
        return (
            f"Sits well inside {own}: closer to its typical sound than to any other mood. "
            f"{rival} is the next nearest."
        )
    return (
        f"Sits in {own}: closer to its typical sound than to any other mood. "
        f"{rival} is the next nearest."
    )


def deciding_sentence(rival: str, shown: Sequence[tuple[str, float, float]]) -> str:
    """ "What puts it here rather than <rival>: more energy (0.81 vs 0.35 typical there)
    and less acoustic (0.05 vs 0.62)." from (feature, track value, rival's typical value)."""
    parts = []
    for i, (c, v, r) in enumerate(shown):
        more, less = COMPARE[c]
        there = " typical there" if i == 0 else ""
        parts.append(
            f"{more if v > r else less} ({format_value(c, v)} vs {format_value(c, r)}{there})"
        )
    return f"What puts it here rather than {rival}: {' and '.join(parts)}."


def unlike_sentence(label: str, features: Mapping[str, float | None]) -> str:
    """Where the track is not what its mood's label words say of most of the mood ("" when
    it is all of them): "Unlike most of Energetic Vocal, it is instrumental
    (instrumentalness 0.67)." A label word holds for most of a mood, not for every track."""
    parts: list[str] = []
    for name in label.split():
        word = WORD_BY_NAME.get(name)
        if word is None:  # contrast words (against a library median) and numerals
            continue
        for feature, op, bar in word.conditions:
            value = features.get(feature)
            if value is None or _meets(value, op, bar):
                continue
            part = f"{_unlike(word, feature, op, bar, value)} ({feature} {format_value(feature, value)})"
            if part not in parts:
                parts.append(part)
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Unlike most of {label}, it is {listed}."


def _meets(value: float, op: str, bar: float) -> bool:
    return value >= bar if op == ">=" else value < bar


def _adjective(word: Word) -> str:
    return ADJECTIVES.get(word.word, word.word.lower())


def _single(feature: str, op: str) -> list[Word]:
    return [w for w in WORDS if len(w.conditions) == 1 and w.conditions[0][:2] == (feature, op)]


def _unlike(word: Word, feature: str, op: str, bar: float, value: float) -> str:
    """What a track that fails ``word``'s condition on ``feature`` is, in a word: the
    opposite word when it is true of the track ("instrumental" for a "Vocal" mood's track
    at 0.67), else "not" the word of that condition ("not energetic")."""
    other = "<" if op == ">=" else ">="
    for w in _single(feature, other):
        if _meets(value, other, w.conditions[0][2]):
            return _adjective(w)
    same = [w for w in _single(feature, op) if w.conditions[0][2] == bar]
    return f"not {_adjective(same[0] if same else word)}"


#: Who gave a track's features, as the detail pane names them.
PROVIDER_NAMES = {"spotify": "Spotify", "reccobeats": "ReccoBeats", "demo": "the demo library"}


def provider_name(provider: str) -> str:
    """ "csv:<file>" -> "the CSV import <file>"; known providers by name."""
    if provider.startswith("csv"):
        name = provider.partition(":")[2]
        return f"the CSV import {name}" if name else "a CSV import"
    return PROVIDER_NAMES.get(provider, provider)


def feature_coverage(features: Mapping[str, float | None], provider: str) -> str:
    """Where the track's features came from and which of the nine mood features it lacks
    (a track is placed on the features it has; see spotui.analysis.moods.model)."""
    from spotui.core.feature_spec import MOOD_FEATURES

    missing = [c for c in MOOD_FEATURES if features.get(c) is None]
    source = f"Features from {provider_name(provider)}"
    if not missing:
        return source + "."
    if "energy" in missing or "valence" in missing:
        return (
            f"{source}; no {' or '.join(c for c in ('energy', 'valence') if c in missing)}, "
            "which every mood is made of, so it is not in a mood."
        )
    have = len(MOOD_FEATURES) - len(missing)
    return f"{source}; missing {', '.join(missing)}: placed on the {have} it has."


def _centroid(result, cluster_id: int) -> dict[str, float]:
    for c in result.clusters:
        if c.id == cluster_id:
            return c.centroid
    return {}

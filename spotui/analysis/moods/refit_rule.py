"""When stored moods are made again: the refit rule, its reasons, and what changed.

Why apart from :mod:`spotui.analysis.moods.model`: the rule needs no numpy, and both faces
read it at start-up (the TUI checks ``[moods]`` in config.toml before its first paint, where
numpy costs ~0.1 s). The model places tracks; this module decides whether the moods it holds
still describe the library (see :class:`RefitRules` for the rule and its defaults).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spotui.analysis.moods.model import MoodModel


@dataclass(frozen=True)
class RefitRules:
    """When stored moods no longer describe the library (``[moods]`` in config.toml).

    Defaults, and why:

    * ``growth`` 0.30: the library grew or shrank by more than 30% of the tracks the moods
      were fitted on. Below that the fit's centres still describe the bulk of it; a listener
      syncing 50 songs a week gets new moods about every three months at 1,000 tracks.
    * ``far_share`` 0.25 of the tracks placed since the fit (once at least ``far_min`` = 20
      were) sit farther from every centre than ``far_quantile`` (0.95) of the fit's own
      tracks sat from theirs. Tracks like the old ones fall there 5% of the time; a quarter is
      five times that: a new kind of music has arrived that no mood is about.
    * ``max_share`` 0.50: one mood holds more than half the library (the fit admits at most
      0.40, so this is the limit plus hysteresis: a few tracks over 40% do not refit).
    * a mood lost all its tracks.
    * ``words_floor`` 0.50: a mood's label words hold for fewer than half its tracks (a
      label is given only while they hold for 60%, so again a band of hysteresis).
    """

    growth: float = 0.30
    far_share: float = 0.25
    far_min: int = 20
    far_quantile: float = 0.95
    max_share: float = 0.50
    words_floor: float = 0.50

    @classmethod
    def from_config(cls, table: object) -> tuple[RefitRules, list[str]]:
        """The rules from a ``[moods]`` table and a list of problems (each names the key and
        says what was used instead): a wrong value never stops spotui."""
        if table is None:
            return cls(), []
        if not isinstance(table, Mapping):
            return cls(), ["[moods] must be a table; using the defaults"]
        problems: list[str] = []
        values = {}
        known = {f.name for f in fields(cls)}
        for key, value in table.items():
            if key not in known:
                problems.append(f"[moods] {key} is not a setting; ignored")
            elif not _valid(key, value):
                problems.append(
                    f"[moods] {key} = {value!r} is not valid; using {getattr(cls, key)}"
                )
            else:
                values[key] = int(value) if key == "far_min" else float(value)
        return cls(**values), problems


#: What a ``[moods]`` value must be, by key (the rest: a share, 0 < value <= 1).
_VALID_VALUE: dict[str, Callable[[float], bool]] = {
    "far_min": lambda v: float(v).is_integer() and v >= 1,  # a count of tracks
    "growth": lambda v: v > 0,  # a change, may exceed 100%
}


def _valid(key: str, value: object) -> bool:
    """Whether ``value`` may be used for ``key`` (a number, never a bool, in its range)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    return _VALID_VALUE.get(key, lambda v: 0 < v <= 1)(value)


@dataclass(frozen=True)
class RefitReason:
    """Why the moods were made again: a code the tests and ``--json`` use, and a sentence."""

    code: str  # asked, k, method, growth, shrink, far, emptied, size, words, version, first
    text: str

    def as_dict(self) -> dict:
        return asdict(self)


def refit_reason(
    model: MoodModel,
    rules: RefitRules,
    n_now: int,
    sizes: Mapping[int, int],
    labels: Mapping[int, str],
    word_share: Mapping[int, float],
) -> RefitReason | None:
    """Why the stored moods no longer describe the library, or None (see :class:`RefitRules`).

    ``sizes``: tracks per mood after placing; ``word_share``: the share of each mood's tracks
    its label words hold for (the lowest over its words).
    """
    checks = (
        lambda: _grown(model, rules, n_now),
        lambda: _far(model, rules),
        lambda: _emptied(model, sizes, labels),
        lambda: _oversized(rules, sizes, labels),
        lambda: _words_fail(rules, word_share, labels),
    )
    return next((r for r in (check() for check in checks) if r is not None), None)


def _grown(model: MoodModel, rules: RefitRules, n_now: int) -> RefitReason | None:
    if model.n_fit <= 0:
        return None
    change = (n_now - model.n_fit) / model.n_fit
    if abs(change) <= rules.growth:
        return None
    grew = "grew" if change > 0 else "shrank"
    return RefitReason(
        "growth" if change > 0 else "shrink",
        f"Your library {grew} by {abs(change):.0%} since these moods were made "
        f"({model.n_fit:,} → {n_now:,} tracks), so they were made again.",
    )


def _far(model: MoodModel, rules: RefitRules) -> RefitReason | None:
    placed, far = model.placed_since_fit, model.far_since_fit
    if placed >= rules.far_min and far / placed > rules.far_share:
        return RefitReason(
            "far",
            f"{far / placed:.0%} of the {placed:,} tracks added since these moods were made "
            "sound unlike all of them, so the moods were made again.",
        )
    return None


def _emptied(
    model: MoodModel, sizes: Mapping[int, int], labels: Mapping[int, str]
) -> RefitReason | None:
    for cid in sorted(model.centers):
        if sizes.get(cid, 0) == 0:
            return RefitReason(
                "emptied",
                f"“{labels.get(cid, cid)}” lost all its tracks, so the moods were made again.",
            )
    return None


def _oversized(
    rules: RefitRules, sizes: Mapping[int, int], labels: Mapping[int, str]
) -> RefitReason | None:
    total = sum(sizes.values())
    if not total or len(sizes) <= 1:
        return None
    for cid, size in sorted(sizes.items()):
        if size / total > rules.max_share:
            return RefitReason(
                "size",
                f"“{labels.get(cid, cid)}” grew to {size / total:.0%} of your library (more "
                f"than {rules.max_share:.0%}), so the moods were made again.",
            )
    return None


def _words_fail(
    rules: RefitRules, word_share: Mapping[int, float], labels: Mapping[int, str]
) -> RefitReason | None:
    for cid, share in sorted(word_share.items()):
        if share < rules.words_floor:
            return RefitReason(
                "words",
                f"The words of “{labels.get(cid, cid)}” now hold for only {share:.0%} of its "
                "tracks, so the moods were made again.",
            )
    return None


def label_word_share(
    labels: Mapping[int, str], shares: Mapping[int, Mapping[str, float]]
) -> dict[int, float]:
    """For each mood, the lowest share of its tracks that one of its label's words holds for
    (words without a share, such as numerals, are skipped; no word: 1.0)."""
    out = {}
    for cid, label in labels.items():
        own = shares.get(cid, {})
        values = [own[w] for w in label.split() if w in own]
        out[cid] = min(values) if values else 1.0
    return out


def summarise_new(new_by_mood: Mapping[str, int], limit: int = 4) -> str:
    """ "60 new tracks: 25 joined Euphoric, 20 Calm Acoustic, 15 Mellow" (largest first)."""
    total = sum(new_by_mood.values())
    if not total:
        return ""
    head = f"{total:,} new track{'s' if total != 1 else ''}"
    parts = sorted(new_by_mood.items(), key=lambda kv: (-kv[1], kv[0]))
    if len(parts) == 1:
        return f"{head} joined {parts[0][0]}"
    shown = [f"{n:,} {label}" for label, n in parts[:limit]]
    rest = sum(n for _, n in parts[limit:])
    if rest:
        shown.append(f"{rest:,} elsewhere")
    first_n, first_label = parts[0][1], parts[0][0]
    return f"{head}: {first_n:,} joined {first_label}" + "".join(f", {p}" for p in shown[1:])

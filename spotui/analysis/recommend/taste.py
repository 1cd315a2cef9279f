"""Playlists as taste: which tracks the user keeps together, blended with the content score.

Why: the content scorer knows only how tracks sound. The user's own playlists say which
tracks *they* put together, whatever the sound (a workout mix of metal and EDM, a
soundtrack), and tracks saved in the same week often belong to one discovery. Both are
"baskets" here; a candidate that shares baskets with the seeds is scored by co-occurrence:

* ``link(seed, c)`` is the largest weight of a basket holding both (a playlist 1.0, a
  saved-together week :data:`SAVED_WEEK_WEIGHT`), damped for huge baskets (a 2,000-track
  "everything" playlist says little about any pair: weight x min(1, 100 / size));
* ``cooccurrence(c)`` is the mean link over the seeds, capped at 1: the share of the seeds
  the candidate is kept with, counted only when it is kept with at least two of them
  (:data:`MIN_SUPPORT`; one seed alone is enough for one-seed queries): a single shared
  saved week is chance.

The recommender blends ``(1 - w) * content + w * cooccurrence`` (:func:`blend`), over the
content shortlist *and* the co-occurring tracks, so a track the user keeps with the seeds
can be found even when it sounds different. ``w`` (:data:`DEFAULT_TASTE_WEIGHT`) was
measured with ``benchmarks/hybrid.py`` on held-out playlist membership (see the README).

Numpy-free and pure: the session hands in the playlists and saved dates
(:func:`spotui.session.recommend_store.taste`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

#: Weight of a playlist basket and of a saved-together week.
PLAYLIST_WEIGHT = 1.0
SAVED_WEEK_WEIGHT = 0.5
#: Baskets larger than this count proportionally less per pair.
BIG_BASKET = 100
#: A track must be kept with at least this many of the seeds (all of them when fewer):
#: one shared saved week is chance, not taste (benchmarks/hybrid.py, "5 seeds" rows).
MIN_SUPPORT = 2
#: Blend weight of co-occurrence against the content score, chosen on the tune half of
#: benchmarks/hybrid.py (0.3 / 0.5 / 0.7 / 0.9 tried; 0.9 best on every metric there).
#: Content then orders the tracks kept with the seeds, and everything else.
DEFAULT_TASTE_WEIGHT = 0.9


@dataclass(frozen=True, slots=True)
class Basket:
    """Tracks the user keeps together: a playlist (``playlist:<id>``) or a saved week."""

    key: str
    weight: float
    track_ids: tuple[str, ...]

    @property
    def pair_weight(self) -> float:
        return self.weight * min(1.0, BIG_BASKET / max(len(self.track_ids), 1))


def saved_weeks(saved: Iterable[tuple[str, str | None]]) -> list[Basket]:
    """Saved tracks grouped by the ISO week they were saved in (weeks of 2+ tracks)."""
    weeks: dict[str, list[str]] = {}
    for track_id, added_at in saved:
        if not added_at:
            continue
        try:
            year, week, _ = date.fromisoformat(added_at[:10]).isocalendar()
        except ValueError:
            continue
        weeks.setdefault(f"saved:{year}-W{week:02d}", []).append(track_id)
    return [
        Basket(key, SAVED_WEEK_WEIGHT, tuple(sorted(ids)))
        for key, ids in sorted(weeks.items())
        if len(ids) > 1
    ]


class Cooccurrence:
    """An index of baskets by track, answering "which tracks are kept with these seeds"."""

    def __init__(self, baskets: Iterable[Basket]) -> None:
        self.baskets = [b for b in baskets if len(b.track_ids) > 1]
        self._of_track: dict[str, list[int]] = {}
        for i, b in enumerate(self.baskets):
            for t in dict.fromkeys(b.track_ids):
                self._of_track.setdefault(t, []).append(i)

    @classmethod
    def from_lists(
        cls,
        playlists: Mapping[str, Sequence[str]],
        saved: Iterable[tuple[str, str | None]],
    ) -> Cooccurrence:
        """The user's baskets: each playlist they own (id -> track ids) and the weeks their
        saved tracks were saved in (``(track_id, added_at)``)."""
        baskets = [
            Basket(f"playlist:{pid}", PLAYLIST_WEIGHT, tuple(ids))
            for pid, ids in sorted(playlists.items())
        ]
        return cls([*baskets, *saved_weeks(saved)])

    def __len__(self) -> int:
        return len(self.baskets)

    def scores(
        self, seed_ids: Sequence[str], exclude: Iterable[str] = (), min_support: int = MIN_SUPPORT
    ) -> dict[str, float]:
        """Co-occurrence score 0..1 of every track kept with at least ``min_support`` seeds
        (all of them when there are fewer; seeds themselves left out). Baskets whose key is
        in ``exclude`` are not used."""
        skip = set(exclude)
        seeds = list(dict.fromkeys(seed_ids))
        seed_set = set(seeds)
        total: dict[str, float] = {}
        support: dict[str, int] = {}
        for s in seeds:
            link: dict[str, float] = {}
            for bi in self._of_track.get(s, ()):
                b = self.baskets[bi]
                if b.key in skip:
                    continue
                w = b.pair_weight
                for c in b.track_ids:
                    if c not in seed_set and link.get(c, 0.0) < w:
                        link[c] = w
            for c, w in link.items():
                total[c] = total.get(c, 0.0) + w
                support[c] = support.get(c, 0) + 1
        n = max(len(seeds), 1)
        need = min(min_support, n)
        return {c: min(1.0, v / n) for c, v in total.items() if support[c] >= need}


def blend(content, cooccurrence, weight: float = DEFAULT_TASTE_WEIGHT):
    """The hybrid score: ``(1 - weight) * content + weight * cooccurrence`` (floats or arrays)."""
    return (1.0 - weight) * content + weight * cooccurrence


def kept_with(share: float, n_seeds: int) -> str:
    """The start of a reason for a track kept with the seeds ("" for none)."""
    if share <= 0:
        return ""
    if n_seeds == 1:
        return "in your playlists with the seed; "
    if share >= 0.995:
        return f"in your playlists with all {n_seeds} seeds; "
    return f"in your playlists with {share:.0%} of the seeds; "


def taste_rows(
    taste: Mapping[str, float] | None,
    index: Mapping[str, int],
    allowed: Callable[[int], bool],
    m: int,
) -> dict[int, float]:
    """The ``m`` pool rows kept most with the seeds (``allowed`` ones only) -> co-occurrence;
    equal shares in pool order."""
    found = [(v, index[t]) for t, v in (taste or {}).items() if v > 0 and t in index]
    found = sorted((-v, r) for v, r in found if allowed(r))
    return {r: -v for v, r in found[:m]}

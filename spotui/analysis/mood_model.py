"""The mood model: what a fit produced, kept so the moods stay put as the library grows.

Why a model at all: re-clustering after every sync re-chose k and refitted every track, so a
sync of 60 songs relabelled a third of a real listener's library (measured: 37% per sync on
1,673 tracks, k going 6, 8, 8, 7, 4, 7). A listener learns their moods ("Calm Acoustic is
my evening"); that only holds if a mood is a fixed thing the library is sorted *into*.

So a fit (:func:`spotui.analysis.segment.compute`) is stored with everything needed to place
more tracks the same way: the scaling that made the analysis space (per-column centre,
spread and weight), the centre of every mood in that space, k, the method, whether the user
chose k, when and on how many tracks it was fitted, and how far the fit's own tracks sit
from their centres (the :attr:`MoodModel.far_distance` quantile). After a sync or an import:

* a track already in a mood **keeps it** unless its own features changed (each assignment
  stores a signature of the features it was made from);
* a new track (or one whose features changed) **joins the nearest mood**, measured over the
  features it has: distance on the present dimensions, rescaled by the share of the weight
  they carry, so a track with 5 of the 9 features is placed, not left out. The minimum is
  :data:`PLACE_MINIMUM` (energy and valence: the two axes every mood word is made of);
* :func:`refit_reason` decides whether the moods still describe the library; only then (or
  when the user asks) are they made again. The rule and its defaults are
  :class:`RefitRules`, overridable in ``config.toml`` under ``[moods]``.

Numpy only, no scikit-learn: placing 60 tracks into a 20,000-track library is a few matrix
products (see benchmarks/mood_stability.py for the measured time against a full refit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from spotui.analysis.matrix import MOOD_FEATURES, to_unit

#: Features a track must have to be placed in a mood: every mood word is a claim about
#: energy and valence, so a track without them cannot be said to have a mood.
PLACE_MINIMUM: tuple[str, ...] = ("energy", "valence")
_MASK64 = (1 << 64) - 1


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
        known = {f.name: f for f in fields(cls)}
        for key, value in table.items():
            f = known.get(key)
            if f is None:
                problems.append(f"[moods] {key} is not a setting; ignored")
                continue
            default = getattr(cls, key)
            ok_type = isinstance(value, int | float) and not isinstance(value, bool)
            if key == "far_min":
                ok = ok_type and float(value).is_integer() and value >= 1
            else:
                ok = ok_type and 0 < value <= 1 if key != "growth" else ok_type and value > 0
            if not ok:
                problems.append(f"[moods] {key} = {value!r} is not valid; using {default}")
                continue
            values[key] = int(value) if key == "far_min" else float(value)
        return cls(**values), problems


@dataclass(frozen=True)
class RefitReason:
    """Why the moods were made again: a code the tests and ``--json`` use, and a sentence."""

    code: str  # asked, k, method, growth, shrink, far, emptied, size, words, version, first
    text: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class MoodModel:
    """A stored fit: the analysis space and the mood centres in it."""

    method: str
    requested_k: int | None
    columns: tuple[str, ...]
    center: np.ndarray
    spread: np.ndarray
    weights: np.ndarray
    centers: dict[int, np.ndarray]
    n_fit: int
    fitted_at: str = ""
    far_distance: float | None = None
    placed_since_fit: int = 0
    far_since_fit: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def k(self) -> int:
        return len(self.centers)

    @classmethod
    def from_params(cls, params: Mapping, method: str, requested_k: int | None) -> MoodModel | None:
        """The model stored in a result's params (None when they hold no centres: a result
        made before models were stored, or one that was not split)."""
        scaling = params.get("scaling") or {}
        centers = params.get("centers") or {}
        columns = tuple(scaling.get("columns") or ())
        if not centers or columns != MOOD_FEATURES:
            return None
        info = params.get("model") or {}
        return cls(
            method=method,
            requested_k=requested_k,
            columns=columns,
            center=np.asarray(scaling["center"], dtype=np.float64),
            spread=np.asarray(scaling["spread"], dtype=np.float64),
            weights=np.asarray(scaling["weights"], dtype=np.float64),
            centers={int(c): np.asarray(v, dtype=np.float64) for c, v in centers.items()},
            n_fit=int(info.get("n_fit") or params.get("n_analysed") or 0),
            fitted_at=str(info.get("fitted_at", "")),
            far_distance=info.get("far_distance"),
            placed_since_fit=int(info.get("placed_since_fit", 0)),
            far_since_fit=int(info.get("far_since_fit", 0)),
        )

    def info(self) -> dict:
        """What :meth:`from_params` reads back from ``params["model"]``."""
        return {
            "n_fit": self.n_fit,
            "fitted_at": self.fitted_at,
            "far_distance": self.far_distance,
            "placed_since_fit": self.placed_since_fit,
            "far_since_fit": self.far_since_fit,
        }

    # ------------------------------------------------------------------ placing
    def scale(self, raw: np.ndarray) -> np.ndarray:
        """Raw rows (original units, NaN = missing) in this model's analysis space (NaN kept)."""
        raw = np.atleast_2d(np.asarray(raw, dtype=np.float64))
        unit = np.column_stack([to_unit(c, raw[:, j]) for j, c in enumerate(self.columns)])
        return (unit - self.center) / self.spread * self.weights

    def distances(self, raw: np.ndarray) -> tuple[list[int], np.ndarray]:
        """Cluster ids and the ``(n, k)`` distances of raw rows to every centre, over each
        row's present features, rescaled to the whole weight (see the module docstring)."""
        x = self.scale(raw)
        present = ~np.isnan(x)
        x0 = np.where(present, x, 0.0)
        ids = sorted(self.centers)
        c = np.stack([self.centers[i] for i in ids]) if ids else np.zeros((0, x.shape[1]))
        m = present.astype(np.float64)
        d2 = (x0**2).sum(axis=1)[:, None] - 2.0 * x0 @ c.T + m @ (c**2).T
        w2 = self.weights**2
        rescale = w2.sum() / np.maximum(m @ w2, 1e-12)
        return ids, np.sqrt(np.maximum(d2, 0.0) * rescale[:, None])

    def place(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The nearest mood of each raw row and its distance (ties: the lowest id)."""
        ids, d = self.distances(raw)
        if len(raw) == 0 or not ids:
            return np.zeros(0, dtype=int), np.zeros(0)
        j = np.argmin(d, axis=1)
        return np.asarray(ids)[j], d[np.arange(len(d)), j]

    def measure_fit(self, raw: np.ndarray, cluster_of: np.ndarray, quantile: float) -> None:
        """Record how far the fitted tracks sit from their own centres (the yardstick of the
        "far from every mood" rule)."""
        ids, d = self.distances(raw)
        if not len(raw):
            return
        col = {cid: j for j, cid in enumerate(ids)}
        own = d[np.arange(len(d)), [col[int(c)] for c in cluster_of]]
        self.far_distance = round(float(np.quantile(own, quantile)), 5)


def placeable(full: np.ndarray) -> np.ndarray:
    """Rows of an ``(n, 9)`` raw array (MOOD_FEATURES order, NaN = missing) that have
    :data:`PLACE_MINIMUM`."""
    cols = [MOOD_FEATURES.index(c) for c in PLACE_MINIMUM]
    return ~np.isnan(np.asarray(full)[:, cols]).any(axis=1)


def signatures(full: np.ndarray) -> np.ndarray:
    """A 63-bit signature of each raw row: an assignment is kept while its track's features
    still have the signature it was made from (values rounded to 6 places; NaN counts)."""
    full = np.asarray(full, dtype=np.float64)
    if not len(full):
        return np.zeros(0, dtype=np.int64)
    r = np.round(full, 6)
    r = np.where(np.isnan(r), -7777.0, r) + 0.0  # + 0.0: -0.0 and 0.0 sign the same
    bits = np.ascontiguousarray(r).view(np.uint64).reshape(len(r), -1)
    mult = np.array(
        [(0x9E3779B97F4A7C15 ^ (j * 0xBF58476D1CE4E5B9)) & _MASK64 for j in range(bits.shape[1])],
        dtype=np.uint64,
    )
    with np.errstate(over="ignore"):
        h = (bits * mult).sum(axis=1, dtype=np.uint64)
        h ^= h >> np.uint64(29)
    return (h >> np.uint64(1)).astype(np.int64)


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
    if model.n_fit > 0:
        change = (n_now - model.n_fit) / model.n_fit
        if abs(change) > rules.growth:
            grew = "grew" if change > 0 else "shrank"
            return RefitReason(
                "growth" if change > 0 else "shrink",
                f"Your library {grew} by {abs(change):.0%} since these moods were made "
                f"({model.n_fit:,} → {n_now:,} tracks), so they were made again.",
            )
    placed, far = model.placed_since_fit, model.far_since_fit
    if placed >= rules.far_min and far / placed > rules.far_share:
        return RefitReason(
            "far",
            f"{far / placed:.0%} of the {placed:,} tracks added since these moods were made "
            "sound unlike all of them, so the moods were made again.",
        )
    for cid in sorted(model.centers):
        if sizes.get(cid, 0) == 0:
            return RefitReason(
                "emptied",
                f"“{labels.get(cid, cid)}” lost all its tracks, so the moods were made again.",
            )
    total = sum(sizes.values())
    for cid, size in sorted(sizes.items()):
        if total and len(sizes) > 1 and size / total > rules.max_share:
            return RefitReason(
                "size",
                f"“{labels.get(cid, cid)}” grew to {size / total:.0%} of your library (more "
                f"than {rules.max_share:.0%}), so the moods were made again.",
            )
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
    parts = sorted(new_by_mood.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = [f"{n} {label}" for label, n in parts[:limit]]
    rest = sum(n for _, n in parts[limit:])
    if rest:
        shown.append(f"{rest} elsewhere")
    head = f"{total} new track{'s' if total != 1 else ''}"
    return f"{head}: {shown[0].split(' ', 1)[0]} joined {shown[0].split(' ', 1)[1]}" + (
        ", " + ", ".join(shown[1:]) if len(shown) > 1 else ""
    )


def sum_by(values: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out

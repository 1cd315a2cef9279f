"""What the TUI holds in memory: the library's rows for the table, and views over them.

Why a separate module: the track table, the cluster list and the map all look at the same
rows through a *view* (which tracks, filtered by what, sorted how). Keeping the rows in
plain lists and one flat float32 ``array.array``, and computing views as index lists, keeps
a 100k-track library cheap (a few MB) and makes filtering and sorting testable without
Textual. numpy is not imported until a feature column is sorted: the rows are read before
the first paint, and importing numpy there (~0.1 s holding the GIL) delayed it. No
Textual imports here, and nothing that decides anything about music: clusters come from
the segmentation result, this module only looks them up.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spotui.analysis.order.camelot import Camelot, camelot, key_label
from spotui.core.feature_spec import LABELS

if TYPE_CHECKING:  # numpy is imported where it is used, off the start-up path
    import numpy as np

#: Feature columns shown in the track table, in order: (feature, header, width).
TABLE_FEATURES: tuple[tuple[str, str, int], ...] = tuple(
    (f, LABELS[f], width)
    for f, width in (
        ("energy", 6),
        ("valence", 7),
        ("danceability", 5),
        ("acousticness", 8),
        ("tempo", 4),
    )
)

#: What is read per row: the feature columns, then key and mode (the Camelot column).
ROW_COLUMNS: tuple[str, ...] = (*(f for f, _, _ in TABLE_FEATURES), "key", "mode")
_KEY, _MODE = len(TABLE_FEATURES), len(TABLE_FEATURES) + 1

#: Sort keys in table-column order: "title", "artists", the feature names, then "key"
#: (Camelot: by wheel number, then A before B).
SORT_KEYS: tuple[str, ...] = ("title", "artists", *(f for f, _, _ in TABLE_FEATURES), "key")
#: Sort key -> its label (status line, help screen), in SORT_KEYS order.
SORT_LABELS: dict[str, str] = (
    {"title": "Title", "artists": "Artists"} | {f: h for f, h, _ in TABLE_FEATURES} | {"key": "Key"}
)
#: Sorts that start ascending (A to Z, 1A to 12B); the others start with the most.
ASCENDING_FIRST: frozenset[str] = frozenset({"title", "artists", "key"})


@dataclass
class LibraryRows:
    """Every library track as parallel columns (row i is one track)."""

    ids: list[str]
    titles: list[str]
    artists: list[str]
    #: Row-major ``len(ids) x len(ROW_COLUMNS)`` float32 values, NaN where missing.
    values: array
    _index: dict[str, int] = field(default_factory=dict, repr=False)
    _haystack: list[str] = field(default_factory=list, repr=False)
    _features: np.ndarray | None = field(default=None, repr=False)

    @property
    def features(self) -> np.ndarray:
        """``(n, len(ROW_COLUMNS))`` float32 view of :attr:`values` (imports numpy)."""
        if self._features is None:
            import numpy as np

            self._features = np.frombuffer(self.values, dtype=np.float32).reshape(
                len(self.ids), len(ROW_COLUMNS)
            )
        return self._features

    def row_features(self, i: int) -> array:
        """Row ``i``'s table features as floats (NaN where missing), in TABLE_FEATURES order."""
        w = len(ROW_COLUMNS)
        return self.values[i * w : i * w + len(TABLE_FEATURES)]

    def camelot(self, i: int) -> Camelot | None:
        """Row ``i``'s key on the Camelot wheel; None when key or mode is missing (never
        guessed: a wrong key would be mixed on)."""
        key_mode = self._key_mode(i)
        return None if key_mode is None else camelot(*key_mode)

    def key_label(self, i: int, named: bool = True) -> str | None:
        """Row ``i``'s key as the table shows it: "8B · C major" (``named``) or "8B"; None
        when key or mode is missing."""
        key_mode = self._key_mode(i)
        if key_mode is None:
            return None
        if named:
            return key_label(*key_mode)
        code = camelot(*key_mode)
        return None if code is None else str(code)

    def _key_mode(self, i: int) -> tuple[int, int] | None:
        w = len(ROW_COLUMNS)
        key, mode = self.values[i * w + _KEY], self.values[i * w + _MODE]
        if key != key or mode != mode:  # NaN: no features, or none stored
            return None
        return int(key), int(mode)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def index(self) -> dict[str, int]:
        if len(self._index) != len(self.ids):
            self._index = {tid: i for i, tid in enumerate(self.ids)}
        return self._index

    @property
    def haystack(self) -> list[str]:
        """Lower-cased "title artists" per row, what ``/`` filters on."""
        if len(self._haystack) != len(self.ids):
            self._haystack = [
                f"{t} {a}".casefold() for t, a in zip(self.titles, self.artists, strict=True)
            ]
        return self._haystack

    def rows_for(self, track_ids: Sequence[str]) -> list[int]:
        """Row numbers of ``track_ids`` that are in the library, in the order given."""
        index = self.index
        return [index[t] for t in track_ids if t in index]

    def view(
        self,
        rows: Sequence[int] | None,
        query: str = "",
        sort_key: str | None = None,
        descending: bool = False,
    ) -> list[int]:
        """Row numbers of ``rows`` (None = all) matching ``query``, sorted by ``sort_key``.

        Every whitespace-separated word of the query must occur in the title or artists.
        Numeric sorts put tracks without the feature last in either direction.
        """
        picked = list(range(len(self.ids))) if rows is None else list(rows)
        words = query.casefold().split()
        if words:
            hay = self.haystack
            picked = [i for i in picked if all(w in hay[i] for w in words)]
        if not sort_key or not picked:
            return picked
        if sort_key in ("title", "artists"):
            col = self.titles if sort_key == "title" else self.artists
            return sorted(picked, key=lambda i: col[i].casefold(), reverse=descending)
        import numpy as np

        idx = np.asarray(picked, dtype=np.int64)
        if sort_key == "key":
            values = _camelot_rank(self.features[idx, _KEY], self.features[idx, _MODE])
        else:
            values = self.features[idx, SORT_KEYS.index(sort_key) - 2].astype(np.float64)
        missing = np.isnan(values)
        keyed = np.where(missing, np.inf, -values if descending else values)
        order = np.argsort(keyed, kind="stable")
        return idx[order].tolist()


def _camelot_rank(key: np.ndarray, mode: np.ndarray) -> np.ndarray:
    """Each row's place on the Camelot wheel as a number to sort on (1A = 2, 1B = 3, ...,
    12B = 25), NaN where key or mode is missing: the wheel as :func:`camelot` walks it."""
    import numpy as np

    k, m = key.astype(np.float64), mode.astype(np.float64)
    ok = (k >= 0) & (k <= 11) & ((m == 0) | (m == 1))
    k, m = np.where(ok, k, 0).astype(np.int64), np.where(ok, m, 0).astype(np.int64)
    major = np.where(m == 1, k, (k + 3) % 12)
    number = (7 * major + 7) % 12 + 1
    return np.where(ok, 2 * number + m, np.nan)

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

#: Sort keys in table-column order: "title", "artists", then the feature names.
SORT_KEYS: tuple[str, ...] = ("title", "artists", *(f for f, _, _ in TABLE_FEATURES))
#: Sort key -> its label (status line, help screen), in SORT_KEYS order.
SORT_LABELS: dict[str, str] = {"title": "Title", "artists": "Artists"} | {
    f: h for f, h, _ in TABLE_FEATURES
}


@dataclass
class LibraryRows:
    """Every library track as parallel columns (row i is one track)."""

    ids: list[str]
    titles: list[str]
    artists: list[str]
    #: Row-major ``len(ids) x len(TABLE_FEATURES)`` float32 values, NaN where missing.
    values: array
    _index: dict[str, int] = field(default_factory=dict, repr=False)
    _haystack: list[str] = field(default_factory=list, repr=False)
    _features: np.ndarray | None = field(default=None, repr=False)

    @property
    def features(self) -> np.ndarray:
        """``(n, len(TABLE_FEATURES))`` float32 view of :attr:`values` (imports numpy)."""
        if self._features is None:
            import numpy as np

            self._features = np.frombuffer(self.values, dtype=np.float32).reshape(
                len(self.ids), len(TABLE_FEATURES)
            )
        return self._features

    def row_features(self, i: int) -> array:
        """Row ``i``'s table features as floats (NaN where missing), in TABLE_FEATURES order."""
        w = len(TABLE_FEATURES)
        return self.values[i * w : (i + 1) * w]

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

        j = SORT_KEYS.index(sort_key) - 2
        idx = np.asarray(picked, dtype=np.int64)
        values = self.features[idx, j].astype(np.float64)
        missing = np.isnan(values)
        keyed = np.where(missing, np.inf, -values if descending else values)
        order = np.argsort(keyed, kind="stable")
        return idx[order].tolist()

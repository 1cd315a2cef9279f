"""One CSV row at a time: every cell checked, every row turned into a track record.

Why a module of its own: these checks are the importer's contract with hostile files.
Every number must be finite and inside its documented range
(:data:`~spotui.core.feature_spec.FEATURE_RANGES`, a duration of more than 0 and less than
24 h); anything else raises :class:`~spotui.core.errors.ImportFormatError` naming file, line,
column and the allowed range. The hot path is one ``float()``/``int()`` and one range
comparison per cell (NaN fails every comparison, so it costs nothing extra); the slow path
only runs to explain what is wrong. Text cells that ``spotui export`` prefixed with ``'``
against spreadsheet formulas (:func:`spotui.core.untrusted.csv_cell`) lose that ``'`` here, so
an exported title reads back exactly.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from spotui.core.errors import ImportFormatError
from spotui.core.feature_spec import (
    CSV_ALIASES,
    FEATURE_NAMES,
    FEATURE_RANGES,
    INT_FEATURES,
    MAX_DURATION_MS,
    NOT_DETECTED,
)
from spotui.core.records import Track
from spotui.core.untrusted import from_csv_cell
from spotui.spotify.ids import parse_track_id

#: The cells that hold names (and other outside text), where ``spotui export`` put a ``'``
#: in front of a formula-like start (:func:`spotui.core.untrusted.csv_cell`).
_TEXT_CELLS = ("name", "artists", "album", "genres", "release_date", "isrc")


@dataclass(frozen=True)
class Layout:
    """A recognised CSV layout: its name and how to split artist and genre lists."""

    name: str
    artist_sep: str
    genre_sep: str | None


EXPORTIFY = Layout("exportify", ",", ",")
KAGGLE = Layout("kaggle", ";", None)
PLAIN = Layout("plain", ",", ",")


@dataclass(slots=True)
class Entry:
    """One track of the current batch: its record, first line, features and their digest."""

    track: Track
    line: int
    #: ``(track id, provider, *FEATURE_NAMES values)`` or None, as the store writes it
    features: tuple | None
    sig: int | None
    artist_ids: tuple[str, ...]
    #: the line ``features`` came from (the first of this batch that had any)
    feature_line: int = 0
    #: (line, digest) of later rows of this batch with features: each is checked against
    #: the features the track keeps (None until a track is listed twice, the common case)
    more: list[tuple[int, int]] | None = None

    def feature_rows(self) -> list[tuple[int, int]]:
        """(line, digest) of every row of this batch that had features, in file order."""
        if self.sig is None:
            return []
        return [(self.feature_line, self.sig), *(self.more or ())]


@dataclass
class Counts:
    """What the whole file held beyond its tracks (for the summary's warnings)."""

    rows: int = 0
    skipped_local: int = 0
    not_detected: int = 0
    conflicts: int = 0
    #: (line, track id, line it was first listed on) of the first conflicting row
    first_conflict: tuple[int, str, int] | None = None

    def conflict(self, line: int, tid: str, first_line: int) -> None:
        self.conflicts += 1
        if self.first_conflict is None or line < self.first_conflict[0]:
            self.first_conflict = (line, tid, first_line)


def _local_id(name: str, artists: str) -> str:
    digest = hashlib.sha1(f"{name.lower()}\x1f{artists.lower()}".encode()).hexdigest()[:20]
    return f"local:{digest}"


def _split(value: str, sep: str | None) -> tuple[str, ...]:
    """A stripped cell split into its non-empty parts (a hot path: one call per cell)."""
    if not value:
        return ()
    if sep is None:
        return (value,)
    parts = value.split(sep)
    if len(parts) == 1:
        return (value,)
    return tuple(filter(None, map(str.strip, parts)))


def _unquote_text_cells(cells: dict[str, str]) -> None:
    """Undo the ``'`` that ``spotui export`` put before a formula-like start, in place."""
    for key in _TEXT_CELLS:
        if key in cells:
            cells[key] = from_csv_cell(cells[key])


def _artist_ids(value: str) -> tuple[str, ...]:
    """Bare ids from a cell of ids or ``spotify:artist:`` URIs."""
    ids = _split(value, ",")
    return tuple(i.rsplit(":", 1)[-1] for i in ids) if ids else ()


def _span(name: str) -> str:
    lo, hi = FEATURE_RANGES[name]
    return f"{lo:g}..{hi:g}"


def _columns(lowered: list[str]) -> dict[str, int | None]:
    """Each field's column: the first of its aliases the header has (None when absent)."""

    def find(field_name: str) -> int | None:
        for alias in CSV_ALIASES[field_name]:
            if alias in lowered:
                return lowered.index(alias)
        return None

    return {f: find(f) for f in CSV_ALIASES}


def _require_identity(cols: dict[str, int | None], where: str) -> None:
    """A row must name its track: by id, or by name and artist (a plain list)."""
    if cols["id"] is None and (cols["name"] is None or cols["artists"] is None):
        missing = "name" if cols["name"] is None else "artist"
        raise ImportFormatError(where, f"missing required column ({missing})", 1)


def _feature_items(lowered: list[str]) -> list[tuple]:
    """Everything the hot path needs per feature column, looked up once per file."""
    snake = [h.replace(" ", "_") for h in lowered]
    return [
        (n, snake.index(n), *FEATURE_RANGES[n], n in INT_FEATURES, NOT_DETECTED.get(n))
        for n in FEATURE_NAMES
        if n in snake
    ]


def _cell_reader(cols: dict[str, int | None]) -> tuple[list[str], Callable]:
    """The present fields' names and one ``itemgetter`` taking their cells from a row (a
    single call per row, always a tuple)."""
    present = [(f, i) for f, i in cols.items() if i is not None]
    getter = itemgetter(*(i for _, i in present))
    cells = getter if len(present) > 1 else lambda row: (getter(row),)
    return [f for f, _ in present], cells


class Rows:
    """Validates rows of one file and collects them into a batch of :class:`Entry`.

    A track listed on several lines (the Kaggle dataset lists a track once per genre)
    becomes one entry with all genres; features come from its first line that has any, and
    every later line with different features is counted as a conflict (never silently
    taken) when the batch is written.
    """

    def __init__(
        self, path: Path, header: list[str], layout: Layout, where: str | None = None
    ) -> None:
        """``where``: how errors name the file (``export.zip: Liked Songs.csv`` for a
        member of a zip); ``str(path)`` by default."""
        lowered = [h.strip().lower() for h in header]
        self.cols = cols = _columns(lowered)
        _require_identity(cols, where or str(path))
        #: (feature, column index, low, high, whole number?, "not detected" value)
        self.feature_items = _feature_items(lowered)
        self._names, self._cells = _cell_reader(cols)
        self._all_features = len(self.feature_items) == len(FEATURE_NAMES)
        self.path, self.header, self.layout = path, header, layout
        self.where = where or str(path)
        #: the features this file has a column for
        self.features_present = frozenset(item[0] for item in self.feature_items)
        self.width = len(header)
        self.provider = f"csv:{layout.name}"
        self.batch: dict[str, Entry] = {}
        self.counts = Counts()

    def error(self, message: str, line: int, index: int | None = None) -> ImportFormatError:
        column = self.header[index] if index is not None else None
        return ImportFormatError(self.where, message, line, column)

    def add(self, row: list[str], line: int) -> None:
        """Check one row and merge it into the batch (raises on any bad cell)."""
        self.counts.rows += 1
        if len(row) != self.width:
            raise self.error(f"expected {len(self.header)} fields, found {len(row)}", line)
        cells = dict(zip(self._names, map(str.strip, self._cells(row)), strict=True))
        raw_id = cells.get("id", "")
        if raw_id.startswith("spotify:local:"):
            self.counts.skipped_local += 1
            return
        if "'" in "".join(row):  # one look per row (~0.2 µs); a "'" is rare in most rows
            _unquote_text_cells(cells)
        name = cells.get("name", "")
        artists = _split(cells.get("artists", ""), self.layout.artist_sep)
        tid = self._track_id(raw_id, name, artists, line)
        duration = self._duration(cells.get("duration_ms", ""), line)
        genres = _split(cells.get("genres", ""), self.layout.genre_sep)
        if len(genres) > 1:  # "pop,pop" is one genre
            genres = tuple(dict.fromkeys(genres))
        features, sig = self._features(tid, row, line) if self.feature_items else (None, None)
        old = self.batch.get(tid)
        if old is not None:
            self._merge(old, genres, features, sig, line)
            return
        get = cells.get
        track = Track(  # positional: id, name, artists, album, duration, release, genres, isrc
            tid, name, artists, get("album", ""), duration,
            get("release_date") or None, genres, get("isrc") or None,
        )  # fmt: skip
        artist_ids = _artist_ids(get("artist_ids", ""))
        self.batch[tid] = Entry(track, line, features, sig, artist_ids, line)

    def _merge(
        self, old: Entry, genres: tuple[str, ...], features: tuple | None, sig, line: int
    ) -> None:
        if genres and not set(genres) <= set(old.track.genres):
            merged = tuple(dict.fromkeys(old.track.genres + genres))
            old.track = dataclasses.replace(old.track, genres=merged)
        if features is None:
            return
        if old.features is None:
            old.features, old.sig, old.feature_line = features, sig, line
        elif old.more is None:
            old.more = [(line, sig)]
        else:
            old.more.append((line, sig))

    def take_batch(self) -> dict[str, Entry]:
        batch, self.batch = self.batch, {}
        return batch

    def _track_id(self, raw_id: str, name: str, artists: tuple[str, ...], line: int) -> str:
        if self.cols["id"] is not None and raw_id:
            tid = parse_track_id(raw_id)
            if tid is None:
                raise self.error(
                    f"{raw_id!r} is not a Spotify track id, URI or link", line, self.cols["id"]
                )
            return tid
        if name and artists and self.layout is PLAIN:
            return _local_id(name, ", ".join(artists))
        where = self.cols["id"] if self.cols["id"] is not None else self.cols["name"]
        raise self.error("empty track id", line, where)

    def _duration(self, value: str, line: int) -> int | None:
        if not value:
            return None
        try:
            ms = int(value)
        except ValueError:
            ms = self._number(value, line, self.cols["duration_ms"])
            ms = round(ms) if ms == ms and abs(ms) != float("inf") else ms
        if isinstance(ms, int) and 0 < ms < MAX_DURATION_MS:
            return ms
        raise self.error(
            f"{value!r} is not a duration: it must be more than 0 and less than "
            f"{MAX_DURATION_MS} ms (24 h)",
            line,
            self.cols["duration_ms"],
        )

    def _features(self, tid: str, row: list[str], line: int) -> tuple[tuple | None, int | None]:
        """``((tid, provider, *FEATURE_NAMES values), digest)``, or ``(None, None)`` when the
        row has no feature values; tuples, not Features objects, because building one frozen
        dataclass per row cost a third of parsing a large file."""
        values: list[float | int | None] = []
        for n, i, lo, hi, whole, unknown in self.feature_items:
            v = row[i]
            try:  # the fast path; _cell explains whatever it rejects
                x = int(v) if whole else float(v)
            except ValueError:
                x = self._cell(v, n, i, line)
            else:
                if not lo <= x <= hi:  # False for NaN too
                    x = self._cell(v, n, i, line)
            if unknown is not None and x == unknown:
                self.counts.not_detected += 1
                x = None
            values.append(x)
        if values.count(None) == len(values):
            return None, None
        if not self._all_features:
            values = self._in_feature_order(values)
        row_values = (tid, self.provider, *values)
        return row_values, hash(row_values)

    def _in_feature_order(self, values: list[float | int | None]) -> list[float | int | None]:
        """The store writes every feature in FEATURE_NAMES order, None where the file has
        no column for it."""
        given = dict(zip((item[0] for item in self.feature_items), values, strict=True))
        return [given.get(n) for n in FEATURE_NAMES]

    def _number(self, value: str, line: int, index: int | None) -> float:
        try:
            return float(value)
        except ValueError:
            raise self.error(f"{value.strip()!r} is not a number", line, index) from None

    def _cell(self, value: str, name: str, index: int, line: int) -> float | int | None:
        """A cell the fast path rejected: None when empty, else its value or a clear error."""
        value = value.strip()
        if not value:
            return None
        number = self._number(value, line, index)
        if number != number or number in (float("inf"), float("-inf")):
            raise self.error(f"{value!r} is not a finite number", line, index)
        lo, hi = FEATURE_RANGES[name]
        if not lo <= number <= hi:
            raise self.error(f"{value!r} is outside the allowed range {_span(name)}", line, index)
        if name in INT_FEATURES:
            if not number.is_integer():
                raise self.error(f"{value!r} is not a whole number", line, index)
            return int(number)
        return number

"""CSV import: Exportify exports, the Kaggle "Spotify Tracks Dataset", or a plain list.

Why parse everything before writing anything: a user importing a 100k-row file must never
end up with half of it. The whole file is decoded, validated and turned into records
first; only then does one transaction write them. Any problem raises
:class:`~spotui.errors.ImportFormatError` naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from spotui.errors import ImportFormatError
from spotui.feature_spec import CSV_ALIASES, FEATURE_NAMES, INT_FEATURES
from spotui.model import Features, Track
from spotui.progress import Progress, no_progress
from spotui.spotify.ids import parse_track_id

_INT_FEATURES = frozenset(INT_FEATURES)  # a set: checked per cell of a 100k-row file
_INF = float("inf")


@dataclass(frozen=True)
class Layout:
    """A recognised CSV layout: its name and how to split artist and genre lists."""

    name: str
    artist_sep: str
    genre_sep: str | None


EXPORTIFY = Layout("exportify", ",", ",")
KAGGLE = Layout("kaggle", ";", None)
PLAIN = Layout("plain", ",", ",")


@dataclass
class ImportResult:
    path: str
    layout: str
    kind: str
    rows: int
    tracks: int
    new_tracks: int
    with_features: int
    features_kept: int = 0
    skipped_local: int = 0
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "layout": self.layout,
            "kind": self.kind,
            "rows": self.rows,
            "tracks": self.tracks,
            "new_tracks": self.new_tracks,
            "with_features": self.with_features,
            "features_kept": self.features_kept,
            "skipped_local_files": self.skipped_local,
        }

    def summary(self) -> str:
        where = "your library" if self.kind == "library" else "the recommendation catalog"
        parts = [
            f"Imported {self.tracks} tracks ({self.new_tracks} new) from {self.path} "
            f"[{self.layout} layout] into {where}; {self.with_features} with audio features."
        ]
        if self.features_kept:
            parts.append(
                f"{self.features_kept} tracks kept the features they already had from a provider."
            )
        if self.skipped_local:
            parts.append(f"Skipped {self.skipped_local} local files (not on Spotify).")
        return " ".join(parts)


def detect_layout(header: list[str]) -> Layout | None:
    names = {h.strip().lower() for h in header}
    if "track uri" in names and "artist name(s)" in names:
        return EXPORTIFY
    if {"track_id", "artists", "track_name", "track_genre"} <= names:
        return KAGGLE
    has_id = any(a in names for a in CSV_ALIASES["id"])
    has_name = any(a in names for a in CSV_ALIASES["name"])
    has_artist = any(a in names for a in CSV_ALIASES["artists"])
    if has_id or (has_name and has_artist):
        return PLAIN
    return None


def _local_id(name: str, artists: str) -> str:
    digest = hashlib.sha1(f"{name.lower()}\x1f{artists.lower()}".encode()).hexdigest()[:20]
    return f"local:{digest}"


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFormatError(
            str(path), f"not valid UTF-8 text (byte {exc.start}); save the file as UTF-8", line
        ) from exc


def _split(value: str, sep: str | None) -> tuple[str, ...]:
    if not value.strip():
        return ()
    if sep is None:
        return (value.strip(),)
    return tuple(p.strip() for p in value.split(sep) if p.strip())


def parse_csv(path: str | Path, progress: Progress = no_progress) -> ParsedCSV:
    """Parse and validate a whole file into a :class:`ParsedCSV` without touching the store.

    Tracks appearing on several lines (the Kaggle dataset lists a track once per genre)
    are merged: one track, all genres, features from the first line.
    """
    path = Path(path)
    reader, header, layout = _open(path)
    rows = _Rows(path, header, layout)
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            line = reader.line_num
            rows.add(row, line)
            if line % 5000 == 0:
                progress(line, 0, f"read {line} lines")
    except csv.Error as exc:
        raise ImportFormatError(str(path), f"malformed CSV ({exc})", reader.line_num) from exc
    return rows.parsed()


def _open(path: Path):
    """A csv reader past the header, the header, and the layout it shows."""
    if not path.is_file():
        raise ImportFormatError(str(path), "no such file")
    text = _decode(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFormatError(str(path), "the file is empty", 1) from None
    except csv.Error as exc:
        raise ImportFormatError(str(path), f"malformed CSV ({exc})", 1) from exc
    layout = detect_layout(header)
    if layout is None:
        raise ImportFormatError(
            str(path),
            "unknown layout: expected an Exportify export, the Kaggle Spotify Tracks Dataset, "
            "or a CSV with a track id/URI column or name and artist columns",
            1,
        )
    return reader, header, layout


class _Rows:
    """The records of one file, built row by row (every problem names its line and column)."""

    def __init__(self, path: Path, header: list[str], layout: Layout) -> None:
        lowered = [h.strip().lower() for h in header]

        def find(field_name: str) -> int | None:
            for alias in CSV_ALIASES[field_name]:
                if alias in lowered:
                    return lowered.index(alias)
            return None

        self.cols = cols = {f: find(f) for f in CSV_ALIASES}
        if cols["id"] is None and (cols["name"] is None or cols["artists"] is None):
            missing = "name" if cols["name"] is None else "artist"
            raise ImportFormatError(str(path), f"missing required column ({missing})", 1)
        snake = [h.replace(" ", "_") for h in lowered]
        self.feature_items = [(n, snake.index(n)) for n in FEATURE_NAMES if n in snake]
        self.present = [(f, i) for f, i in cols.items() if i is not None]
        self.path, self.header, self.layout = path, header, layout
        self.provider = f"csv:{layout.name}"
        self.tracks: dict[str, Track] = {}
        self.artist_ids: dict[str, tuple[str, ...]] = {}
        self.features: dict[str, Features] = {}
        self.skipped_local = 0
        self.data_rows = 0

    def _error(self, message: str, line: int, field_name: str | None = None) -> ImportFormatError:
        idx = self.cols.get(field_name) if field_name else None
        return ImportFormatError(
            str(self.path), message, line, self.header[idx] if idx is not None else None
        )

    def add(self, row: list[str], line: int) -> None:
        self.data_rows += 1
        if len(row) != len(self.header):
            raise self._error(f"expected {len(self.header)} fields, found {len(row)}", line)
        cells = {f: row[i].strip() for f, i in self.present}
        raw_id = cells.get("id", "")
        name = cells.get("name", "")
        artists = _split(cells.get("artists", ""), self.layout.artist_sep)
        if raw_id.startswith("spotify:local:"):
            self.skipped_local += 1
            return
        tid = self._track_id(raw_id, name, artists, line)
        if not name and tid not in self.tracks:
            raise self._error("empty track name", line, "name")
        self._add_track(tid, cells, name, artists, line)
        if self.feature_items and tid not in self.features:
            self._add_features(tid, row, line)

    def _track_id(self, raw_id: str, name: str, artists: tuple[str, ...], line: int) -> str:
        if self.cols["id"] is not None and raw_id:
            tid = parse_track_id(raw_id)
            if tid is None:
                raise self._error(f"{raw_id!r} is not a Spotify track id, URI or link", line, "id")
            return tid
        if name and artists and self.layout is PLAIN:
            return _local_id(name, ", ".join(artists))
        raise self._error("empty track id", line, "id" if self.cols["id"] is not None else "name")

    def _add_track(
        self, tid: str, cells: dict[str, str], name: str, artists: tuple[str, ...], line: int
    ) -> None:
        duration = _parse_int(
            cells.get("duration_ms", ""), self.path, line, self.header, self.cols["duration_ms"]
        )
        genres = _split(cells.get("genres", ""), self.layout.genre_sep)
        old = self.tracks.get(tid)
        if old is not None:
            merged = tuple(dict.fromkeys(old.genres + genres))
            self.tracks[tid] = dataclasses.replace(old, genres=merged)
            return
        self.tracks[tid] = Track(
            id=tid,
            name=name,
            artists=artists,
            album=cells.get("album", ""),
            duration_ms=duration,
            release_date=cells.get("release_date") or None,
            genres=genres,
            isrc=cells.get("isrc") or None,
        )
        ids = _split(cells.get("artist_ids", ""), ",")
        if ids:
            self.artist_ids[tid] = tuple(i.rsplit(":", 1)[-1] for i in ids)

    def _add_features(self, tid: str, row: list[str], line: int) -> None:
        values = {}
        for n, i in self.feature_items:
            v = row[i]
            try:  # fast path; the slow one explains what is wrong
                values[n] = float(v) if n not in _INT_FEATURES else int(v)
            except ValueError:
                values[n] = _parse_number(v, n, self.path, line, self.header[i])
            else:
                if values[n] != values[n] or values[n] in (_INF, -_INF):
                    values[n] = _parse_number(v, n, self.path, line, self.header[i])
        if any(v is not None for v in values.values()):
            self.features[tid] = Features(track_id=tid, provider=self.provider, **values)

    def parsed(self) -> ParsedCSV:
        return ParsedCSV(
            self.layout,
            list(self.tracks.values()),
            list(self.features.values()),
            self.skipped_local,
            self.artist_ids,
            self.data_rows,
        )


@dataclass
class ParsedCSV:
    layout: Layout
    tracks: list[Track]
    features: list[Features]
    skipped_local: int
    artist_ids: dict[str, tuple[str, ...]]
    rows: int


def _parse_number(value: str, name: str, path: Path, line: int, column: str) -> float | int | None:
    value = value.strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ImportFormatError(str(path), f"{value!r} is not a number", line, column) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ImportFormatError(str(path), f"{value!r} is not a finite number", line, column)
    if name in _INT_FEATURES:
        if not number.is_integer():
            raise ImportFormatError(str(path), f"{value!r} is not a whole number", line, column)
        return int(number)
    return number


def _parse_int(value: str, path: Path, line: int, header: list[str], idx: int | None) -> int | None:
    if not value:
        return None
    try:
        return int(float(value))
    except ValueError:
        raise ImportFormatError(
            str(path), f"{value!r} is not a number", line, header[idx] if idx is not None else None
        ) from None


def import_csv(
    store,
    path: str | Path,
    kind: str = "library",
    progress: Progress = no_progress,
) -> ImportResult:
    """Import a CSV into ``store`` as ``kind`` ('library' or 'catalog'), all or nothing.

    Features already given by a network provider (Spotify, ReccoBeats) are kept: a CSV is
    the last link of the provider chain. Re-importing the same file changes nothing.
    """
    if kind not in ("library", "catalog"):
        raise ValueError(f"kind must be 'library' or 'catalog', not {kind!r}")
    parsed = parse_csv(path, progress)
    layout, tracks, features = parsed.layout, parsed.tracks, parsed.features
    ids = [t.id for t in tracks]
    providers = store.feature_state(ids)  # stored ids -> provider of their features
    usable = [
        f
        for f in features
        if providers.get(f.track_id) is None or providers[f.track_id].startswith("csv:")
    ]
    total = len(tracks)
    progress(0, total, "writing")
    with store.bulk():
        store.upsert_tracks(tracks, artist_ids=parsed.artist_ids)
        store.upsert_features(usable, record_lookups=False)
        store.add_imports(ids, kind, str(Path(path).name))
    progress(total, total, "done")
    return ImportResult(
        path=str(path),
        layout=layout.name,
        kind=kind,
        rows=parsed.rows,
        tracks=total,
        new_tracks=total - len(providers),
        with_features=len(features),
        features_kept=len(features) - len(usable),
        skipped_local=parsed.skipped_local,
    )

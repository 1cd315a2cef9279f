"""CSV import: Exportify exports, the Kaggle "Spotify Tracks Dataset", or a plain list.

Why stream inside one transaction: a user importing a 100k-row file must never end up
with half of it, and a 300 MB file must not need gigabytes of memory (reading it whole
peaked at 10x its size). The file is read in batches of rows; each batch is checked
(:mod:`spotui.sources.csv_rows`) and written, all inside one transaction that any problem
rolls back. Problems raise :class:`~spotui.core.errors.ImportFormatError` naming the file, the
line and the column; nothing is imported.

Why the csv module and not pandas' chunked C reader: every error must name the physical
line of the bad cell, quoted fields may span lines, and a cell must be checked as the text
the user wrote ('1e999', a 20-digit key); csv's ``line_num`` gives exactly that, and the
whole import stays within a few times pandas' parse-only time (benchmarks/import_csv.py).

Why gzip and zip are read directly: real datasets ship gzipped (the Kaggle sample is a
``.csv.gz``) and exportify.net's "export all" gives a zip of one CSV per playlist; asking the
user to unpack them first was the first thing a newcomer hit. The container is recognised
by its first bytes, not its name (a downloaded ``tracks.csv`` may well be gzipped). A zip's
CSV files are imported in one transaction, all or nothing, and an error names the member.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from spotui.core.errors import ImportFormatError
from spotui.core.feature_spec import CSV_ALIASES, MOOD_FEATURES
from spotui.core.progress import Progress, no_progress
from spotui.core.records import Track
from spotui.core.text import count, number
from spotui.sources.csv_rows import EXPORTIFY, KAGGLE, PLAIN, Counts, Entry, Layout, Rows

__all__ = ["EXPORTIFY", "KAGGLE", "PLAIN", "ImportResult", "Layout", "detect_layout"]
__all__ += ["import_csv", "path_problem"]

#: Rows checked and written at a time: big enough that per-batch queries are cheap, small
#: enough that a batch's records stay a few MB.
BATCH_ROWS = 20_000

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with files; an empty zip


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
    #: feature values Spotify uses for "not detected" (tempo 0, ...), stored as missing
    not_detected: int = 0
    #: rows repeating a track with audio features different from its first line's
    conflicts: int = 0
    warnings: list[str] = field(default_factory=list)
    #: the CSV files of a zip, in the order imported (empty for a single file)
    files: list[str] = field(default_factory=list)
    #: mood features (MOOD_FEATURES order) with no column in the file (in some file of a zip)
    missing_features: list[str] = field(default_factory=list)

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
            "not_detected_values": self.not_detected,
            "conflicting_rows": self.conflicts,
            "warnings": list(self.warnings),
            "files": list(self.files),
            "missing_features": list(self.missing_features),
        }

    def summary(self) -> str:
        where = "your library" if self.kind == "library" else "the recommendation catalog"
        source = self.path
        if self.files:
            n = len(self.files)
            source += f" ({count(n, 'CSV file')})"
        parts = [
            f"Imported {count(self.tracks, 'track')} ({number(self.new_tracks)} new) from "
            f"{source} [{self.layout} layout] into {where}; {number(self.with_features)} with "
            "audio features."
        ]
        if len(self.missing_features) == len(MOOD_FEATURES):
            parts.append(
                "No audio-feature columns: features are looked up from Spotify or ReccoBeats "
                "after a sync."
            )
        elif self.missing_features:
            parts.append(
                f"No column for: {', '.join(self.missing_features)} (these tracks have no "
                "values for them)."
            )
        if self.features_kept:
            parts.append(
                f"{count(self.features_kept, 'track')} kept the features they already had from a "
                "provider."
            )
        if self.skipped_local:
            parts.append(f"Skipped {count(self.skipped_local, 'local file')} (not on Spotify).")
        parts.extend(f"Warning: {w}" for w in self.warnings)
        return " ".join(parts)


def detect_layout(header: list[str]) -> Layout | None:
    names = {h.strip().lower() for h in header}
    if "track uri" in names and "artist name(s)" in names:
        return EXPORTIFY
    if {"track_id", "artists", "track_name", "track_genre"} <= names:
        return KAGGLE
    if _has(names, "id") or (_has(names, "name") and _has(names, "artists")):
        return PLAIN
    return None


def _has(names: set[str], field_name: str) -> bool:
    """Whether the header has a column for the field under any of its aliases."""
    return any(a in names for a in CSV_ALIASES[field_name])


def path_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as a CSV file, or None: one rule for the importer and
    the TUI's import dialog (which shows it while the path is typed)."""
    if path.is_dir():
        return "is a directory, not a CSV file"
    if not path.exists():
        return "no such file"
    if not path.is_file():
        return "is not a regular file"
    return None


def _bad_utf8(where: str, reopen: Callable[[], IO[bytes]]) -> ImportFormatError:
    """The error for a file that is not UTF-8, naming the line of its first bad byte.

    The streaming decoder fails somewhere in an 8 KB block; this second pass (only ever
    run on a broken file) reads the text again (``reopen``: decompressed, for a gzip or a
    zip member) to find the exact byte and count the lines before it.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines = 0, 1
    with reopen() as fh:
        while block := fh.read(1 << 20):
            pending = len(decoder.getstate()[0])  # bytes of a character split across blocks
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                at = max(exc.start - pending, 0)
                return ImportFormatError(
                    where,
                    f"not valid UTF-8 text (byte {offset + at}); save the file as UTF-8",
                    lines + block[:at].count(b"\n"),
                )
            offset += len(block)
            lines += block.count(b"\n")
    return ImportFormatError(where, "not valid UTF-8 text (it ends mid-character)", lines)


def _lines(where: str, text: io.TextIOWrapper, reopen: Callable[[], IO[bytes]]) -> Iterator[str]:
    """The file's lines, refusing NUL characters (a binary or UTF-16 file: never stored)
    and naming a broken gzip or zip instead of a traceback."""
    n = 0
    try:
        for n, line in enumerate(text, 1):
            if "\x00" in line:
                raise ImportFormatError(
                    where,
                    "contains a NUL character: the file is binary or UTF-16, not UTF-8 text",
                    n,
                )
            yield line
    except UnicodeDecodeError:
        raise _bad_utf8(where, reopen) from None
    except (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile) as exc:
        raise ImportFormatError(
            where, f"the compressed file is damaged or cut short ({exc})", n + 1
        ) from None


def _header(where: str, reader) -> tuple[list[str], Layout]:
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFormatError(where, "the file is empty", 1) from None
    except csv.Error as exc:
        raise ImportFormatError(where, f"malformed CSV ({exc})", 1) from exc
    layout = detect_layout(header)
    if layout is None:
        raise ImportFormatError(
            where,
            "unknown layout: expected an Exportify export, the Kaggle Spotify Tracks Dataset, "
            "or a CSV with a track id/URI column or name and artist columns",
            1,
        )
    return header, layout


@dataclass
class _Totals:
    tracks: int = 0
    new_tracks: int = 0
    with_features: int = 0
    features_kept: int = 0


@dataclass
class _BatchWrites:
    """What one batch sends to the store, gathered entry by entry in batch order."""

    tracks: list[Track] = field(default_factory=list)
    features: list[tuple] = field(default_factory=list)
    artist_ids: dict[str, tuple[str, ...]] = field(default_factory=dict)
    first_seen: list[str] = field(default_factory=list)
    #: (track id, first line, features digest) for ``import_mark_seen``
    seen_now: list[tuple[str, int, int | None]] = field(default_factory=list)

    def track(self, tid: str, e: Entry, earlier: bool, known: bool, totals: _Totals) -> None:
        """The whole record the first time this import meets the track; after that only
        its genres, which add to those already written."""
        if not earlier:
            totals.tracks += 1
            totals.new_tracks += not known
            self.tracks.append(e.track)
            self.first_seen.append(tid)
            if e.artist_ids:
                self.artist_ids[tid] = e.artist_ids
        elif e.track.genres:
            self.tracks.append(Track(tid, "", genres=e.track.genres))  # genres only

    def features_of(self, e: Entry, provider: str | None, totals: _Totals) -> None:
        """A file's features replace only a file's: those a provider gave are kept."""
        totals.with_features += 1
        if provider is None or provider.startswith("csv:"):
            self.features.append(e.features)
        else:
            totals.features_kept += 1

    def send(self, store, kind: str, source: str) -> None:
        store.tracks.upsert_tracks(self.tracks, artist_ids=self.artist_ids)
        store.tracks.upsert_feature_rows(self.features, record_lookups=False)
        store.library.add_imports(self.first_seen, kind, source)
        store.library.import_mark_seen(self.seen_now)


def _write_batch(store, batch: dict[str, Entry], kind: str, source: str, totals, counts) -> None:
    """Write one batch. A track an earlier batch already wrote only adds its genres (and
    features, if none of its earlier lines had any); every line whose features differ from
    those the track keeps is counted as a conflict."""
    state = store.library.import_state(list(batch))  # id -> (provider, first line, features digest)
    writes = _BatchWrites()
    for tid, e in batch.items():
        provider, first_line, first_sig = state.get(tid, (None, None, None))
        earlier = first_line is not None
        writes.track(tid, e, earlier, tid in state, totals)
        _count_conflicts(counts, tid, e, first_line, first_sig)
        if e.features is not None and first_sig is None:
            writes.features_of(e, provider, totals)
        if not earlier or (e.sig is not None and first_sig is None):
            writes.seen_now.append((tid, first_line or e.line, e.sig))
    writes.send(store, kind, source)


def _count_conflicts(
    counts: Counts, tid: str, e: Entry, first_line: int | None, first_sig: int | None
) -> None:
    """Every row whose features differ from those the track keeps (the first it was
    listed with, in this import) is a conflict."""
    kept = first_sig if first_sig is not None else e.sig
    for line, sig in e.feature_rows():
        if sig != kept:
            counts.conflict(line, tid, first_line or e.line)


def _warnings(counts: Counts) -> list[str]:
    out = []
    if counts.not_detected:
        out.append(
            f"{counts.not_detected} feature values Spotify uses for 'not detected' (tempo 0, "
            "time signature 0, key -1) were stored as missing."
        )
    if counts.first_conflict is not None:
        line, tid, first = counts.first_conflict
        out.append(
            f"{counts.conflicts} rows list a track again with different audio features "
            f"(first: line {line}, track {tid}, first listed on line {first}); "
            "each track kept the features of its first line."
        )
    return out


def _stream(store, reader, rows: Rows, kind: str, source: str, totals: _Totals, progress) -> None:
    """Check the rows after the header and write them batch by batch (in the caller's
    transaction, between its ``import_begin`` and ``import_end``)."""
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line
            rows.add(row, reader.line_num)
            if len(rows.batch) >= BATCH_ROWS:
                _write_batch(store, rows.take_batch(), kind, source, totals, rows.counts)
                progress(f"{reader.line_num:,} lines")
    except csv.Error as exc:
        raise ImportFormatError(rows.where, f"malformed CSV ({exc})", reader.line_num) from exc
    _write_batch(store, rows.take_batch(), kind, source, totals, rows.counts)


@dataclass
class _Text:
    """One CSV text to import: how errors name it, the ``imports.source`` it is recorded
    under, and how to open its (decompressed) bytes."""

    where: str
    source: str
    open: Callable[[], IO[bytes]]
    #: its name inside a zip ("" for a file of its own)
    member: str = ""


def _container(path: Path) -> str:
    """'gzip', 'zip' or 'plain', from the file's first bytes (never from its name)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise ImportFormatError(str(path), f"cannot be read ({exc.strerror})") from None
    if head[:2] == GZIP_MAGIC:
        return "gzip"
    if head in ZIP_MAGICS:
        return "zip"
    return "plain"


def _zip_texts(path: Path, archive: zipfile.ZipFile) -> list[_Text]:
    """The CSV files of a zip (Exportify's "export all": one per playlist), by name;
    folders, macOS ``__MACOSX`` copies and hidden files are left out."""
    names = sorted(
        i.filename
        for i in archive.infolist()
        if not i.is_dir()
        and i.filename.lower().endswith(".csv")
        and not i.filename.startswith("__MACOSX/")
        and not i.filename.rsplit("/", 1)[-1].startswith(".")
    )
    if not names:
        raise ImportFormatError(str(path), "a zip file with no .csv file in it")
    return [
        _Text(f"{path}: {n}", f"{path.name}:{n}", lambda n=n: archive.open(n), n) for n in names
    ]


def _read_one(
    store, text: _Text, kind: str, totals: _Totals, progress: Callable[[IO[bytes], str], None]
) -> Rows:
    """Import one CSV text inside the caller's transaction; returns its checked rows."""
    with text.open() as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(_lines(text.where, fh, text.open), strict=True)
        header, layout = _header(text.where, reader)
        rows = Rows(Path(text.source), header, layout, where=text.where)
        _stream(store, reader, rows, kind, text.source, totals, lambda line: progress(raw, line))
    return rows


def import_csv(
    store,
    path: str | Path,
    kind: str = "library",
    progress: Progress = no_progress,
) -> ImportResult:
    """Import a CSV into ``store`` as ``kind`` ('library' or 'catalog'), all or nothing.

    The file may be gzipped, or a zip of CSV files (each imported, all in one
    transaction). Features already given by a network provider (Spotify, ReccoBeats) are
    kept: a CSV is the last link of the provider chain. Re-importing the same file changes
    nothing.
    """
    if kind not in ("library", "catalog"):
        raise ValueError(f"kind must be 'library' or 'catalog', not {kind!r}")
    path = Path(path)
    problem = path_problem(path)
    if problem is not None:
        raise ImportFormatError(str(path), problem)
    size = max(path.stat().st_size, 1)
    container = _container(path)
    archive = None
    if container == "zip":
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportFormatError(str(path), f"not a readable zip file ({exc})") from None
        texts = _zip_texts(path, archive)
        sizes = [archive.getinfo(t.member).file_size for t in texts]
    else:

        def opener() -> IO[bytes]:
            return gzip.open(path, "rb") if container == "gzip" else path.open("rb")  # noqa: SIM115

        texts, sizes = [_Text(str(path), path.name, opener)], [size]
    total = max(sum(sizes), 1)
    totals, all_rows, done = _Totals(), [], 0

    def step(raw, line: str) -> None:
        """Progress in bytes of the file on disk (a gzip's compressed offset) or, in a
        zip, of its CSV files' text."""
        if archive is not None:
            progress(min(done + raw.tell(), total), total, line)
        else:
            progress((raw.fileobj if container == "gzip" else raw).tell(), total, line)

    try:
        with store.bulk():  # one transaction: any error below rolls every batch back
            store.library.import_begin()
            for text, n_bytes in zip(texts, sizes, strict=True):
                all_rows.append(_read_one(store, text, kind, totals, step))
                done += n_bytes
            store.library.import_end()
    finally:
        if archive is not None:
            archive.close()
    progress(total, total, "done")
    return _result(path, kind, texts if archive is not None else [], all_rows, totals)


def _result(
    path: Path, kind: str, texts: list[_Text], all_rows: list[Rows], totals: _Totals
) -> ImportResult:
    """The summary of every file's rows (a zip's files added up)."""
    counts = Counts()
    for c in (rows.counts for rows in all_rows):
        counts.rows += c.rows
        counts.skipped_local += c.skipped_local
        counts.not_detected += c.not_detected
        counts.conflicts += c.conflicts
        counts.first_conflict = counts.first_conflict or c.first_conflict
    layouts = dict.fromkeys(rows.layout.name for rows in all_rows)
    missing = [f for f in MOOD_FEATURES if any(f not in rows.features_present for rows in all_rows)]
    return ImportResult(
        path=str(path),
        layout="+".join(layouts),
        kind=kind,
        rows=counts.rows,
        tracks=totals.tracks,
        new_tracks=totals.new_tracks,
        with_features=totals.with_features,
        features_kept=totals.features_kept,
        skipped_local=counts.skipped_local,
        not_detected=counts.not_detected,
        conflicts=counts.conflicts,
        warnings=_warnings(counts),
        files=[t.member for t in texts],
        missing_features=missing,
    )

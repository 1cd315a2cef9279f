"""Fuzzing the CSV importer with generated files (hypothesis).

Every generated file is described first (layout, rows, per cell: a valid value, an empty
cell or a hostile one) and only then written out (quoting, line endings, byte-order mark,
blank lines, multi-line fields, an encoding). The description is the oracle, independent
of the importer: a file with a hostile cell must fail with a typed error naming the exact
line (and column) of the first one and leave the store untouched; any other file must
import exactly its rows: the right tracks, names, artists, genres, durations and features,
the counts in the result, and nothing else.

CI runs a modest number of examples; ``SPOTUI_FUZZ_EXAMPLES=1000 pytest
tests/sources/test_csv_fuzz.py`` runs many more (the issue's >= 1,000-file run).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spotui.core.errors import ImportFormatError, UserError
from spotui.core.feature_spec import FEATURE_RANGES, INT_FEATURES, MAX_DURATION_MS, NOT_DETECTED
from spotui.sources import csv_import
from spotui.store import Store

EXAMPLES = int(os.environ.get("SPOTUI_FUZZ_EXAMPLES", "40"))
IDS = [
    "4uLU6hMCjMI75M1A2tKUQC",
    "7GhIk7Il098yCjg4BQjzvb",
    "0VjIjW4GlUZAMYd2vXMi3b",
    "3n3Ppam7vgaVa1iaRUc9Lp",
    "5SuOikwiRyPMVoIQDJUgSV",
]
EXPORTIFY_FEATURES = {
    "Danceability": "danceability",
    "Energy": "energy",
    "Key": "key",
    "Loudness": "loudness",
    "Mode": "mode",
    "Valence": "valence",
    "Tempo": "tempo",
    "Time Signature": "time_signature",
}
KAGGLE_HEADER = [
    "",
    "track_id",
    "artists",
    "album_name",
    "track_name",
    "popularity",
    "duration_ms",
    "explicit",
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "time_signature",
    "track_genre",
]
# cells that are wrong for every feature and for a duration
ALWAYS_BAD = ["nan", "NaN", "inf", "-inf", "1e999", "-1e999", "1e30", "12345678901234567890"]
ALWAYS_BAD += ["loud", "0x10", "--1", "1,5", "½"]


@dataclass
class Cell:
    text: str  # as written in the file
    value: object = None  # what the importer must store (None: missing)
    bad: bool = False


@dataclass
class Row:
    cells: dict[str, Cell]  # field -> cell, for the file's fields
    width_delta: int = 0  # != 0: a row with a wrong field count
    nul: bool = False  # a NUL character in its name


@dataclass
class Spec:
    layout: str
    header: list[str]
    fields: list[str]  # the field each header column holds (None-like "" for ignored)
    rows: list[Row]
    blank_before: list[bool]
    quoting: int
    newline: str
    bom: bool
    latin1: bool
    notes: dict = field(default_factory=dict)


# ---------------------------------------------------------------- cell strategies
def _number_text(draw, value: float, whole: bool) -> str:
    if whole:
        return draw(st.sampled_from([str(int(value)), f"{int(value)}.0", f" {int(value)} "]))
    return draw(st.sampled_from([repr(value), f"{value:.3f}", f"{value:e}", f" {value!r} "]))


@st.composite
def feature_cell(draw, name: str, hostile: bool) -> Cell:
    lo, hi = FEATURE_RANGES[name]
    whole = name in INT_FEATURES
    kind = draw(st.sampled_from(["valid"] * 6 + ["empty", "edge"] + ["bad"] * hostile))
    if kind == "empty":
        return Cell(draw(st.sampled_from(["", " "])))
    if kind == "bad":
        outside = draw(
            st.one_of(
                st.floats(hi + 1, 1e12) if whole else st.floats(hi, 1e300, exclude_min=True),
                st.floats(-1e12, lo - 1) if whole else st.floats(-1e300, lo, exclude_max=True),
            )
        )
        extra = [f"{int(outside)}" if whole else repr(outside)]
        if whole:
            extra.append(f"{lo + 0.5}")  # not a whole number
        return Cell(draw(st.sampled_from(ALWAYS_BAD + extra)), bad=True)
    if kind == "edge":
        value = draw(st.sampled_from([lo, hi, NOT_DETECTED.get(name, lo)]))
    elif whole:
        value = draw(st.integers(int(lo), int(hi)))
    else:
        value = draw(st.floats(lo, hi, allow_nan=False))
    text = _number_text(draw, float(value), whole)
    parsed = int(float(text)) if whole else float(text)
    if parsed == NOT_DETECTED.get(name):
        parsed = None
    return Cell(text, parsed)


@st.composite
def duration_cell(draw, hostile: bool) -> Cell:
    kind = draw(st.sampled_from(["valid"] * 5 + ["empty"] + ["bad"] * hostile))
    if kind == "empty":
        return Cell("")
    if kind == "bad":
        return Cell(draw(st.sampled_from(ALWAYS_BAD + ["0", "-5", str(MAX_DURATION_MS)])), bad=True)
    ms = draw(st.integers(1, MAX_DURATION_MS - 1))
    return Cell(draw(st.sampled_from([str(ms), f"{ms}.0"])), ms)


NAME = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=12
)
ARTIST = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r,;"), max_size=8
)


@st.composite
def id_cell(draw, layout: str, hostile: bool) -> Cell:
    kind = draw(st.sampled_from(["valid"] * 8 + ["local"] + ["bad", "empty"] * hostile))
    if kind == "bad":
        return Cell(
            draw(st.sampled_from(["not-an-id", f"spotify:album:{IDS[0]}", "x" * 21])), bad=True
        )
    if kind == "empty":
        return Cell("", bad=layout != "plain_names")
    if kind == "local":
        return Cell("spotify:local:Artist:Album:Song:200", "local")
    tid = draw(st.sampled_from(IDS))
    text = draw(
        st.sampled_from(
            [tid, f"spotify:track:{tid}", f"https://open.spotify.com/track/{tid}?si=ab",
             f"https://open.spotify.com/intl-de/track/{tid}", f" {tid} "]
        )
    )  # fmt: skip
    return Cell(text, tid)


# ---------------------------------------------------------------- file strategies
LAYOUTS = {
    "exportify": [
        "Track URI",
        "Track Name",
        "Artist Name(s)",
        "Album Name",
        "Duration (ms)",
        "Genres",
    ],
    "kaggle": KAGGLE_HEADER,
    "plain_ids": None,  # one id column
    "plain_names": ["title", "artist", "energy", "tempo"],
}
FIELD_OF = {
    "Track URI": "id", "Track Name": "name", "Artist Name(s)": "artists", "Album Name": "album",
    "Duration (ms)": "duration_ms", "Genres": "genres", "track_id": "id", "artists": "artists",
    "album_name": "album", "track_name": "name", "duration_ms": "duration_ms",
    "track_genre": "genres", "title": "name", "artist": "artists",
    "id": "id", "Spotify URI": "id", "url": "id",
}  # fmt: skip


@st.composite
def specs(draw) -> Spec:
    layout = draw(st.sampled_from(list(LAYOUTS)))
    if layout == "plain_ids":
        header = [draw(st.sampled_from(["id", "Spotify URI", "url", "Track ID"]))]
    elif layout == "exportify":
        extra = draw(st.lists(st.sampled_from(list(EXPORTIFY_FEATURES)), unique=True, max_size=8))
        header = LAYOUTS["exportify"] + extra
    else:
        header = list(LAYOUTS[layout])
    fields = []
    for h in header:
        snake = h.lower().replace(" ", "_")
        if h in EXPORTIFY_FEATURES or (snake in FEATURE_RANGES and layout != "exportify"):
            fields.append("f:" + (EXPORTIFY_FEATURES.get(h) or snake))
        else:
            fields.append(FIELD_OF.get(h, FIELD_OF.get(h.lower(), "")))
    if layout == "plain_ids":
        fields = ["id"]
    # half the files are hostile (any cell may be bad), half only valid or empty cells
    hostile = draw(st.booleans())
    rows = draw(st.lists(row_strategy(layout, fields, hostile), min_size=0, max_size=8))
    latin1 = hostile and draw(st.booleans()) and draw(st.booleans())
    return Spec(
        layout=layout,
        header=header,
        fields=fields,
        rows=rows,
        blank_before=draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows))),
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        bom=draw(st.booleans()) and not latin1,
        latin1=latin1,
    )


@st.composite
def row_strategy(draw, layout: str, fields: list[str], hostile: bool) -> Row:
    cells: dict[str, Cell] = {}
    for f in fields:
        if f == "id":
            cells[f] = draw(id_cell(layout, hostile))
        elif f == "name":
            cells[f] = Cell(draw(NAME))
        elif f == "artists":
            parts = draw(st.lists(ARTIST, max_size=3))
            cells[f] = Cell((";" if layout == "kaggle" else ",").join(parts), parts)
        elif f == "genres":
            parts = draw(
                st.lists(st.sampled_from(["pop", "rock", "j-pop", "acoustic"]), max_size=2)
            )
            text = parts[0] if layout == "kaggle" and parts else ",".join(parts)
            cells[f] = Cell(text, parts[:1] if layout == "kaggle" else parts)
        elif f == "duration_ms":
            cells[f] = draw(duration_cell(hostile))
        elif f.startswith("f:"):
            cells[f] = draw(feature_cell(f[2:], hostile))
        elif f == "album":
            cells[f] = Cell(draw(NAME))
    if layout == "plain_names":  # local ids need a name and an artist
        name_ok = cells["name"].text.strip() and any(p.strip() for p in cells["artists"].value)
        cells["id"] = Cell("", "local-name") if name_ok else Cell("", bad=True)
    width_delta = draw(st.sampled_from([0] * 12 + [-1, 1])) if hostile else 0
    if len(fields) == 1 and width_delta == -1:
        width_delta = 0
    nul = hostile and draw(st.integers(0, 20)) == 0 and "name" in cells
    return Row(cells, width_delta, nul=nul)


# ---------------------------------------------------------------- writing and the oracle
def write(spec: Spec) -> tuple[bytes, list[tuple[int, int]]]:
    """The file's bytes and, per row, (first line, last line) of its record."""
    out = io.StringIO()
    lines = []
    w = csv.writer(out, quoting=spec.quoting, lineterminator=spec.newline)
    w.writerow(spec.header)
    for row, blank in zip(spec.rows, spec.blank_before, strict=True):
        if blank:
            out.write(spec.newline)
        first = out.getvalue().count("\n") + 1
        values = []
        for f in spec.fields:
            cell = row.cells.get(f)
            text = cell.text if cell is not None else ("0" if f == "" else "")
            if f == "name" and row.nul:
                text += "\x00"
            values.append(text)
        if row.width_delta < 0:
            values = values[:-1]
        elif row.width_delta > 0:
            values.append("extra")
        w.writerow(values)
        lines.append((first, out.getvalue().count("\n")))
    text = out.getvalue()
    data = text.encode()
    if spec.latin1:  # a file saved as Latin-1: must fail at its first byte that is not UTF-8
        latin = text.encode("latin-1", errors="replace")
        try:
            latin.decode("utf-8")
        except UnicodeDecodeError:
            data = latin
    return (b"\xef\xbb\xbf" + data if spec.bom else data), lines


def _local_id(name: str, artists: list[str]) -> str:
    key = f"{name.lower()}\x1f{', '.join(artists).lower()}"
    return "local:" + hashlib.sha1(key.encode()).hexdigest()[:20]


def first_error(spec: Spec, data: bytes, lines: list[tuple[int, int]]) -> int | None:
    """The line the import must fail on, or None if it must succeed."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    for row, (first, last) in zip(spec.rows, lines, strict=True):
        if row.nul:
            name_cell = row.cells["name"].text
            before = name_cell.count("\n")  # NUL is at the end of the name
            return (
                first
                + before
                + sum(
                    row.cells[f].text.count("\n")
                    for f in spec.fields[: spec.fields.index("name")]
                    if f in row.cells
                )
            )
        if _blank(spec, row):
            continue
        if row.width_delta:
            return last
        if spec.layout != "plain_names" and row.cells["id"].value == "local":
            continue
        if any(c.bad for c in row.cells.values()):
            return last
    return None


def _blank(spec: Spec, row: Row) -> bool:
    """A one-column row holding only spaces is a blank line to csv (skipped)."""
    return len(spec.fields) + row.width_delta == 1 and not row.cells["id"].text.strip()


def expected_import(spec: Spec) -> dict:
    tracks: dict[str, dict] = {}
    rows = skipped = not_detected = conflicts = 0
    for row in spec.rows:
        if _blank(spec, row):
            continue
        rows += 1
        c = row.cells
        if c["id"].value == "local":
            skipped += 1
            continue
        name = c["name"].text.strip() if "name" in c else ""
        artists = [a.strip() for a in c["artists"].value if a.strip()] if "artists" in c else []
        tid = c["id"].value
        if tid == "local-name":
            tid = _local_id(name, artists)
        feats = {f[2:]: cell.value for f, cell in c.items() if f.startswith("f:")}
        not_detected += sum(
            1
            for f, cell in c.items()
            if f.startswith("f:") and cell.text.strip() and cell.value is None
        )
        has = any(v is not None for v in feats.values())
        genres = [g.strip() for g in c["genres"].value if g.strip()] if "genres" in c else []
        t = tracks.get(tid)
        if t is None:
            tracks[tid] = {
                "name": name or tid,
                "artists": artists,
                "album": c["album"].text.strip() if "album" in c else "",
                "duration_ms": c["duration_ms"].value if "duration_ms" in c else None,
                "genres": list(dict.fromkeys(genres)),
                "features": feats if has else None,
            }
            continue
        t["genres"] = list(dict.fromkeys(t["genres"] + genres))
        if has and t["features"] is None:
            t["features"] = feats
        elif has and feats != t["features"]:
            conflicts += 1
    return {
        "tracks": tracks,
        "rows": rows,
        "skipped": skipped,
        "not_detected": not_detected,
        "conflicts": conflicts,
    }


def check(spec: Spec, store: Store, path: Path) -> str:
    data, lines = write(spec)
    path.write_bytes(data)
    line = first_error(spec, data, lines)
    try:
        result = csv_import.import_csv(store, path)
    except UserError as exc:
        assert isinstance(exc, ImportFormatError), exc
        assert line is not None, f"rejected a good file: {exc}\n{data!r}"
        assert exc.line == line, f"{exc} (expected line {line})\n{data!r}"
        assert str(exc).startswith(f"{path}, line {line}")
        assert store.conn.execute("SELECT count(*) FROM tracks").fetchone()[0] == 0
        assert store.conn.execute("SELECT count(*) FROM imports").fetchone()[0] == 0
        return "error"
    assert line is None, f"accepted a bad file (expected an error on line {line})\n{data!r}"
    want = expected_import(spec)
    got = {t.id: t for t in store.tracks.get_tracks(store.tracks.track_ids("library"))}
    assert set(got) == set(want["tracks"])
    assert store.conn.execute("SELECT count(*) FROM tracks").fetchone()[0] == len(got)
    for tid, w in want["tracks"].items():
        t = got[tid]
        assert (t.name, list(t.artists), t.album) == (w["name"], w["artists"], w["album"])
        assert t.duration_ms == w["duration_ms"]
        assert sorted(t.genres) == sorted(w["genres"])
        f = store.tracks.get_features(tid)
        if w["features"] is None:
            assert f is None
        else:
            stored = {k: v for k, v in f.as_dict().items() if k in w["features"]}
            assert stored == w["features"], (stored, w["features"])
    counts = (result.rows, result.tracks, result.new_tracks, result.skipped_local)
    assert counts == (want["rows"], len(want["tracks"]), len(want["tracks"]), want["skipped"])
    assert result.with_features == sum(w["features"] is not None for w in want["tracks"].values())
    assert (result.not_detected, result.conflicts) == (want["not_detected"], want["conflicts"])
    json.dumps(result.as_dict())
    return "imported"


REPORT = os.environ.get("SPOTUI_FUZZ_REPORT")  # a file: one outcome per generated CSV


@pytest.mark.parametrize("batch", [20_000, 2])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(spec=specs())
def test_generated_files_fail_on_their_first_bad_line_or_import_exactly(spec, batch, monkeypatch):
    monkeypatch.setattr(csv_import, "BATCH_ROWS", batch)
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "db.sqlite3") as store:
        outcome = check(spec, store, Path(tmp) / "fuzz.csv")
    if REPORT:
        with open(REPORT, "a") as fh:
            fh.write(f"{outcome}\n")

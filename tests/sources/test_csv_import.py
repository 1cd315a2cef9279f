"""CSV import: every layout imported exactly; every malformed file rejected whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spotui.core.errors import ImportFormatError
from spotui.core.records import Features, Track
from spotui.sources.csv_import import import_csv
from spotui.spotify.ids import parse_track_id
from spotui.store import Store
from tests import paths
from tests.store_helpers import artist_ids

DATA = paths.DATA


def snapshot(store) -> dict:
    """Everything an import could change, for 'nothing changed' assertions."""
    q = store.conn.execute
    return {
        "tracks": q("SELECT id, name, artists, genres FROM tracks ORDER BY id").fetchall(),
        "features": q("SELECT * FROM features ORDER BY track_id").fetchall(),
        "imports": q("SELECT track_id, kind FROM imports ORDER BY track_id").fetchall(),
    }


def test_exportify_net_layout(store):
    result = import_csv(store, DATA / "exportify_net.csv")
    assert (result.layout, result.rows, result.tracks, result.skipped_local) == (
        "exportify",
        4,
        3,
        1,
    )
    assert result.with_features == 2
    rick = store.tracks.get_track("4uLU6hMCjMI75M1A2tKUQC")
    assert rick == Track(
        "4uLU6hMCjMI75M1A2tKUQC",
        "Never Gonna Give You Up",
        ("Rick Astley",),
        "Whenever You Need Somebody",
        213573,
        "1987-11-12",
        ("dance rock", "new wave pop"),
    )
    both = store.tracks.get_track("7GhIk7Il098yCjg4BQjzvb")
    assert both.name == "Never Let Me Go, Pt. 2"
    assert both.artists == ("Ana Lua", "Bo Ring")
    f = store.tracks.get_features("4uLU6hMCjMI75M1A2tKUQC")
    assert f == Features(
        "4uLU6hMCjMI75M1A2tKUQC",
        "csv:exportify",
        danceability=0.727,
        energy=0.939,
        valence=0.916,
        tempo=113.309,
        loudness=-11.855,
        acousticness=0.135,
        instrumentalness=0.0,
        speechiness=0.0369,
        liveness=0.151,
        key=8,
        mode=1,
        time_signature=4,
    )
    # a row without features is kept, just unanalysed
    assert store.tracks.get_features("0VjIjW4GlUZAMYd2vXMi3b") is None
    assert store.tracks.track_ids("library") == [
        "4uLU6hMCjMI75M1A2tKUQC",
        "7GhIk7Il098yCjg4BQjzvb",
        "0VjIjW4GlUZAMYd2vXMi3b",
    ]


def test_exportify_watsonbox_layout(store):
    result = import_csv(store, DATA / "exportify_watsonbox.csv")
    assert (result.layout, result.tracks, result.with_features) == ("exportify", 1, 1)
    t = store.tracks.get_track("3n3Ppam7vgaVa1iaRUc9Lp")
    assert t.isrc == "USIR20400274"
    assert t.duration_ms == 222973 and t.release_date == "2004-06-07"
    assert t.genres == ("alternative rock", "modern rock")
    assert artist_ids(store, t.id) == ["0C0XlULifJtAgn6ZNCW2eu"]
    assert store.tracks.get_features(t.id).tempo == 148.033


def test_kaggle_layout_merges_genres(store):
    result = import_csv(store, DATA / "kaggle.csv", kind="catalog")
    assert (result.layout, result.rows, result.tracks) == ("kaggle", 4, 3)
    comedy = store.tracks.get_track("5SuOikwiRyPMVoIQDJUgSV")
    assert comedy.genres == ("acoustic", "j-pop")
    assert store.tracks.get_track("1iJBSr7s7jYXzM8EGcbK5b").artists == ("Ingrid Michaelson", "ZAYN")
    assert store.tracks.get_features("4qPNDBW1i3p13qLCt0Ki3A").instrumentalness == pytest.approx(
        5.56e-06
    )
    # catalog: candidates, not library
    assert store.tracks.track_ids("library") == []
    assert len(store.tracks.track_ids("catalog")) == 3


def test_plain_layouts(store):
    r1 = import_csv(store, DATA / "plain.csv")
    assert (r1.layout, r1.tracks, r1.with_features) == ("plain", 2, 1)
    ids = store.tracks.track_ids("library")
    assert all(i.startswith("local:") for i in ids)
    assert store.tracks.get_tracks(ids)[0].name == "Clair de Lune"
    r2 = import_csv(store, DATA / "plain_ids.csv")
    assert r2.tracks == 2
    assert store.tracks.get_track("4uLU6hMCjMI75M1A2tKUQC").artists == ("Rick Astley",)


def test_reimport_changes_nothing(store):
    import_csv(store, DATA / "exportify_net.csv")
    before = snapshot(store)
    again = import_csv(store, DATA / "exportify_net.csv")
    assert again.new_tracks == 0
    assert snapshot(store) == before


def test_provider_features_are_not_overwritten_by_csv(store):
    store.tracks.upsert_tracks([Track("4uLU6hMCjMI75M1A2tKUQC", "Never Gonna Give You Up")])
    store.tracks.upsert_features([Features("4uLU6hMCjMI75M1A2tKUQC", "reccobeats", energy=0.5)])
    result = import_csv(store, DATA / "exportify_net.csv")
    assert result.features_kept == 1
    assert store.tracks.get_features("4uLU6hMCjMI75M1A2tKUQC").provider == "reccobeats"


def test_parse_track_id():
    assert parse_track_id("spotify:track:4uLU6hMCjMI75M1A2tKUQC") == "4uLU6hMCjMI75M1A2tKUQC"
    assert (
        parse_track_id("https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC?si=1")
        == "4uLU6hMCjMI75M1A2tKUQC"
    )
    assert parse_track_id("4uLU6hMCjMI75M1A2tKUQC") == "4uLU6hMCjMI75M1A2tKUQC"
    assert parse_track_id("spotify:album:4uLU6hMCjMI75M1A2tKUQC") is None


GOOD_ROW = "spotify:track:4uLU6hMCjMI75M1A2tKUQC,Song,Artist,0.5,0.6"
HEADER = "Track URI,Track Name,Artist Name(s),Energy,Valence"


@pytest.mark.parametrize(
    ("content", "line", "column", "message"),
    [
        (
            f"{HEADER}\n{GOOD_ROW}\nspotify:track:4uLU6hMCjMI75M1A2tKUQD,S,A,loud,0.5\n",
            3,
            "Energy",
            "'loud' is not a number",
        ),
        (
            f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW}\nnot-an-id,S,A,0.1,0.2\n",
            4,
            "Track URI",
            "is not a Spotify track id",
        ),
        (
            f"{HEADER}\n{GOOD_ROW}\nspotify:track:4uLU6hMCjMI75M1A2tKUQD,S,A,0.5\n",
            3,
            None,
            "expected 5 fields, found 4",
        ),
        (f"{HEADER}\n,S,A,0.5,0.5\n", 2, "Track URI", "empty track id"),
        ("foo,bar\n1,2\n", 1, None, "unknown layout"),
        ("title,energy\nX,0.5\n", 1, None, "unknown layout"),
        ("", 1, None, "the file is empty"),
        (
            "Track URI,Track Name,Artist Name(s),Key\nspotify:track:4uLU6hMCjMI75M1A2tKUQC,S,A,4.5\n",
            2,
            "Key",
            "not a whole number",
        ),
        (
            f'{HEADER}\n{GOOD_ROW}\n"spotify:track:4uLU6hMCjMI75M1A2tKUQD,S,A,0.1,0.2\n',
            3,
            None,
            "malformed CSV",
        ),
    ],
)
def test_malformed_files_name_the_line_and_import_nothing(
    demo_store, tmp_path, content, line, column, message
):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    before = snapshot(demo_store)
    with pytest.raises(ImportFormatError) as info:
        import_csv(demo_store, path)
    assert info.value.line == line
    assert info.value.column == column
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}, line {line}")
    assert str(info.value).endswith("Nothing was imported.")
    assert snapshot(demo_store) == before


def test_bad_encoding_names_the_line(store, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        f"{HEADER}\n{GOOD_ROW}\n".encode()
        + "spotify:track:4uLU6hMCjMI75M1A2tKUQD,Caf\u00e9,A,0.1,0.2\n".encode("latin-1")
    )
    with pytest.raises(ImportFormatError) as info:
        import_csv(store, path)
    assert info.value.line == 3
    assert "not valid UTF-8" in str(info.value)
    assert store.queries.counts()["all_tracks"] == 0


def test_cli_import_and_error_exit_status(cli, tmp_path):
    ok = cli("import", str(DATA / "kaggle.csv"), "--as", "catalog", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["tracks"] == 3
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\nspotify:track:4uLU6hMCjMI75M1A2tKUQD,S,A,loud,0.5\n")
    res = cli("import", str(bad))
    assert res.returncode == 2
    assert res.stderr.strip() == (
        f"error: {bad}, line 2, column 'Energy': 'loud' is not a number. Nothing was imported."
    )
    status = json.loads(cli("status", "--json").stdout)
    assert (status["library_tracks"], status["catalog_tracks"]) == (0, 3)


# ---------------------------------------------------------------- hostile files (issue 13)
RANGE_HEADER = "Track URI,Track Name,Artist Name(s),Duration (ms),Energy,Key,Mode,Tempo,Loudness"
RANGE_ROW = "spotify:track:4uLU6hMCjMI75M1A2tKUQC,Song,Artist,200000,0.5,4,1,120,-7"
RANGE_COLUMNS = RANGE_HEADER.split(",")


def _with_cell(column: str, value: str) -> str:
    cells = RANGE_ROW.split(",")
    cells[RANGE_COLUMNS.index(column)] = value
    return ",".join(cells)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("Duration (ms)", "1e999", "more than 0 and less than 86400000 ms (24 h)"),
        ("Duration (ms)", "1e30", "more than 0 and less than 86400000 ms (24 h)"),
        ("Duration (ms)", "0", "more than 0 and less than 86400000 ms (24 h)"),
        ("Duration (ms)", "-5", "more than 0 and less than 86400000 ms (24 h)"),
        ("Duration (ms)", "nan", "more than 0 and less than 86400000 ms (24 h)"),
        ("Duration (ms)", "86400000", "more than 0 and less than 86400000 ms (24 h)"),
        (
            "Key",
            "12345678901234567890",
            "'12345678901234567890' is outside the allowed range -1..11",
        ),
        ("Key", "42", "'42' is outside the allowed range -1..11"),
        ("Key", "1e999", "'1e999' is not a finite number"),
        ("Energy", "7.5", "'7.5' is outside the allowed range 0..1"),
        ("Energy", "-0.1", "'-0.1' is outside the allowed range 0..1"),
        ("Energy", "nan", "'nan' is not a finite number"),
        ("Energy", "-inf", "'-inf' is not a finite number"),
        ("Tempo", "99999", "'99999' is outside the allowed range 0..300"),
        ("Mode", "3", "'3' is outside the allowed range 0..1"),
        ("Loudness", "-61", "'-61' is outside the allowed range -60..5"),
        ("Loudness", "1e308", "'1e308' is outside the allowed range -60..5"),
    ],
)
def test_numbers_outside_their_range_name_line_column_and_range(
    demo_store, tmp_path, column, value, message
):
    path = tmp_path / "hostile.csv"
    bad = _with_cell(column, value).replace("4uLU6hMCjMI75M1A2tKUQC", "7GhIk7Il098yCjg4BQjzvb")
    path.write_text(f"{RANGE_HEADER}\n{RANGE_ROW}\n{bad}\n")
    before = snapshot(demo_store)
    with pytest.raises(ImportFormatError) as info:
        import_csv(demo_store, path)
    assert (info.value.line, info.value.column) == (3, column)
    assert (
        str(info.value)
        == f"{path}, line 3, column {column!r}: "
        + (f"{value!r} is not a duration: it must be " if column == "Duration (ms)" else "")
        + f"{message}. Nothing was imported."
    )
    assert snapshot(demo_store) == before


def test_the_edges_of_every_range_import(store, tmp_path):
    path = tmp_path / "edges.csv"
    rows = [
        _with_cell("Energy", "0").replace("Song", "Low"),
        "spotify:track:7GhIk7Il098yCjg4BQjzvb,High,A,86399999,1,11,0,300,5",
        "spotify:track:0VjIjW4GlUZAMYd2vXMi3b,Floor,A,1,1.0,4.0,1,0.001,-60",
    ]
    path.write_text(RANGE_HEADER + "\n" + "\n".join(rows) + "\n")
    result = import_csv(store, path)
    assert (result.tracks, result.with_features, result.warnings) == (3, 3, [])
    high = store.tracks.get_features("7GhIk7Il098yCjg4BQjzvb")
    assert (high.energy, high.key, high.mode, high.tempo, high.loudness) == (1.0, 11, 0, 300.0, 5.0)
    assert store.tracks.get_track("7GhIk7Il098yCjg4BQjzvb").duration_ms == 86399999
    assert store.tracks.get_features("0VjIjW4GlUZAMYd2vXMi3b").key == 4


def test_not_detected_values_are_stored_as_missing_and_counted(store, tmp_path):
    path = tmp_path / "undetected.csv"
    path.write_text(
        "Track URI,Track Name,Artist Name(s),Energy,Key,Tempo,Time Signature\n"
        "spotify:track:4uLU6hMCjMI75M1A2tKUQC,A,B,0.5,-1,0,0\n"
        "spotify:track:7GhIk7Il098yCjg4BQjzvb,C,D,0.5,2,0.0,4\n"
    )
    result = import_csv(store, path)
    f = store.tracks.get_features("4uLU6hMCjMI75M1A2tKUQC")
    assert (f.energy, f.key, f.tempo, f.time_signature) == (0.5, None, None, None)
    assert store.tracks.get_features("7GhIk7Il098yCjg4BQjzvb").tempo is None
    assert result.not_detected == 4
    assert result.warnings == [
        "4 feature values Spotify uses for 'not detected' (tempo 0, time signature 0, key -1) "
        "were stored as missing."
    ]
    assert "Warning: 4 feature values" in result.summary()


@pytest.mark.parametrize("column", ["id", "Spotify URI", "url", "Track URI"])
def test_id_only_files_import_and_show_the_id_until_named(store, tmp_path, column):
    path = tmp_path / "ids.csv"
    path.write_text(
        f"{column}\n4uLU6hMCjMI75M1A2tKUQC\nspotify:track:7GhIk7Il098yCjg4BQjzvb\n"
        "https://open.spotify.com/intl-de/track/0VjIjW4GlUZAMYd2vXMi3b?si=x\n"
    )
    result = import_csv(store, path)
    assert (result.layout, result.tracks, result.new_tracks) == ("plain", 3, 3)
    assert store.tracks.track_ids("library") == [
        "4uLU6hMCjMI75M1A2tKUQC",
        "7GhIk7Il098yCjg4BQjzvb",
        "0VjIjW4GlUZAMYd2vXMi3b",
    ]
    assert store.tracks.get_track("4uLU6hMCjMI75M1A2tKUQC").name == "4uLU6hMCjMI75M1A2tKUQC"
    table = store.queries.library_table([])
    assert (table.ids[0], table.titles[0], len(table.values)) == (
        "4uLU6hMCjMI75M1A2tKUQC",
        "4uLU6hMCjMI75M1A2tKUQC",
        0,
    )
    # a later file with names names them; an id-only file again does not erase the name
    import_csv(store, DATA / "exportify_net.csv")
    assert store.tracks.get_track("4uLU6hMCjMI75M1A2tKUQC").name == "Never Gonna Give You Up"
    import_csv(store, path)
    rick = store.tracks.get_track("4uLU6hMCjMI75M1A2tKUQC")
    assert (rick.name, rick.artists) == ("Never Gonna Give You Up", ("Rick Astley",))


def test_kaggle_row_with_an_id_and_no_name_imports(store, tmp_path):
    lines = (DATA / "kaggle.csv").read_text().splitlines()
    cells = lines[2].split(",")
    cells[2] = cells[3] = cells[4] = ""  # artists, album_name, track_name
    lines[2] = ",".join(cells)
    path = tmp_path / "kaggle_noname.csv"
    path.write_text("\n".join(lines) + "\n")
    result = import_csv(store, path, kind="catalog")
    assert (result.rows, result.tracks) == (4, 3)
    ghost = store.tracks.get_track("4qPNDBW1i3p13qLCt0Ki3A")
    assert (ghost.name, ghost.artists, ghost.duration_ms) == ("4qPNDBW1i3p13qLCt0Ki3A", (), 149610)
    assert store.tracks.get_features("4qPNDBW1i3p13qLCt0Ki3A").tempo == 77.489


def test_a_directory_is_reported_as_a_directory(store, tmp_path):
    with pytest.raises(ImportFormatError) as info:
        import_csv(store, tmp_path)
    assert str(info.value) == f"{tmp_path}: is a directory, not a CSV file. Nothing was imported."
    with pytest.raises(ImportFormatError, match="no such file"):
        import_csv(store, tmp_path / "missing.csv")


def test_nul_characters_are_refused_with_their_line(demo_store, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_text(
        f"{HEADER}\n{GOOD_ROW}\nspotify:track:4uLU6hMCjMI75M1A2tKUQD,S\x00ng,A,0.1,0.2\n"
    )
    before = snapshot(demo_store)
    with pytest.raises(ImportFormatError) as info:
        import_csv(demo_store, path)
    assert info.value.line == 3
    assert "NUL character" in str(info.value)
    assert snapshot(demo_store) == before
    # UTF-16 without a byte-order mark: NULs from the first line on
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(f"{HEADER}\n{GOOD_ROW}\n".encode("utf-16-le"))
    with pytest.raises(ImportFormatError, match="line 1: contains a NUL character"):
        import_csv(demo_store, utf16)


def test_conflicting_duplicates_are_reported_with_counts(store, tmp_path, monkeypatch):
    rows = [GOOD_ROW, GOOD_ROW, GOOD_ROW.replace("0.5,0.6", "0.9,0.6")]
    rows += ["spotify:track:7GhIk7Il098yCjg4BQjzvb,B,C,0.1,0.2"] * 2
    rows += [GOOD_ROW.replace("0.5,0.6", "0.5,0.1")]
    path = tmp_path / "dups.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    for batch in (20_000, 2):  # in one batch, and across batches of the stream
        monkeypatch.setattr("spotui.sources.csv_import.BATCH_ROWS", batch)
        result = import_csv(store, path)
        assert (result.rows, result.tracks, result.conflicts) == (6, 2, 2)
        assert result.warnings == [
            "2 rows list a track again with different audio features (first: line 4, track "
            "4uLU6hMCjMI75M1A2tKUQC, first listed on line 2); each track kept the features "
            "of its first line."
        ]
        f = store.tracks.get_features("4uLU6hMCjMI75M1A2tKUQC")
        assert (f.energy, f.valence) == (0.5, 0.6)


def test_streaming_in_batches_imports_exactly_what_one_batch_does(tmp_path, monkeypatch):
    lines = (DATA / "kaggle.csv").read_text().splitlines()
    results = []
    for batch in (20_000, 1):
        monkeypatch.setattr("spotui.sources.csv_import.BATCH_ROWS", batch)
        with Store.open(tmp_path / f"b{batch}.sqlite3") as s:
            r = import_csv(s, DATA / "kaggle.csv", kind="catalog")
            results.append(((r.rows, r.tracks, r.new_tracks, r.with_features), snapshot(s)))
    assert results[0] == results[1]
    assert results[0][0] == (len(lines) - 1, 3, 3, 3)
    genres = {row[0]: row[3] for row in results[1][1]["tracks"]}
    assert json.loads(genres["5SuOikwiRyPMVoIQDJUgSV"]) == ["acoustic", "j-pop"]


def test_an_error_after_written_batches_imports_nothing(demo_store, tmp_path, monkeypatch):
    monkeypatch.setattr("spotui.sources.csv_import.BATCH_ROWS", 2)
    ids = [f"{i:022d}" for i in range(50)]
    rows = [f"spotify:track:{i},S{n},A,0.5,0.5" for n, i in enumerate(ids)]
    rows[47] = rows[47].replace(",0.5,0.5", ",0.5,5")
    path = tmp_path / "late.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    before = snapshot(demo_store)
    with pytest.raises(ImportFormatError) as info:
        import_csv(demo_store, path)
    assert (info.value.line, info.value.column) == (49, "Valence")
    assert snapshot(demo_store) == before
    assert demo_store.tracks.get_track(ids[0]) is None


def test_bad_utf8_deep_in_a_large_file_names_its_line(store, tmp_path):
    body = "".join(
        f"spotify:track:{i:022d},Song {i},Artist,0.5,0.5\n" for i in range(40_000)
    ).encode()
    path = tmp_path / "late_latin1.csv"
    path.write_bytes(
        f"{HEADER}\n".encode()
        + body
        + "spotify:track:4uLU6hMCjMI75M1A2tKUQD,Caf\u00e9,A,0.1,0.2\n".encode("latin-1")
    )
    with pytest.raises(ImportFormatError) as info:
        import_csv(store, path)
    assert info.value.line == 40_002
    assert f"byte {len(HEADER) + 1 + len(body) + 40}" in str(info.value)
    assert store.queries.counts()["all_tracks"] == 0


REAL = paths.REAL
REAL_CSV = REAL / "spotify_tracks_114genre_sample.csv.gz"


@pytest.mark.skipif(not REAL_CSV.exists(), reason="real Kaggle sample not present")
def test_the_real_kaggle_sample_imports_with_its_undetected_values(store, tmp_path):
    import gzip

    path = tmp_path / "sample.csv"
    path.write_bytes(gzip.decompress(REAL_CSV.read_bytes()))
    result = import_csv(store, path, kind="catalog")
    assert (result.rows, result.tracks, result.with_features) == (17_949, 17_949, 17_949)
    assert result.not_detected == 42 + 44  # tempo 0 and time signature 0; no key -1
    assert result.conflicts == 0
    assert (
        store.conn.execute("SELECT count(*) FROM features WHERE tempo IS NULL").fetchone()[0] == 42
    )


def test_cli_hostile_files_exit_2_with_one_line(cli, tmp_path):
    bad = tmp_path / "huge.csv"
    bad.write_text(f"{RANGE_HEADER}\n{_with_cell('Duration (ms)', '1e999')}\n")
    for target, expected in [
        (bad, f"{bad}, line 2, column 'Duration (ms)': '1e999' is not a duration"),
        (tmp_path, f"{tmp_path}: is a directory, not a CSV file."),
    ]:
        res = cli("import", str(target))
        assert res.returncode == 2
        assert res.stderr.startswith(f"error: {expected}")
        assert len(res.stderr.strip().splitlines()) == 1
        assert "Traceback" not in res.stderr


# ---------------------------------------------------------------- gzip and zip (issue 20)
def test_a_gzipped_csv_imports_by_its_bytes_not_its_name(store, tmp_path):
    import gzip

    text = (DATA / "exportify_net.csv").read_bytes()
    for name in ("liked.csv.gz", "liked.csv"):  # a gzip named .csv is still a gzip
        path = tmp_path / name
        path.write_bytes(gzip.compress(text))
        result = import_csv(store, path)
        assert (result.layout, result.rows, result.tracks) == ("exportify", 4, 3)
        assert result.files == []
    assert store.tracks.get_track("4uLU6hMCjMI75M1A2tKUQC").name == "Never Gonna Give You Up"


def test_bad_utf8_inside_a_gzip_names_its_line(store, tmp_path):
    import gzip

    path = tmp_path / "latin1.csv.gz"
    path.write_bytes(
        gzip.compress(
            f"{HEADER}\n{GOOD_ROW}\n".encode()
            + "spotify:track:4uLU6hMCjMI75M1A2tKUQD,Caf\u00e9,A,0.1,0.2\n".encode("latin-1")
        )
    )
    with pytest.raises(ImportFormatError) as info:
        import_csv(store, path)
    assert str(info.value) == (
        f"{path}, line 3: not valid UTF-8 text (byte 148); save the file as UTF-8. "
        "Nothing was imported."
    )


def test_a_cut_short_gzip_is_named_and_imports_nothing(store, tmp_path):
    import gzip

    path = tmp_path / "cut.csv.gz"
    path.write_bytes(gzip.compress(f"{HEADER}\n".encode() + f"{GOOD_ROW}\n".encode() * 50)[:-12])
    with pytest.raises(ImportFormatError, match="the compressed file is damaged or cut short"):
        import_csv(store, path)
    assert store.queries.counts()["all_tracks"] == 0


def _exportify_zip(path: Path, members: dict[str, str]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in members.items():
            z.writestr(name, text)
    return path


def test_exportifys_zip_imports_every_csv_in_it(store, tmp_path):
    other = "spotify:track:4uLU6hMCjMI75M1A2tKUQD,Other,Band,0.1,0.2"
    path = _exportify_zip(
        tmp_path / "spotify_playlists.zip",
        {
            "liked.csv": f"{HEADER}\n{GOOD_ROW}\n",
            "road_trip.csv": f"{HEADER}\n{GOOD_ROW}\n{other}\n",
            "__MACOSX/._liked.csv": "\x00\x01",
            "notes.txt": "not a csv",
        },
    )
    result = import_csv(store, path)
    assert result.files == ["liked.csv", "road_trip.csv"]
    assert (result.rows, result.tracks, result.new_tracks) == (3, 2, 2)
    assert result.summary().startswith(
        f"Imported 2 tracks (2 new) from {path} (2 CSV files) [exportify layout] into your "
        "library; 2 with audio features."
    )
    assert store.tracks.get_track("4uLU6hMCjMI75M1A2tKUQD").name == "Other"
    assert import_csv(store, path).new_tracks == 0  # again: nothing new


def test_a_bad_row_in_one_zip_member_names_it_and_imports_nothing(store, tmp_path):
    path = _exportify_zip(
        tmp_path / "export.zip",
        {
            "a.csv": f"{HEADER}\n{GOOD_ROW}\n",
            "b.csv": f"{HEADER}\nspotify:track:4uLU6hMCjMI75M1A2tKUQD,S,A,loud,0.5\n",
        },
    )
    before = snapshot(store)
    with pytest.raises(ImportFormatError) as info:
        import_csv(store, path)
    assert str(info.value) == (
        f"{path}: b.csv, line 2, column 'Energy': 'loud' is not a number. Nothing was imported."
    )
    assert snapshot(store) == before  # a.csv was rolled back too
    empty = _exportify_zip(tmp_path / "empty.zip", {"readme.txt": "hi"})
    with pytest.raises(ImportFormatError) as info:
        import_csv(store, empty)
    assert str(info.value) == f"{empty}: a zip file with no .csv file in it. Nothing was imported."


def test_the_summary_names_the_feature_columns_the_file_lacks(store, tmp_path):
    path = tmp_path / "some.csv"
    path.write_text(
        "Track URI,Track Name,Artist Name(s),Danceability,Energy,Valence,Acousticness,"
        "Instrumentalness\n"
        "spotify:track:4uLU6hMCjMI75M1A2tKUQC,Song,Artist,0.5,0.6,0.7,0.1,0.0\n"
    )
    result = import_csv(store, path)
    assert result.missing_features == ["speechiness", "liveness", "tempo", "loudness"]
    assert result.as_dict()["missing_features"] == result.missing_features
    assert result.summary() == (
        f"Imported 1 track (1 new) from {path} [exportify layout] into your library; 1 with "
        "audio features. No column for: speechiness, liveness, tempo, loudness (these tracks "
        "have no values for them)."
    )
    ids_only = import_csv(store, DATA / "plain_ids.csv")
    assert ids_only.summary().endswith(
        "No audio-feature columns: features are looked up from Spotify or ReccoBeats after a sync."
    )
    assert import_csv(store, DATA / "exportify_net.csv").missing_features == []


@pytest.mark.skipif(not REAL_CSV.exists(), reason="real Kaggle sample not present")
def test_cli_imports_the_real_gzipped_sample_directly(cli):
    res = cli("import", str(REAL_CSV), "--as", "catalog")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().startswith(
        f"Imported 17,949 tracks (17,949 new) from {REAL_CSV} [kaggle layout] into the "
        "recommendation catalog; 17,949 with audio features."
    )
    assert "No column for" not in res.stdout

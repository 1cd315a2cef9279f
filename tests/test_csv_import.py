"""CSV import: every layout imported exactly; every malformed file rejected whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spotui.errors import ImportFormatError
from spotui.model import Features, Track
from spotui.sources.csv_import import import_csv
from spotui.spotify.ids import parse_track_id
from tests.store_helpers import artist_ids

DATA = Path(__file__).parent / "data"


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
    rick = store.get_track("4uLU6hMCjMI75M1A2tKUQC")
    assert rick == Track(
        "4uLU6hMCjMI75M1A2tKUQC",
        "Never Gonna Give You Up",
        ("Rick Astley",),
        "Whenever You Need Somebody",
        213573,
        "1987-11-12",
        ("dance rock", "new wave pop"),
    )
    both = store.get_track("7GhIk7Il098yCjg4BQjzvb")
    assert both.name == "Never Let Me Go, Pt. 2"
    assert both.artists == ("Ana Lua", "Bo Ring")
    f = store.get_features("4uLU6hMCjMI75M1A2tKUQC")
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
    assert store.get_features("0VjIjW4GlUZAMYd2vXMi3b") is None
    assert store.track_ids("library") == [
        "4uLU6hMCjMI75M1A2tKUQC",
        "7GhIk7Il098yCjg4BQjzvb",
        "0VjIjW4GlUZAMYd2vXMi3b",
    ]


def test_exportify_watsonbox_layout(store):
    result = import_csv(store, DATA / "exportify_watsonbox.csv")
    assert (result.layout, result.tracks, result.with_features) == ("exportify", 1, 1)
    t = store.get_track("3n3Ppam7vgaVa1iaRUc9Lp")
    assert t.isrc == "USIR20400274"
    assert t.duration_ms == 222973 and t.release_date == "2004-06-07"
    assert t.genres == ("alternative rock", "modern rock")
    assert artist_ids(store, t.id) == ["0C0XlULifJtAgn6ZNCW2eu"]
    assert store.get_features(t.id).tempo == 148.033


def test_kaggle_layout_merges_genres(store):
    result = import_csv(store, DATA / "kaggle.csv", kind="catalog")
    assert (result.layout, result.rows, result.tracks) == ("kaggle", 4, 3)
    comedy = store.get_track("5SuOikwiRyPMVoIQDJUgSV")
    assert comedy.genres == ("acoustic", "j-pop")
    assert store.get_track("1iJBSr7s7jYXzM8EGcbK5b").artists == ("Ingrid Michaelson", "ZAYN")
    assert store.get_features("4qPNDBW1i3p13qLCt0Ki3A").instrumentalness == pytest.approx(5.56e-06)
    # catalog: candidates, not library
    assert store.track_ids("library") == []
    assert len(store.track_ids("catalog")) == 3


def test_plain_layouts(store):
    r1 = import_csv(store, DATA / "plain.csv")
    assert (r1.layout, r1.tracks, r1.with_features) == ("plain", 2, 1)
    ids = store.track_ids("library")
    assert all(i.startswith("local:") for i in ids)
    assert store.get_tracks(ids)[0].name == "Clair de Lune"
    r2 = import_csv(store, DATA / "plain_ids.csv")
    assert r2.tracks == 2
    assert store.get_track("4uLU6hMCjMI75M1A2tKUQC").artists == ("Rick Astley",)


def test_reimport_changes_nothing(store):
    import_csv(store, DATA / "exportify_net.csv")
    before = snapshot(store)
    again = import_csv(store, DATA / "exportify_net.csv")
    assert again.new_tracks == 0
    assert snapshot(store) == before


def test_provider_features_are_not_overwritten_by_csv(store):
    store.upsert_tracks([Track("4uLU6hMCjMI75M1A2tKUQC", "Never Gonna Give You Up")])
    store.upsert_features([Features("4uLU6hMCjMI75M1A2tKUQC", "reccobeats", energy=0.5)])
    result = import_csv(store, DATA / "exportify_net.csv")
    assert result.features_kept == 1
    assert store.get_features("4uLU6hMCjMI75M1A2tKUQC").provider == "reccobeats"


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
    assert store.counts()["all_tracks"] == 0


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

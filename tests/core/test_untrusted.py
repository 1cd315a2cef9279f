"""Names are data, never terminal commands (spotui.core.untrusted and every place that shows a name).

The oracle is the terminal's: whatever a name holds, what spotui writes holds no byte a
terminal acts on (ESC, BEL, any other C0 but tab and newline, DEL, C1, a bidi override), no
name is read as markup (no MarkupError, no hidden ``[link]``), and the name is still there,
visibly (``␛[2J``). The pure rules and renderers are fuzzed with many examples; the CLI
commands run as subprocesses on a library of hostile names, a few examples each.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
from dataclasses import replace
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.console import Console

from spotui.analysis.recommend.recommender import RecommendationResult
from spotui.core.records import Cluster, Track
from spotui.core.untrusted import REPLACEMENT, csv_cell, from_csv_cell, inert, json_inert
from spotui.store import Store
from tests.conftest import run_cli
from tests.fakes.spotify import FakeSpotify

EXAMPLES = int(os.environ.get("SPOTUI_FUZZ_EXAMPLES", "200"))

#: The names of the issue: each one a terminal command or a markup tag if shown as it is.
HOSTILE = [
    "[/]",
    "\x1b[2J",
    "\x1b]0;pwned\x07",
    "\x1b]52;c;cHduZWQ=\x07",  # OSC 52: write "pwned" to the clipboard
    "\x1b[6n",  # the terminal answers by typing into the shell
    "\x9b6n",  # the same as a one-byte C1 CSI
    "\u202eevil",
    "[link=https://evil]x[/link]",
    "two\r\nlines",
    '=HYPERLINK("http://x")',
]
#: Anything a terminal could act on, and the bidi overrides/isolates.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=20),  # every code point, controls and surrogates included
    st.lists(st.sampled_from(HOSTILE + ["[b]", "[/b]", "x", " "]), max_size=5).map("".join),
)


def forbidden(text: str) -> list[str]:
    return FORBIDDEN.findall(text)


# ---------------------------------------------------------------------- the rule
@pytest.mark.parametrize(
    "name, shown",
    [
        ("\x1b[2J", "␛[2J"),
        ("\x1b]0;pwned\x07", "␛]0;pwned␇"),
        ("\x1b[6n", "␛[6n"),
        ("\x9b6n", "\ufffd6n"),
        ("\u202eevil", "\ufffdevil"),
        ("\u2066x\u2069", "\ufffdx\ufffd"),
        ("two\r\nlines", "two␍␊lines"),
        ("a\x00b\x7fc", "a␀b␡c"),
        ("tab\tkept", "tab\tkept"),
        ("[/] [link=https://evil]x[/link]", "[/] [link=https://evil]x[/link]"),  # markup: faces
        ("שלום\u200f!", "שלום\u200f!"),  # a right-to-left mark is kept
        ("Beyoncé — Halo", "Beyoncé — Halo"),
    ],
)
def test_inert_replaces_what_a_terminal_acts_on_visibly(name, shown):
    assert inert(name) == shown


def test_multiline_keeps_newlines_only():
    assert inert("one\ntwo\r\x1b", multiline=True) == "one\ntwo␍␛"
    assert inert("one\ntwo") == "one␊two"


def test_a_clean_name_is_returned_as_is():
    name = "Song, One — Ana Lua"
    assert inert(name) is name


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text(), st.booleans())
def test_inert_leaves_nothing_to_act_on_and_keeps_one_character_per_character(text, multiline):
    shown = inert(text, multiline=multiline)
    assert forbidden(shown) == []
    assert not re.search("[\ud800-\udfff]", shown)
    assert len(shown) == len(text)  # a replacement per character, nothing dropped
    assert inert(shown, multiline=multiline) == shown
    if not multiline:
        assert "\n" not in shown
    assert shown.encode("utf-8").decode("utf-8") == shown  # printable: no lone surrogate


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.recursive(st.none() | st.text() | st.integers(), lambda c: st.lists(c, max_size=3)))
def test_json_inert_is_the_same_data_without_raw_controls(data):
    document = json_inert(json.dumps({"x": data}, ensure_ascii=False))
    assert json.loads(document) == {"x": data}
    assert forbidden(document.replace("\n", "")) == []


def test_csv_cell_neutralises_a_formula_exactly():
    assert csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [csv_cell(x) for x in ["+1", "-ism", "@home", "\tx", "\rx"]] == [
        "'+1",
        "'-ism",
        "'@home",
        "'\tx",
        "'\rx",
    ]
    assert csv_cell("'Til Tuesday") == "'Til Tuesday"  # an apostrophe that protects nothing
    assert csv_cell("'=x") == "''=x"  # looks protected: protected once more, so it reads back


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text())
def test_csv_cells_read_back_exactly_and_never_start_a_formula(text):
    cell = csv_cell(text)
    assert from_csv_cell(cell) == text
    assert cell[:1] not in set("=+-@\t\r")


# ---------------------------------------------------------------------- the renderers
def rendered(renderable, width: int = 60) -> str:
    """What Rich writes for ``renderable`` on a terminal without colours: no style codes,
    so any control character in it came from the data."""
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(renderable)
    return console.file.getvalue()


@settings(max_examples=EXAMPLES, deadline=None)
@given(name=hostile_text, artist=hostile_text, reason=hostile_text, label=hostile_text)
@example(name="a", artist="b", reason="c", label="\t")  # a tab is data, drawn as blank
def test_tui_renderers_show_any_name_as_inert_text(name, artist, reason, label):
    from spotui.tui.widgets import cluster_list, recommendations
    from spotui.tui.widgets.track_table import fit

    rec = RecommendationResult(Track("t1", name, (artist,)), 0.5, 0.5, reason, False)
    out = rendered(recommendations._row(1, rec)) + rendered(cluster_list._row("♫ ", "", label, 3))
    out += fit(name, 12) + fit(artist, 200)
    assert forbidden(out.replace("\n", "")) == []
    # the label itself is on screen (a tab is kept as data and drawn as blank space)
    shown = inert(label).replace("\t", " ")[:1]
    assert shown in rendered(cluster_list._row("♫ ", "", label, 3), width=200)


def test_tui_renderers_show_the_name_itself():
    from spotui.tui.widgets import recommendations
    from spotui.tui.widgets.track_table import fit

    rec = RecommendationResult(Track("t1", "\x1b]0;pwned\x07", ("[/]",)), 1.0, 1.0, "r", True)
    line = rendered(recommendations._row(1, rec), width=60).splitlines()[0]
    assert line == " 1. ␛]0;pwned␇ — [/]" + " " * 29 + " in library"
    assert fit("\x1b[2J and more", 8) == "␛[2J an…"


@settings(
    max_examples=max(20, EXAMPLES // 4),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(names=st.lists(hostile_text, min_size=3, max_size=3), title=hostile_text)
def test_cli_tables_show_any_name_as_inert_text(names, title):
    from spotui.cli import recommend, segment

    tracks = [Track(f"t{i}", n, (n,)) for i, n in enumerate(names)]
    recs = SimpleNamespace(
        title=title,
        results=[
            RecommendationResult(t, 0.5, 0.5, names[0], i % 2 == 0) for i, t in enumerate(tracks)
        ],
        legend="Ordered by sound.",
        far_note=None,
    )
    cluster = Cluster(0, title, 3, reasons=tuple(names), color="red")
    result = SimpleNamespace(
        clusters=[cluster],
        examples={0: [t.id for t in tracks]},
        unanalysed=[],
        note="",
        requested_k=None,
        k=1,
        method="kmeans",
        scores={},
        reused=False,
        change_lines=lambda: [f"“{title}” is now “{names[0]}”."],
        unanalysed_line=lambda: "",
    )
    ctx = SimpleNamespace(
        session=SimpleNamespace(library=SimpleNamespace(tracks=lambda ids: tracks))
    )
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        recommend._print_table(recs, new_only=False)
        recommend._print_table(SimpleNamespace(title=title, results=[]), new_only=True)
        segment._print_table(ctx, result)
    assert forbidden(stdout.getvalue().replace("\n", "")) == []


@settings(max_examples=EXAMPLES, deadline=None)
@given(hostile_text)
def test_cli_lines_and_json_are_inert(text):
    from spotui.cli import err, out, print_json

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        out(f"Queued 1 track on {text}.\nnext line")
        err(f"error: no track {text}")
        print_json({"name": text})
    assert forbidden(stdout.getvalue().replace("\n", "")) == []
    assert forbidden(stderr.getvalue().replace("\n", "")) == []
    assert json.loads(stdout.getvalue().split("next line\n", 1)[1]) == {"name": text}


# ---------------------------------------------------------------------- files
def test_csv_export_neutralises_a_formula_and_reads_it_back(store, tmp_path):
    from spotui.export.files import write_file
    from spotui.sources.csv_import import import_csv

    tid = "4uLU6hMCjMI75M1A2tKUQC"
    track = Track(tid, '=HYPERLINK("http://x")', ("@evil", "Bo"), "-album", genres=("+pop",))
    store.tracks.upsert_tracks([track])
    store.library.add_saved([(tid, None)])
    out = tmp_path / "x.csv"
    write_file(store, [tid], "csv", out)
    row = list(csv.reader(out.open(encoding="utf-8")))[1]
    assert row[:4] == [f"spotify:track:{tid}", '\'=HYPERLINK("http://x")', "'-album", "'@evil,Bo"]
    assert row[10] == "'+pop"
    assert (
        out.read_text(encoding="utf-8")
        .splitlines()[1]
        .startswith(f'spotify:track:{tid},"\'=HYPERLINK(""http://x"")",')
    )
    with Store.open(tmp_path / "fresh.sqlite3") as fresh:
        import_csv(fresh, out)
        assert fresh.tracks.get_track(tid) == track  # the "'" comes off again


def test_m3u_lines_hold_no_control_and_json_keeps_the_name(store, tmp_path):
    from spotui.export.files import write_file

    tid = "4uLU6hMCjMI75M1A2tKUQC"
    store.tracks.upsert_tracks([Track(tid, "a\nb\x1b[2J\x9b", ("\u202eX",), duration_ms=1000)])
    write_file(store, [tid], "m3u", tmp_path / "x.m3u", title="t\r\n#EXTINF:0,fake")
    assert (tmp_path / "x.m3u").read_text(encoding="utf-8").splitlines() == [
        "#EXTM3U",
        "#PLAYLIST:t␍␊#EXTINF:0,fake",
        "#EXTINF:1,\ufffdX - a␊b␛[2J\ufffd",
        f"https://open.spotify.com/track/{tid}",
    ]
    write_file(store, [tid], "json", tmp_path / "x.json")
    text = (tmp_path / "x.json").read_text(encoding="utf-8")
    assert forbidden(text.replace("\n", "")) == [] and "\\u009b" in text
    assert json.loads(text)["tracks"][0]["name"] == "a\nb\x1b[2J\x9b"


# ---------------------------------------------------------------------- the CLI
@pytest.fixture
def hostile_data_dir(segmented_demo, tmp_path):
    """The segmented demo library in a data dir, every track and playlist renamed to one of
    :data:`HOSTILE` (so every example, recommendation and playlist is a hostile name)."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(segmented_demo, data / "demo.sqlite3")
    with Store.open(data / "demo.sqlite3") as s:
        tracks = s.tracks.get_tracks(scope="all")  # the catalog too: it is recommended
        s.tracks.upsert_tracks(
            replace(t, name=f"{HOSTILE[i % len(HOSTILE)]} {i}", artists=(HOSTILE[-i % 9],))
            for i, t in enumerate(tracks)
        )
        s.library.upsert_playlists(
            replace(p, name=HOSTILE[i]) for i, (p, _) in enumerate(s.library.playlists())
        )
    return data


def assert_inert(done) -> None:
    assert done.returncode == 0, done.stderr
    for stream in (done.stdout, done.stderr):
        assert forbidden(stream.replace("\n", "")) == [], stream
    assert "MarkupError" not in done.stderr and "Traceback" not in done.stderr


def test_cli_commands_print_hostile_names_inert(cli, hostile_data_dir):
    with Store.open(hostile_data_dir / "demo.sqlite3") as s:
        first = s.tracks.track_ids()[0]
        playlist = s.library.playlists()[0][0]
        name = s.tracks.get_track(first).name
    assert name == "[/] 0"
    done = cli("--demo", "segment")
    assert_inert(done)
    assert "␛[2J" in done.stdout or "␛]0;pwned␇" in done.stdout  # examples are shown, inert
    done = cli("--demo", "recommend", "--track", first, "-n", "20")
    assert_inert(done)
    assert done.stdout.startswith("Like “[/] 0” by ") and "␛" in done.stdout
    done = cli("--demo", "recommend", "--track", first, "-n", "5", "--json")
    assert_inert(done)
    names = [r["name"] for r in json.loads(done.stdout)]  # JSON: the exact names, escaped
    assert len(names) == 5 and all(n.rsplit(" ", 1)[0] in HOSTILE for n in names)
    done = cli("--demo", "export", "--recommend", "--playlist", playlist.id, "--dry-run")
    assert_inert(done)
    assert playlist.name in HOSTILE and f"“{inert(playlist.name)}”" in done.stdout
    done = cli(
        "--demo", "export", "--recommend", "--track", first, "--name", "\x1b[2J", "--dry-run"
    )
    assert_inert(done)
    assert "spotui · ␛[2J" in done.stdout or "“␛[2J”" in done.stdout
    done = cli("--demo", "queue", first)
    assert_inert(done)


@pytest.mark.parametrize("device", ["\x1b]0;pwned\x07", "[/]\x9b6n\u202e"])
def test_cli_queue_and_doctor_show_hostile_device_and_display_names_inert(tmp_path, device):
    with FakeSpotify(display_name=device) as sp:
        sp.devices[0]["name"] = device
        sp.write_token(tmp_path / "c" / "token.json")
        env = sp.env() | {"SPOTUI_DATA_DIR": str(tmp_path / "d")}
        env["SPOTUI_CONFIG_DIR"] = str(tmp_path / "c")
        done = run_cli("queue", "4uLU6hMCjMI75M1A2tKUQC", env=env, timeout=60)
        assert_inert(done)
        assert done.stdout.splitlines()[0] == f"Queued 1 track on {inert(device)}."
        sp.devices[0]["is_active"] = False
        done = run_cli("queue", "4uLU6hMCjMI75M1A2tKUQC", env=env, timeout=60)
        assert done.returncode == 2
        assert forbidden(done.stderr.replace("\n", "")) == []
        assert f"{inert(device)} (Computer)" in done.stderr
        done = run_cli("doctor", env=env, timeout=60)
        assert forbidden(done.stdout.replace("\n", "")) == []
        assert f"logged in as {inert(device)} (alice)" in done.stdout
        done = run_cli("doctor", "--json", env=env, timeout=60)
        assert forbidden(done.stdout.replace("\n", "")) == []
        account = {c["name"]: c for c in json.loads(done.stdout)["checks"]}["Account"]
        assert account["detail"] == f"logged in as {device} (alice)"  # JSON: the exact name


def test_replacement_is_visible():
    assert REPLACEMENT == "\ufffd" and inert("\x85") == "�"

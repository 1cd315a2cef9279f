"""The TUI's first read of the library (one SQL aggregate, in a thread started before
Textual is imported) and the first frame it makes possible.

The aggregate replaced a per-row query because each row stepped re-takes the GIL; these
tests hold it to the per-row meaning: same tracks, same order, same names and values,
whatever the names contain.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spotui.core.records import Features, Track
from spotui.store import Store
from spotui.tui.rows import TABLE_FEATURES

COLUMNS = [f for f, _, _ in TABLE_FEATURES]
EXAMPLES = int(os.environ.get("SPOTUI_FUZZ_EXAMPLES", "40"))

# Names as they come from Spotify or a CSV: quotes, backslashes, commas, brackets that look
# like markup, control characters, non-BMP characters, empty.
names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
)
values = st.one_of(st.none(), st.floats(0, 1, allow_nan=False, width=32))


def _expected(store: Store) -> list[tuple]:
    """The table's meaning, read row by row the plain way."""
    library = {r[0] for r in store.conn.execute("SELECT track_id FROM library")}
    cols = "".join(f", f.{c}" for c in COLUMNS)
    out = []
    for r in store.conn.execute(
        f"SELECT t.id, t.name, t.artists{cols} FROM tracks t "
        "LEFT JOIN features f ON f.track_id = t.id ORDER BY t.rowid"
    ):
        if r[0] in library:
            out.append((r[0], r[1] or r[0], ", ".join(json.loads(r[2])), r[3:]))
    return out


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    tracks=st.lists(
        st.tuples(
            names,
            st.lists(names, max_size=3),
            st.booleans(),  # in the library (else catalog only)
            st.lists(values, min_size=len(COLUMNS), max_size=len(COLUMNS)),
            st.booleans(),  # has features
        ),
        max_size=25,
    )
)
def test_library_table_means_what_a_row_by_row_read_means(tracks) -> None:
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "lib.db") as store:
        ids = [f"id{i:03d}" for i in range(len(tracks))]
        store.tracks.upsert_tracks(
            Track(tid, name, tuple(artists))
            for tid, (name, artists, *_) in zip(ids, tracks, strict=True)
        )
        store.library.add_saved((tid, None) for tid, t in zip(ids, tracks, strict=True) if t[2])
        store.tracks.upsert_features(
            Features(tid, "csv", **{c: v for c, v in zip(COLUMNS, t[3], strict=True)})
            for tid, t in zip(ids, tracks, strict=True)
            if t[4]
        )
        table = store.queries.library_table(COLUMNS)
        expected = _expected(store)

    assert table.ids == [e[0] for e in expected]
    assert table.titles == [e[1] for e in expected]
    assert table.artists == [e[2] for e in expected]
    assert len(table.values) == len(expected) * len(COLUMNS)
    for i, (*_, row) in enumerate(expected):
        got = table.values[i * len(COLUMNS) : (i + 1) * len(COLUMNS)]
        for v, g in zip(row, got, strict=True):
            assert math.isnan(g) if v is None else g == pytest.approx(v, rel=1e-6)


def test_library_order_is_the_order_tracks_were_stored(tmp_path) -> None:
    with Store.open(tmp_path / "lib.db") as store:
        store.tracks.upsert_tracks([Track("b", "B"), Track("a", "A"), Track("c", "C")])
        store.library.add_imports(["c", "a"], "library", "x.csv")  # imported in another order
        store.library.add_saved([("b", None)])
        table = store.queries.library_table(COLUMNS)
    assert table.ids == ["b", "a", "c"]
    assert all(math.isnan(v) for v in table.values)  # no features: NaN, not 0


def test_an_empty_library_reads_as_empty_columns(tmp_path) -> None:
    with Store.open(tmp_path / "lib.db") as store:
        table = store.queries.library_table(COLUMNS)
    assert (table.ids, table.titles, table.artists, len(table.values)) == ([], [], [], 0)


def test_artists_that_are_not_a_json_list_are_shown_as_stored(tmp_path) -> None:
    """A damaged artists value must not stop the library from showing."""
    with Store.open(tmp_path / "lib.db") as store:
        store.tracks.upsert_tracks(
            [Track("a", "Song", ("Ann", 'Bo "B" \\ C')), Track("b", "Other")]
        )
        store.library.add_saved([("a", None), ("b", None)])
        store.conn.execute("UPDATE tracks SET artists = 'not json' WHERE id = 'b'")
        table = store.queries.library_table(COLUMNS)
    assert table.artists == ['Ann, Bo "B" \\ C', "not json"]


def test_playlist_items_keep_their_order_and_only_owned_playlists(tmp_path) -> None:
    from spotui.core.records import Playlist

    with Store.open(tmp_path / "lib.db") as store:
        store.tracks.upsert_tracks([Track(t, t) for t in "abcd"])
        store.library.upsert_playlists(
            [Playlist("p1", "Mine", owned=True), Playlist("p2", "Theirs", owned=False)]
        )
        store.library.put_playlist_items("p1", 1, [("a", None), ("d", None)])  # a later page first
        store.library.put_playlist_items("p1", 0, [("c", None)])
        store.library.put_playlist_items("p2", 0, [("b", None)])
        assert store.library.owned_playlist_items() == {"p1": ["c", "a", "d"]}


def test_spotui_alone_builds_no_parser_and_opens_the_tui(monkeypatch, tmp_path) -> None:
    """``spotui`` and ``spotui --demo`` go straight to the TUI (argparse is never imported
    on that path); anything else is parsed as before."""
    code = (
        "import sys\n"
        "import spotui.tui.start as start\n"
        "seen = []\n"
        "start.run_tui = lambda config: seen.append(config.demo) or 0\n"
        "from spotui.cli import main\n"
        "assert main([]) == 0 and main(['--demo']) == 0\n"
        "print(seen, 'argparse' in sys.modules)\n"
    )
    env = {**os.environ, "SPOTUI_DATA_DIR": str(tmp_path), "SPOTUI_CONFIG_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[False, True] False"


def test_the_first_frame_of_the_main_screen_already_shows_the_library(demo_app, monkeypatch):
    """The library was read before the main screen was made: its first paint has the rows
    (no empty table painted first), holds about a screenful, and the rest of the page
    follows after that paint, when the app says the library is shown."""
    import asyncio

    from spotui.tui.widgets.track_table import PAGE, TrackTable
    from tests.tui.pilot import settle

    painted: list[tuple[int, int, bool]] = []
    render_lines = TrackTable.render_lines

    def recording(self, crop):
        lines = render_lines(self, crop)
        painted.append((self.virtual_size.height, self.row_count, demo_app.library_shown.is_set()))
        return lines

    monkeypatch.setattr(TrackTable, "render_lines", recording)

    async def scenario() -> None:
        async with demo_app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            table = demo_app.screen.query_one(TrackTable)
            assert table.row_count == min(PAGE, len(demo_app.rows))

    asyncio.run(scenario())
    height, rows, shown = painted[0]
    assert rows > 0 and height == rows + 1  # rows and the header, measured
    assert rows <= 40 + 2  # a screenful first, not the whole page
    assert not shown  # said only after that paint


def test_a_filter_that_matches_nothing_shows_an_empty_table_and_says_so(demo_app):
    """An empty view has no rows to wait for: filling it still completes (the rest-of-page
    and painted hooks run), and the detail pane says there is nothing here."""
    import asyncio

    from spotui.tui.widgets.track_table import TrackTable
    from tests.tui.pilot import settle, wait_for

    async def scenario() -> None:
        async with demo_app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"zzzzqqq")
            table = demo_app.screen.query_one(TrackTable)
            await wait_for(
                pilot,
                lambda: (
                    table.view_size == 0
                    and "No tracks here." in str(demo_app.screen.query_one("#detail").render())
                ),
                what="the filter left no rows and the detail pane says so",
            )
            assert (table.row_count, table.view_size, table._page_pending) == (0, 0, False)
            assert "No tracks here." in str(demo_app.screen.query_one("#detail").render())
            await pilot.press("escape")
            await wait_for(pilot, lambda: table.view_size == len(demo_app.rows))

    asyncio.run(scenario())

"""Pilot tests of the keys from issue 14: q never sends anything, vim keys in every list,
enter on a recommendation, sort to the top, import/export from the main screen."""

from __future__ import annotations

import csv
import io
import json

import numpy as np

from spotui.tui.screens.confirm import ConfirmDialog, ExportDialog
from spotui.tui.screens.export_file import FileExportDialog
from spotui.tui.screens.help import HelpScreen
from spotui.tui.screens.main import MainScreen
from spotui.tui.screens.map import MapScreen
from spotui.tui.screens.rec_detail import RecDetailScreen
from spotui.tui.screens.welcome import ImportDialog
from spotui.tui.source import UNANALYSED
from spotui.tui.widgets.cluster_list import ClusterList
from spotui.tui.widgets.path_input import complete_path
from spotui.tui.widgets.recommendations import RecommendationList
from spotui.tui.widgets.track_table import TrackTable, fit
from tests import paths
from tests.tui.pilot import (
    idle,
    ready,
    recs_settled,
    settle,
    sync,
    view_ids,
    wait_for,
    workers_done,
)

DATA = paths.DATA


async def recs_ready(pilot) -> RecommendationList:
    await wait_for(pilot, lambda: recs_settled(pilot.app), what="recommendations settled")
    await workers_done(pilot.app)
    await pilot.pause()
    return pilot.app.screen.query_one(RecommendationList)


def rendered(renderable, width: int) -> str:
    """What a rich renderable shows at ``width``, wrapped lines joined by spaces."""
    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return " ".join(console.export_text().split())


def outbox(config) -> list[dict]:
    path = config.outbox_path
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


@sync
async def test_q_quits_from_every_pane_and_never_writes_the_outbox(demo_app):
    for pane in ("#tracks", "#clusters", "#recs", "#detail-scroll"):
        app = type(demo_app)(demo_app.config)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await ready(pilot)
            await recs_ready(pilot)
            screen.query_one(pane).focus()
            await pilot.press("q")
            await wait_for(pilot, lambda app=app: app._exit, what=f"q quits from {pane}")
            await workers_done(app)
    assert not demo_app.config.outbox_path.exists()


@sync
async def test_q_closes_dialogs_and_the_map_without_sending(demo_app):
    config = demo_app.config
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        app = pilot.app
        for key, kind in (("question_mark", HelpScreen), ("m", MapScreen)):
            await pilot.press(key)
            await wait_for(pilot, lambda kind=kind: isinstance(app.screen, kind))
            await pilot.press("q")
            await wait_for(pilot, lambda: app.screen is screen, what="back on the main screen")
        # The export dialog (a cluster) and the queue question (A on a cluster).
        screen.query_one(ClusterList).focus()
        await pilot.press("j", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportDialog))
        await pilot.press("q")
        await wait_for(pilot, lambda: app.screen is screen, what="the export dialog closed")
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("q")
        await wait_for(pilot, lambda: app.screen is screen, what="the question closed")
        await idle(pilot)
        assert not app._exit
    assert outbox(config) == []


@sync
async def test_a_queues_the_highlighted_track_and_A_asks_first(demo_app):
    config = demo_app.config
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("j", "j")
        track = screen.track_id
        await pilot.press("a")
        await wait_for(pilot, lambda: outbox(config), what="the track queued")
        await idle(pilot)
        assert [e["uris"] for e in outbox(config)] == [[f"spotify:track:{track}"]]
        cluster = pilot.app.result.clusters[0]
        screen.query_one(ClusterList).focus()
        await pilot.press("j", "A")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert f"Queue all {cluster.size:,} tracks of {cluster.label}?" in dialog.body
        await pilot.press("y")
        await wait_for(pilot, lambda: len(outbox(config)) == 2, what="the cluster queued")
        await idle(pilot)
        entries = outbox(config)
    assert len(entries) == 2
    assert sorted(entries[1]["uris"]) == sorted(
        f"spotify:track:{t}" for t in pilot.app.result.tracks_in(cluster.id)
    )


@sync
async def test_vim_keys_move_in_every_list(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        table = screen.query_one(TrackTable)
        await pilot.press("j", "j", "j")
        assert table.cursor_row == 3
        await pilot.press("k")
        assert table.cursor_row == 2
        assert screen.track_id == view_ids(screen)[2]
        await pilot.press("ctrl+d")
        page = table.cursor_row
        assert page > 10
        await pilot.press("ctrl+u")
        assert table.cursor_row == 2
        await pilot.press("G")  # the last of all 2,000, not of the first loaded page
        assert table.cursor_row == 1999
        assert screen.track_id == view_ids(screen)[-1]
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == 1999
        await pilot.press("home")
        assert table.cursor_row == 0
        # h / l between panes; j / k / G / g in the cluster list and the recommendations.
        await pilot.press("h")
        clusters = screen.query_one(ClusterList)
        assert screen.focused is clusters
        await pilot.press("j")
        assert clusters.highlighted == 1
        await pilot.press("G")
        assert clusters.highlighted == clusters.option_count - 1
        await pilot.press("g")
        assert clusters.highlighted == 0
        await pilot.press("l", "g", "l", "l")  # the first track (Unanalysed had moved it)
        recs = screen.query_one(RecommendationList)
        assert screen.focused is recs
        await recs_ready(pilot)
        await pilot.press("j", "j")
        assert recs.highlighted == 2
        await pilot.press("k")
        assert recs.highlighted == 1
        await pilot.press("G")
        assert recs.highlighted == len(recs.results) - 1
        await pilot.press("l")
        assert screen.focused is clusters  # wraps around


@sync
async def test_enter_on_a_recommendation_shows_the_full_reason_and_the_seed(demo_app):
    async with demo_app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("enter")  # choose the track: focus goes to its recommendations
        recs = await recs_ready(pilot)
        assert screen.focused is recs
        await pilot.press("j", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RecDetailScreen))
        detail = pilot.app.screen
        await wait_for(pilot, lambda: detail.detail is not None, what="the detail read")
        rec = recs.results[1]
        seed = pilot.app.session.library.tracks([screen.track_id])[0]
        text = rendered(detail.query_one("#rec-text").content, 78)
        assert rec.reason in text  # whole, where the pane cuts it with "…"
        assert f"“{seed.name}”" in text  # the bars are drawn against the seed track
        assert detail.detail.reference["energy"] == (
            pilot.app.session.moods.track_detail(seed.id).features.energy
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen, what="the detail closed")


@sync
async def test_sorting_jumps_to_the_top(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        table = screen.query_one(TrackTable)
        for _ in range(3):
            await pilot.press("ctrl+d")
        assert table.cursor_row > 30 and table.scroll_y > 0
        await pilot.press("3")  # energy, highest first
        await pilot.pause()
        assert table.cursor_row == 0 and table.scroll_y == 0
        rows = pilot.app.rows
        energy = rows.features[:, 0]
        assert energy[rows.index[screen.track_id]] == np.nanmax(energy)
        assert table.ordered_columns[3].label.plain == "Energy ▼"


@sync
async def test_sort_arrow_at_80_columns(demo_app):
    async with demo_app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        table = screen.query_one(TrackTable)
        await pilot.press("4")  # valence: the arrow sits after its letter in "E V D A"
        await pilot.pause()
        assert [c.label.plain for c in table.ordered_columns][3:] == ["E V▼D A", "BPM", "Key"]
        await pilot.press("7", "7")  # tempo, lowest first
        await pilot.pause()
        assert [c.label.plain for c in table.ordered_columns][3:] == ["E V D A", "BPM▲", "Key"]
        await pilot.press("2")
        await pilot.pause()
        assert table.ordered_columns[2].label.plain == "Artists ▲"


@sync
async def test_cut_cells_end_with_an_ellipsis(demo_app):
    async with demo_app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        table = screen.query_one(TrackTable)
        rows = pilot.app.rows
        _, _, title_w, artist_w = table._widths
        cut = 0
        for i in range(table.row_count):
            title, artists = (cell.plain for cell in table.get_row_at(i)[1:3])
            full = rows.artists[rows.index[view_ids(screen)[i]]]
            if len(full) > table._cut[1]:
                assert artists.endswith("…") and full.startswith(artists[:-1]), full
                cut += 1
            else:
                assert artists == full
        assert cut  # at 80 columns some artists do not fit
    assert fit("Vera Ibarra III", 14) == "Vera Ibarra I…"
    assert fit("Vera Ibarra III", 15) == "Vera Ibarra III"


@sync
async def test_cluster_pane_fits_its_labels(demo_app):
    async with demo_app.run_test(size=(160, 45)) as pilot:
        screen = await ready(pilot)
        clusters = screen.query_one(ClusterList)
        longest = max(len(c.label) for c in pilot.app.result.clusters)
        assert clusters.size.width >= longest + 3 + 5 + 2
        text = " ".join(str(clusters.render_line(y).text) for y in range(clusters.option_count + 1))
        for c in pilot.app.result.clusters:
            assert c.label in text
        assert "…" not in text


@sync
async def test_unanalysed_track_gets_a_short_message(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        clusters = screen.query_one(ClusterList)
        clusters.focus()
        clusters.select_source(UNANALYSED)
        await wait_for(pilot, lambda: screen.source == UNANALYSED, what="Unanalysed listed")
        await pilot.press("l", "j")  # into the tracks: an unanalysed track
        recs = await recs_ready(pilot)
        line = " ".join(str(recs.get_option_at_index(0).prompt).split())
        assert line.startswith("Too few audio features for this track")
        assert "sync" not in line and screen.track_id not in line
        assert recs.size.height > 10  # the pane keeps its height


@sync
async def test_export_follows_the_filter(demo_app):
    config = demo_app.config
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        cluster = pilot.app.result.clusters[0]
        screen.query_one(ClusterList).focus()
        await pilot.press("j", "slash", "e", "r")
        await wait_for(pilot, lambda: screen.query_text == "er", what="the filter applied")
        await pilot.press("enter")  # back to the table
        shown = view_ids(screen)
        assert 0 < len(shown) < cluster.size
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExportDialog))
        dialog = pilot.app.screen
        summary = str(dialog.query_one("#export-summary").render())
        assert f"{cluster.label} · “er”" in summary and f"{len(shown):,}" in summary
        assert str(config.outbox_path) in str(dialog.query_one(".hint").render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: outbox(config), what="the export written")
        await idle(pilot)
    uris = [u for e in outbox(config) for u in (e.get("uris") or [])]
    assert sorted(uris) == sorted(f"spotify:track:{t}" for t in shown)


@sync
async def test_file_export_from_the_main_screen(demo_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    async with demo_app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        cluster = pilot.app.result.clusters[1]
        screen.query_one(ClusterList).focus()
        await pilot.press("j", "j", "x")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FileExportDialog))
        dialog = pilot.app.screen
        out = dialog.query_one("#out")
        assert out.value.endswith(".csv")
        out.value = str(tmp_path / "mix.csv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.screen is screen, what="the file written")
        await idle(pilot)
        shown = view_ids(screen)
    with (tmp_path / "mix.csv").open() as fh:
        uris = [row["Track URI"] for row in csv.DictReader(fh)]
    assert sorted(uris) == sorted(f"spotify:track:{t}" for t in shown)
    assert sorted(shown) == sorted(pilot.app.result.tracks_in(cluster.id))


@sync
async def test_file_export_format_from_the_name_in_the_sort_shown(demo_app, tmp_path):
    """Typing x.m3u writes M3U (not CSV), and the file lists the tracks as the table
    shows them, sorted by energy (3)."""
    async with demo_app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        screen.query_one(ClusterList).focus()
        await pilot.press("j", "j")
        second = pilot.app.result.clusters[1].id
        await wait_for(pilot, lambda: screen.source.cluster_id == second, what="the 2nd mood")
        screen.query_one(TrackTable).focus()
        await pilot.press("3")  # by energy
        await wait_for(pilot, lambda: screen.sort_key == "energy", what="sorted by energy")
        shown = view_ids(screen)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FileExportDialog))
        dialog = pilot.app.screen
        dialog.query_one("#out").value = str(tmp_path / "x.m3u")
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.screen is screen, what="the file written")
        await idle(pilot)
    lines = (tmp_path / "x.m3u").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    links = [x.rsplit("/", 1)[1] for x in lines if x.startswith("https://open.spotify.com/")]
    assert links == shown
    energy = [pilot.app.rows.row_features(pilot.app.rows.index[t])[0] for t in shown]
    assert energy in (sorted(energy), sorted(energy, reverse=True))
    assert shown != sorted(shown)  # not the cluster's own (id) order
    assert oct((tmp_path / "x.m3u").stat().st_mode & 0o777) != "0o600"


@sync
async def test_import_from_the_main_screen(demo_app):
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        before = len(pilot.app.rows)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ImportDialog))
        dialog = pilot.app.screen
        dialog.query_one("#path").value = str(DATA / "kaggle.csv")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, MainScreen)
        assert len(pilot.app.rows) > before


@sync
async def test_palette_lists_each_action_once(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        screen.query_one(RecommendationList).focus()
        titles = [c.title for c in pilot.app.get_system_commands(screen)]
        names = [t.rsplit(" (", 1)[0] for t in titles]
        assert len(names) == len(set(names)), names
        assert "Queue recommendations (A)" in titles and "Queue tracks shown (A)" in titles
        assert "Export file (x)" in titles and "Import CSV (i)" in titles


@sync
async def test_80x24_footer_keeps_the_palette_and_dialogs_fit(demo_app):
    async with demo_app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        bar = str(screen.query_one("KeyBar").render())
        assert bar.rstrip().endswith("^p  palette") and bar.startswith(" ?  Help")
        screen.query_one(ClusterList).focus()
        await pilot.press("j", "e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExportDialog))
        box = pilot.app.screen.query_one("#dialog")
        assert box.region.y >= 0 and box.region.bottom <= 24


def test_path_completion(tmp_path):
    (tmp_path / "songs").mkdir()
    (tmp_path / "songs.csv").write_text("x")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / ".hidden.csv").write_text("x")
    base = f"{tmp_path}/"
    assert complete_path(base + "so") == base + "songs/"
    assert complete_path(base + "songs.") == base + "songs.csv"
    assert complete_path(base + "no", (".csv",)) is None
    assert complete_path(base + "no") == base + "notes.txt"
    assert complete_path(base + "so", (".csv",)) == base + "songs/"
    assert complete_path(base + "songs") == base + "songs.csv"
    assert complete_path(base + ".h") == base + ".hidden.csv"
    assert complete_path(base + "x") is None
    assert complete_path("") is None


@sync
async def test_import_error_wraps_in_the_dialog_and_imports_nothing(demo_app, tmp_path):
    bad = tmp_path / "songs.csv"
    bad.write_text(
        "Track URI,Track Name,Artist Name(s),Energy\n"
        "spotify:track:4uLU6hMCjMI75M1A2tKUQC,Song,Someone,loud\n"
    )
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        before = len(pilot.app.rows)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ImportDialog))
        dialog = pilot.app.screen
        dialog.query_one("#path").value = str(bad)
        await pilot.press("enter")
        error = dialog.query_one("#path-error")
        await wait_for(pilot, lambda: "Nothing was imported" in str(error.render()))
        await idle(pilot)
        expected = f"{bad}, line 2, column 'Energy': 'loud' is not a number. Nothing was imported."
        assert rendered(error.content, 200) == expected
        assert error.size.height >= 2 and error.region.right <= 80  # wrapped, not cut
        assert pilot.app.screen is dialog and len(pilot.app.rows) == before


def test_no_features_hint_names_the_right_fix():
    from spotui.tui.widgets.recommendations import no_features_hint

    demo, real = no_features_hint(True), no_features_hint(False)
    assert demo.startswith("Too few audio features for this track") and "sync" not in demo
    assert "`spotui features --retry`" in real and "import a CSV" in real

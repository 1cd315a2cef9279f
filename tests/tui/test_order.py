"""The order preview (``o``) and the BPM and key columns, on the demo library."""

from __future__ import annotations

import json
import math
from array import array

from rich.text import Text

from spotui.core.records import Features
from spotui.session.order import OrderSource
from spotui.tui.rows import LibraryRows
from spotui.tui.screens.confirm import ConfirmDialog, ExportDialog
from spotui.tui.screens.main import ORDER_WHAT
from spotui.tui.screens.order import OrderScreen, OrderTable
from spotui.tui.source import ALL, Source
from spotui.tui.widgets.cluster_list import ClusterList
from spotui.tui.widgets.feature_bars import key_cell
from spotui.tui.widgets.track_table import TrackTable
from tests.tui.pilot import export_summary, idle, ready, sync, view_ids, wait_for, workers_done

SUNDAY = "demoplaylist0000000000"  # "Sunday Morning", the last playlist listed


def cells(table, row: int) -> list[str]:
    return [str(c.plain if isinstance(c, Text) else c) for c in table.get_row_at(row)]


def static(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def open_sunday(pilot):
    screen = await ready(pilot)
    screen.query_one(ClusterList).focus()
    await pilot.press("end")
    await wait_for(
        pilot, lambda: screen.source == Source.playlist(SUNDAY), what="Sunday Morning shown"
    )
    await idle(pilot)
    await pilot.press("o")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, OrderScreen), what="the preview")
    preview = pilot.app.screen
    await wait_for(pilot, lambda: preview.preview is not None, what="the first order")
    await idle(pilot)
    return screen, preview


@sync
async def test_preview_shows_the_curve_and_steps_switches_arc_and_exports_that_order(demo_app):
    config = demo_app.config
    async with demo_app.run_test(size=(120, 40)) as pilot:
        _main, preview = await open_sunday(pilot)
        app = pilot.app
        source = OrderSource.playlist(SUNDAY)
        assert preview.arc == "steady"
        assert preview.preview.order == list(app.session.order.flow(source, "steady").order)
        curve = static(preview, "#order-curve").splitlines()
        assert curve[0].startswith("energy ") and curve[1].startswith("arc    ")
        table = preview.query_one(OrderTable)
        assert table.row_count == len(set(app.playlist_items[SUNDAY]))
        header = [str(c.label) for c in table.columns.values()]
        assert header == ["#", "Track", "Artist", "BPM", "Key", "Energy", "Arc", "Cost"]
        expected = app.session.order.preview(source, "steady").steps
        for row in range(3):
            step = expected[row]
            got = cells(table, row)
            assert got[0] == str(row + 1)
            assert got[3] == f"{step.tempo:.0f}" and got[4] == f"{step.camelot} · {step.key}"
            assert got[5].strip() == f"{step.energy:.2f}"
        assert cells(table, 0)[7].strip() == "–"  # nothing leads into the first track
        summary = static(preview, "#order-summary")
        flow = preview.preview.flow
        assert summary.startswith(
            f"{len(expected)} tracks · total cost {flow.total:.1f} · fit error "
            f"{flow.fit_error:.3f} · mean transition {flow.mean_transition:.2f}"
        )

        await pilot.press("2")
        await wait_for(pilot, lambda: preview.preview.arc == "build", what="the build order")
        await idle(pilot)
        build = list(app.session.order.flow(source, "build").order)
        assert (
            preview.preview.order == build != list(app.session.order.flow(source, "steady").order)
        )

        await pilot.press("e")
        await wait_for(pilot, lambda: export_summary(app), what="the export dialog")
        assert isinstance(app.screen, ExportDialog)
        await pilot.press("enter")
        await wait_for(pilot, lambda: config.outbox_path.exists(), what="the export written")
        await workers_done(app)
        await idle(pilot)
        assert isinstance(app.screen, OrderScreen)  # back on the preview
    entries = [json.loads(line) for line in config.outbox_path.read_text().splitlines()]
    uris = [u for e in entries for u in (e.get("uris") or [])]
    assert uris == [f"spotify:track:{t}" for t in build]


@sync
async def test_first_track_and_reorder_own_playlist_dry_run_first(demo_app):
    config = demo_app.config
    async with demo_app.run_test(size=(120, 40)) as pilot:
        _main, preview = await open_sunday(pilot)
        app = pilot.app
        await pilot.press("j", "3")  # a new order starts at its top
        await wait_for(pilot, lambda: preview.preview.arc == "wind-down", what="wind-down")
        await idle(pilot)
        assert preview.query_one(OrderTable).cursor_row == 0
        await pilot.press("j", "j")
        third = preview.preview.order[2]
        await pilot.press("f")
        await wait_for(pilot, lambda: preview.preview.start == third, what="the first track")
        await idle(pilot)
        assert preview.preview.order[0] == third
        assert preview.preview.order == list(
            app.session.order.flow(OrderSource.playlist(SUNDAY), "wind-down", start=third).order
        )
        assert "first: " in static(preview, "#order-arcs")

        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the dry run")
        body = static(app.screen, "#dialog Static")
        assert body.startswith("Would reorder the ") and "(dry run: nothing was sent)" in body
        assert not config.outbox_path.exists()
        await pilot.press("y")
        await wait_for(pilot, lambda: config.outbox_path.exists(), what="the reorder written")
        await workers_done(app)
        await wait_for(
            pilot,
            lambda: app.playlist_items[SUNDAY] == list(preview.preview.order),
            what="the playlist in its new order",
        )


@sync
async def test_order_asks_for_a_source_and_is_hidden_reorder_off_playlists(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.source == ALL
        await pilot.press("o")
        await idle(pilot)
        said = [str(n.message) for n in pilot.app._notifications]
        assert ORDER_WHAT in said
        assert ORDER_WHAT == (
            "Highlight a mood cluster, one of your playlists or a map selection, or filter "
            "(/), to order the tracks shown."
        )
        screen.query_one(ClusterList).focus()
        await pilot.press("down")
        await idle(pilot)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, OrderScreen))
        preview = pilot.app.screen
        assert preview.playlist_id is None and preview.check_action("reorder", ()) is False
        await wait_for(pilot, lambda: preview.preview is not None, what="the order")
        await idle(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen, what="back on the main screen")


@sync
async def test_sorting_by_bpm_and_by_key(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        rows = pilot.app.rows
        await pilot.press("7")  # BPM, most first
        await idle(pilot)
        tempo = [rows.row_features(rows.index[t])[4] for t in view_ids(screen)]
        known = [v for v in tempo if not math.isnan(v)]
        assert known == sorted(known, reverse=True) and all(
            math.isnan(v) for v in tempo[len(known) :]
        )
        await pilot.press("8")  # key: round the wheel, 1A first
        await idle(pilot)
        assert screen.sort_key == "key" and not screen.descending
        codes = [rows.camelot(rows.index[t]) for t in view_ids(screen)]
        known_codes = [c for c in codes if c is not None]
        assert known_codes == sorted(known_codes)  # by number, then A before B
        assert str(known_codes[0]) == "1A" and str(known_codes[-1]) == "12B"
        assert all(c is None for c in codes[len(known_codes) :])  # missing last
        table = screen.query_one(TrackTable)
        assert [str(c.label) for c in table.columns.values()][-1] == "Key ▲"
        assert cells(table, 0)[-1] == "1A"
        await pilot.press("G")  # the unanalysed tracks, at the end
        await idle(pilot)
        assert cells(table, table.row_count - 1)[-1] == "–"


def test_key_rows_sort_round_the_wheel_and_show_missing_as_missing():
    nan = float("nan")
    #        energy valence dance acoustic tempo key mode
    values = [
        *(0.5, 0.5, 0.5, 0.5, 120.0, 0, 1),  # C major, 8B
        *(0.5, 0.5, 0.5, 0.5, 120.0, 9, 0),  # A minor, 8A
        *(0.5, 0.5, 0.5, 0.5, 120.0, -1, 1),  # no key detected
        *(0.5, 0.5, 0.5, 0.5, 120.0, 8, 0),  # G♯ minor, 1A
        *(nan, nan, nan, nan, nan, nan, nan),  # no features
        *(0.5, 0.5, 0.5, 0.5, 120.0, 4, 1),  # E major, 12B
    ]
    rows = LibraryRows(list("abcdef"), list("abcdef"), list("abcdef"), array("f", values))
    assert [rows.key_label(i) for i in range(6)] == [
        "8B · C major", "8A · A minor", None, "1A · G♯ minor", None, "12B · E major"
    ]  # fmt: skip
    assert rows.key_label(5, named=False) == "12B"
    assert [rows.ids[i] for i in rows.view(None, sort_key="key")] == list("dbafce")
    # descending: the wheel backwards, the missing keys still last
    assert [rows.ids[i] for i in rows.view(None, sort_key="key", descending=True)] == list("fabdce")
    assert rows.row_features(0).tolist() == [0.5, 0.5, 0.5, 0.5, 120.0]


def test_detail_key_is_camelot_and_name_or_missing():
    assert key_cell(Features(track_id="t", provider="test", key=0, mode=1)).plain == "8B · C major"
    assert (
        key_cell(Features(track_id="t", provider="test", key=1, mode=0)).plain == "12A · C♯ minor"
    )
    assert key_cell(Features(track_id="t", provider="test", key=-1, mode=1)).plain == "–"
    assert key_cell(Features(track_id="t", provider="test", key=5, mode=None)).plain == "–"

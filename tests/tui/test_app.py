"""Pilot tests of the TUI on the demo library (segmented once per session)."""

from __future__ import annotations

import json

from textual.widgets import Static

from spotui.tui.rows import LibraryRows
from spotui.tui.screens.confirm import ConfirmDialog
from spotui.tui.screens.main import MainScreen
from spotui.tui.screens.map import MapScreen
from spotui.tui.source import ALL, SELECTION, Source
from spotui.tui.widgets.cluster_list import ClusterList
from spotui.tui.widgets.recommendations import RecommendationList, RecommendationPane
from spotui.tui.widgets.track_table import TrackTable, fit
from tests.tui.pilot import (
    export_summary,
    idle,
    ready,
    recs_settled,
    sync,
    view_ids,
    wait_for,
    workers_done,
)


def outbox_lines(config) -> int:
    """How many requests the demo outbox holds (0 before the first)."""
    path = config.outbox_path
    return len(path.read_text().splitlines()) if path.exists() else 0


@sync
async def test_opens_on_stored_clusters(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        app = pilot.app
        clusters = screen.query_one(ClusterList)
        ids = [clusters.get_option_at_index(i).id for i in range(clusters.option_count)]
        assert ids[0] == ALL.key()
        k = len(app.result.clusters)
        assert ids[1 : k + 1] == [f"c{c.id}" for c in app.result.clusters]
        assert ids[k + 1] == "unanalysed"
        # then, under a "Playlists" heading, the user's own playlists by name
        assert ids[k + 2] is None and clusters.get_option_at_index(k + 2).disabled
        demo_order = ["3", "1", "2", "4", "0"]  # Focus, Gym Mix, Late Night..., Party..., Sunday
        assert ids[k + 3 :] == [f"p:demoplaylist000000000{i}" for i in demo_order]
        assert len(view_ids(screen)) == 2000
        assert screen.query_one(TrackTable).loaded == 200  # filled lazily
        assert screen.focused is screen.query_one(TrackTable)


@sync
async def test_pane_navigation(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        order = []
        for _ in range(4):
            await pilot.press("tab")
            order.append(screen.focused.id)
        assert order == ["detail-scroll", "recs", "clusters", "tracks"]
        await pilot.press("shift+tab")
        assert screen.focused.id == "clusters"


@sync
async def test_filter_incremental_and_clear(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        rows: LibraryRows = pilot.app.rows
        await pilot.press("slash", "r", "a")
        expected_ra = [rows.ids[i] for i in rows.view(None, "ra")]
        await wait_for(pilot, lambda: view_ids(screen) == expected_ra, what="the 'ra' view")
        await pilot.press("i", "n")
        expected = [
            rows.ids[i]
            for i in range(len(rows))
            if "rain" in (rows.titles[i] + " " + rows.artists[i]).lower()
        ]
        await wait_for(pilot, lambda: view_ids(screen) == expected, what="the 'rain' view")
        assert 0 < len(expected) < len(expected_ra)
        table = screen.query_one(TrackTable)
        assert [table.get_row_at(i)[1].plain for i in range(3)] == [
            fit(rows.titles[rows.index[t]], table._cut[0]) for t in expected[:3]
        ]
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(view_ids(screen)) == 2000)
        assert screen.focused is table


@sync
async def test_sort_by_column_keys(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        rows: LibraryRows = pilot.app.rows
        energy = {t: rows.features[i, 0] for i, t in enumerate(rows.ids)}
        await pilot.press("3")  # energy, highest first
        ids = [t for t in view_ids(screen) if energy[t] == energy[t]]
        assert ids == sorted(ids, key=lambda t: -energy[t])
        assert (
            screen.query_one(TrackTable).get_row_at(0)[2].plain == rows.artists[rows.index[ids[0]]]
        )
        await pilot.press("3")  # again: lowest first
        ids = [t for t in view_ids(screen) if energy[t] == energy[t]]
        assert ids == sorted(ids, key=lambda t: energy[t])
        await pilot.press("1")  # title A..Z
        titles = [rows.titles[rows.index[t]].casefold() for t in view_ids(screen)]
        assert titles == sorted(titles)


@sync
async def test_cluster_selection_updates_tracks_and_recommendations(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        result = pilot.app.result
        first = result.clusters[0]
        await pilot.press("shift+tab", "down")  # cluster list, first cluster
        await wait_for(
            pilot,
            lambda: screen.source == Source.cluster(first.id) and recs_settled(pilot.app),
            what="the first cluster shown with its recommendations",
        )
        await workers_done(pilot.app)
        await pilot.pause()
        assert screen.source == Source.cluster(first.id)
        assert set(view_ids(screen)) == set(result.tracks_in(first.id))
        recs = screen.query_one(RecommendationList)
        expected = pilot.app.session.recommendations.recommender().recommend(
            result.tracks_in(first.id), n=20
        )
        assert [r.track.id for r in recs.results] == [r.track.id for r in expected]
        assert screen.query_one(RecommendationPane).border_title == f"Like cluster {first.label}"
        # Into the tracks: recommendations follow the highlighted track.
        await pilot.press("tab")
        await wait_for(pilot, lambda: recs_settled(pilot.app), what="the track's recommendations")
        await workers_done(pilot.app)
        await pilot.pause()
        track = view_ids(screen)[0]
        expected = pilot.app.session.recommendations.recommender().recommend([track], n=20)
        assert [r.track.id for r in recs.results] == [r.track.id for r in expected]
        # n: new only -> nothing from the library.
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.new_only and recs_settled(pilot.app))
        await idle(pilot)
        assert recs.results and not any(r.in_library for r in recs.results)


@sync
async def test_queue_and_export_write_the_demo_outbox(demo_app):
    config = demo_app.config
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        recs = screen.query_one(RecommendationList)
        recs.focus()
        await pilot.press("a")
        await workers_done(pilot.app)
        first = recs.results[0].track.id
        await pilot.press("A")  # 20 tracks: more than a few, so it asks first
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        assert "Queue all 20 tracks" in str(pilot.app.screen.query_one("#dialog Static").render())
        assert not config.outbox_path.read_text().count("\n") > 1
        await pilot.press("y")
        await wait_for(pilot, lambda: outbox_lines(config) == 2, what="the second queue sent")
        await idle(pilot)
        # Export the first cluster: the dialog shows the dry run, enter confirms.
        cluster = pilot.app.result.clusters[0]
        screen.query_one(ClusterList).focus()
        await pilot.press("down", "e")
        await wait_for(pilot, lambda: export_summary(pilot.app), what="the export dialog")
        dialog = pilot.app.screen
        summary = str(dialog.query_one("#export-summary").render())
        assert f"spotui · {cluster.label}" in summary and "private" in summary
        assert f"{cluster.size:,}" in summary
        await pilot.press("enter")
        await wait_for(pilot, lambda: outbox_lines(config) > 2, what="the export written")
        await idle(pilot)
    entries = [json.loads(line) for line in config.outbox_path.read_text().splitlines()]
    assert [e["kind"] for e in entries[:2]] == ["queue", "queue"]
    assert entries[0]["uris"] == [f"spotify:track:{first}"]
    assert len(entries[1]["uris"]) == 20
    export = entries[2:]
    assert export and export[0]["kind"] != "queue"
    uris = [u for e in export for u in (e.get("uris") or [])]
    assert sorted(uris) == sorted(
        f"spotify:track:{t}" for t in pilot.app.result.tracks_in(cluster.id)
    )


@sync
async def test_map_selection_becomes_a_source(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MapScreen))
        await pilot.press("space", *["shift+right"] * 3, *["shift+down"] * 2, "space")
        await wait_for(pilot, lambda: pilot.app.screen.map.selected, what="a map selection")
        chosen = list(pilot.app.screen.map.selected)
        assert chosen
        await pilot.press("l")
        await wait_for(pilot, lambda: pilot.app.screen is screen and screen.source == SELECTION)
        assert sorted(view_ids(screen)) == sorted(chosen)


@sync
async def test_errors_are_notifications(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("s")  # nothing to sync in the demo
        await pilot.press("e")  # "All tracks" cannot be exported
        await pilot.pause()
        messages = [n.message for n in pilot.app._notifications]
        assert any("demo library" in m and "nothing to sync" in m for m in messages)
        assert any("Highlight a mood cluster" in m for m in messages)


@sync
async def test_help_lists_every_bound_key(demo_app):
    from spotui.tui.actions import ACTIONS, MODAL_SCOPES, display_keys

    async with demo_app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        from rich.console import Console

        from spotui.tui.screens.help import HelpScreen, help_table

        assert isinstance(pilot.app.screen, HelpScreen)
        console = Console(width=200, record=True)
        console.print(help_table())
        shown = console.export_text()
        for action in ACTIONS:
            if action.scope in MODAL_SCOPES:  # a dialog's keys are on its buttons
                continue
            assert action.description in shown
            assert display_keys(action) in shown


@sync
async def test_sorting_by_a_feature_at_80_columns(demo_app):
    """At 80x24 the feature columns fold into one bar column; sorting must still work."""
    from textual.widgets import Static

    async with demo_app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("3")
        await pilot.pause()
        status = str(screen.query_one("#status", Static).render())
        assert "sorted by Energy ▼" in status
        energies = [
            demo_app.session.moods.track_detail(t).features.energy for t in view_ids(screen)[:20]
        ]
        assert energies == sorted(energies, reverse=True)


@sync
async def test_map_has_mood_axes_texture_view_and_keeps_the_selection(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MapScreen))
        screen = pilot.app.screen
        assert "energetic" in str(screen.query_one("#axis-top").render())
        assert "sad · valence · happy" in str(screen.query_one("#axis-bottom").render())
        mood_map = screen.map
        result = pilot.app.result
        # mood view: x is valence, y is energy, in Spotify's own 0..1 units
        some = mood_map.ids[0]
        assert (mood_map.xs[0], mood_map.ys[0]) == result.coords[some]
        await pilot.press("space", *["shift+right"] * 3, *["shift+down"] * 2, "space")
        await wait_for(pilot, lambda: mood_map.selected, what="a map selection")
        chosen = list(mood_map.selected)
        assert chosen
        await pilot.press("p")  # texture (PCA) view, computed in a worker
        await wait_for(pilot, lambda: mood_map.mode == "texture", timeout=5)
        assert "principal component" in str(screen.query_one("#axis-top").render())
        assert (mood_map.xs[0], mood_map.ys[0]) != result.coords[some]
        assert mood_map.selected == chosen  # the selection survives the view switch
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MainScreen))
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MapScreen))
        assert pilot.app.screen.map.selected == chosen  # ... and reopening the map
        assert pilot.app.screen.map.mode == "mood"


@sync
async def test_playlists_source_continue_and_add_to_it(demo_app):
    """A playlist under the clusters: its tracks, recommendations in its own mood, and
    adding them to its end (the exact plan first; demo: the outbox)."""
    config = demo_app.config
    pid = "demoplaylist0000000001"  # "Gym Mix"
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        app = pilot.app
        before = list(app.playlist_items[pid])
        screen.query_one(ClusterList).focus()
        await pilot.press("end", "up", "up", "up")  # Sunday, Party, Late Night, Gym Mix
        await wait_for(
            pilot,
            lambda: screen.source == Source.playlist(pid) and recs_settled(app),
            what="Gym Mix shown with its recommendations",
        )
        await workers_done(app)
        await pilot.pause()
        assert screen.source == Source.playlist(pid)
        assert screen.source_name() == "Gym Mix"
        assert sorted(view_ids(screen)) == sorted(set(before))
        recs = screen.query_one(RecommendationList)
        assert screen.query_one(RecommendationPane).border_title == "More for “Gym Mix”"
        shown = [r.track.id for r in recs.results]
        assert len(shown) == 20 and not set(shown) & set(before)

        await pilot.press("e")
        await workers_done(app)

        def body() -> str:
            return " ".join(str(w.render()) for w in app.screen.query(Static))

        await wait_for(pilot, lambda: "Add 20 tracks" in body(), what="the append dialog")
        body = body()
        assert f"Add 20 tracks to the end of “Gym Mix” ({pid}) in 1 request?" in body
        assert "dry run" not in body and "nothing was sent" not in body
        assert f"POST /playlists/{pid}/items (20 tracks)" in body
        await pilot.press("y")
        await wait_for(pilot, lambda: app.playlist_items[pid] == before + shown)
        await workers_done(app)
        said = [str(n.message) for n in app._notifications]
        assert any(
            m.startswith(
                "Added 20 tracks to the end of “Gym Mix” (1 request).\nDemo mode: "
                f"written to {config.outbox_path}, nothing was sent to Spotify."
            )
            for m in said
        ), said
    (entry,) = [json.loads(line) for line in config.outbox_path.read_text().splitlines()]
    assert entry["kind"] == "playlist_append" and entry["playlist_id"] == pid
    assert entry["uris"] == [f"spotify:track:{t}" for t in shown]


@sync
async def test_for_you_shows_each_listened_mood(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        app = pilot.app
        order = [c for c, _ in app.session.recommendations.for_you_clusters()]
        titles = []
        for _ in range(len(order) + 1):
            before = screen._rec_key
            await pilot.press("f")
            await wait_for(pilot, lambda b=before: screen._rec_key != b, what="the next mood")
            await idle(pilot)
            titles.append(screen.query_one(RecommendationPane).border_title)
        # from the most listened-to mood, one after the other, then round again
        expected = [f"More {c.label} for you" for c in order]
        assert titles == [*expected, expected[0]]
        recs = screen.query_one(RecommendationList).results
        assert len(recs) == 20

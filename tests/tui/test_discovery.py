"""The TUI's discovery toggle (``D``), skip key (``del``) and its undo (``u``) on the demo
library."""

from __future__ import annotations

from rich.console import Console

from spotui.session.seeds import Seeds
from spotui.sources.demo_reccobeats import candidate_set
from spotui.tui.widgets.recommendations import RecommendationList, RecommendationPane
from spotui.tui.widgets.track_table import TrackTable
from tests.tui.pilot import idle, ready, recs_settled, sync, wait_for, workers_done


async def _after(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await idle(pilot)
    # discovery waits for the cursor to rest (DISCOVER_DELAY), then asks in a worker
    await wait_for(pilot, lambda: recs_settled(pilot.app), what="recommendations settled")
    await workers_done(pilot.app)
    await pilot.pause()


def _shown(recs: RecommendationList, index: int) -> str:
    console = Console(width=60, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(recs.get_option_at_index(index).prompt)
    return console.export_text()


@sync
async def test_discovery_toggle_shows_demo_candidates_marked_new(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        recs = screen.query_one(RecommendationList)
        track = screen.query_one(TrackTable).track_ids[0]
        assert any(r.in_library for r in recs.results)  # library + catalog before

        await _after(pilot, "D")
        offline = {t.id for t in candidate_set()[0]}
        ids = [r.track.id for r in recs.results]
        assert len(ids) >= 10 and set(ids) <= offline
        assert not any(r.in_library for r in recs.results)
        first = recs.results[0].track
        row = _shown(recs, 0)
        assert first.name in row and "new" in row and "in library" not in row
        assert screen.query_one(RecommendationPane).border_subtitle == "new from ReccoBeats"
        expected = pilot.app.session.recommendations.recommend(
            Seeds.track(track), n=20, discover=True
        )
        assert [r.track.id for r in expected.results] == ids

        # del: skip the highlighted one; it is gone, not offered again, and named
        recs.focus()
        await _after(pilot, "delete")
        assert [r.track.id for r in recs.results] == ids[1:]
        again = pilot.app.session.recommendations.recommend(Seeds.track(track), n=20, discover=True)
        assert first.id not in {r.track.id for r in again.results}
        said = [str(n.message) for n in pilot.app._notifications]
        assert (
            f"Skipped “{first.name}” by {first.artist_line}: not offered again for 30 days. "
            "u to undo." in said
        )
        # u: the skip is taken back, the track is in its row again and offered again
        await _after(pilot, "u")
        assert [r.track.id for r in recs.results] == ids
        assert recs.highlighted == 0
        said = [str(n.message) for n in pilot.app._notifications]
        assert f"Unskipped “{first.name}” by {first.artist_line}: can be recommended again." in said
        again = pilot.app.session.recommendations.recommend(Seeds.track(track), n=20, discover=True)
        assert first.id in {r.track.id for r in again.results}
        await _after(pilot, "u")  # nothing more to undo
        assert "Nothing to undo: no track was skipped." in [
            str(n.message) for n in pilot.app._notifications
        ]

        await _after(pilot, "D")
        assert screen.query_one(RecommendationPane).border_subtitle == "library + catalog"
        assert any(r.in_library for r in recs.results)


@sync
async def test_x_in_the_recommendations_pane_means_file_export_as_everywhere(demo_app):
    """One meaning per key: x opens the file export from the recommendations pane too,
    and skips nothing."""
    from spotui.tui.screens.export_file import FileExportDialog

    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await _after(pilot)
        recs = screen.query_one(RecommendationList)
        ids = [r.track.id for r in recs.results]
        recs.focus()
        await _after(pilot, "x")
        assert isinstance(pilot.app.screen, FileExportDialog)
        assert [r.track.id for r in recs.results] == ids

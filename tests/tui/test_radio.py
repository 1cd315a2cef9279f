"""The radio key in the TUI, in --demo with the simulated player: start it on a mood, see
the playback line follow it, mark a skip, stop it with the key again and with esc."""

from __future__ import annotations

from spotui.tui.widgets.cluster_list import ClusterList
from spotui.tui.widgets.playback import PlaybackLine
from tests.tui.pilot import ready, sync, wait_for


def line(app) -> str:
    return str(app.screen.query_one(PlaybackLine).render())


@sync
async def test_the_radio_key_starts_shows_and_stops_a_radio(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        app = pilot.app
        first = app.result.clusters[0]
        await pilot.press("shift+tab", "down")  # cluster list, first cluster
        await wait_for(
            pilot,
            lambda: (
                screen.source.cluster_id == first.id
                and screen.focused is screen.query_one(ClusterList)
            ),
            what="the first mood highlighted",
        )
        cid = first.id
        label = app.session.moods.label(cid)
        await pilot.press("O")
        await wait_for(pilot, lambda: "next: " in line(app), what="the radio's next track")
        text = line(app)
        assert text.startswith(f"Radio: {label} (demo, 60× speed) · next: ")
        first = app.radio.radio.current.track_id
        await wait_for(
            pilot,
            lambda: app.radio.radio is not None and app.radio.radio.current.track_id != first,
            what="the simulated player moving on to the radio's track",
        )
        playing = app.radio.radio.current.track_id
        await pilot.press("delete")  # the radio's playing track is a skip
        await wait_for(pilot, lambda: bool(app.radio.radio.skipped), what="the skip learned")
        assert app.radio.radio.skipped[0] in app.radio.radio.seen  # a track that played
        assert playing
        await pilot.press("O")
        await wait_for(pilot, lambda: not app.radio.running, what="the radio stopped")
        assert line(app) == "Radio stopped."
        # esc stops it too (no filter open)
        await pilot.press("O")
        await wait_for(pilot, lambda: app.radio.radio is not None, what="a second radio")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.radio.running, what="esc stopped the radio")
        queued = [e for e in _outbox(app.config) if e["kind"] == "queue"]
        assert queued and len({e["uris"][0] for e in queued}) == len(queued)


def _outbox(config) -> list[dict]:
    import json

    path = config.outbox_path
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []

"""Another spotui changes the library while this one has it open (issue 20, item 2).

The rules: SQLite's ``data_version`` tells a connection that another one committed; the
``meta`` change counter says that a job changed the library, which one, and whether it
was this session's own; a view older than another program's change is reloaded in the
TUI, and a write confirmed on it (export, file, queue, extend) does not happen.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import string
import subprocess
import sys

import pytest

from spotui.config.env import load as load_config
from spotui.core.errors import StaleViewError
from spotui.session.facade import Session
from spotui.store import LibraryChange, Store
from tests.conftest import REPO
from tests.tui.pilot import settle, sync, view_ids, wait_for

FEATURES = ("danceability", "energy", "valence", "acousticness", "tempo", "loudness")


def new_tracks_csv(path, n: int, seed: int = 7) -> list[str]:
    """A plain CSV of ``n`` tracks the demo library does not have, with mood features."""
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits
    ids = ["".join(rng.choice(alphabet) for _ in range(22)) for _ in range(n)]
    lines = ["id,title,artist," + ",".join(FEATURES)]
    for i, tid in enumerate(ids):
        values = [rng.random() for _ in range(4)] + [rng.uniform(60, 180), rng.uniform(-20, -3)]
        lines.append(f"{tid},New Song {i},New Band," + ",".join(f"{v:.3f}" for v in values))
    path.write_text("\n".join(lines) + "\n")
    return ids


def outbox_lines(config) -> list[str]:
    path = config.outbox_path
    return path.read_text().splitlines() if path.exists() else []


# ---------------------------------------------------------------------- the store
def test_data_version_and_the_change_counter_between_two_connections(tmp_path):
    path = tmp_path / "library.sqlite3"
    with Store.open(path) as a, Store.open(path) as b:
        assert a.changes.library_change() == LibraryChange(0)
        version = a.changes.data_version()
        assert a.changes.data_version() == version  # nothing committed meanwhile

        a.set_meta("something", "1")  # a's own commit does not change a's data_version
        assert a.changes.data_version() == version

        assert b.changes.note_library_change("import") == 1
        assert a.changes.data_version() != version  # b committed
        assert a.changes.library_change() == LibraryChange(1, "import", os.getpid())
        assert a.changes.library_change().what == "an import"

        version = a.changes.data_version()
        assert b.changes.note_library_change("segment") == 2
        assert a.changes.data_version() != version
        assert a.changes.library_change().generation == 2
        assert a.changes.library_change().what == "a segment"
        assert LibraryChange(3, "").what == "a sync or import"  # not known


def test_a_counter_written_by_something_else_reads_as_none(tmp_path):
    with Store.open(tmp_path / "library.sqlite3") as store:
        store.set_meta("library_change", "not json")
        assert store.changes.library_change() == LibraryChange(0)
        assert store.changes.note_library_change("sync") == 1


# ---------------------------------------------------------------------- the session
@pytest.fixture
def demo_sessions(segmented_demo, isolated_env, tmp_path):
    """Two sessions on one copy of the segmented demo library: the app's (``mine``, its
    view read) and another program's (``other``)."""
    import shutil

    config = load_config(demo=True)
    config.db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(segmented_demo, config.db_path)
    mine, other = Session(config).open(), Session(config).open()
    mine.library.snapshot(("energy", "valence"))
    yield mine, other
    mine.close()
    other.close()


def test_another_sessions_import_is_noticed_once_own_writes_never(demo_sessions, tmp_path):
    mine, other = demo_sessions
    assert mine.changes.poll() is None and mine.changes.outside_change() is None

    # This session's own jobs bump the counter as its own: no reload of what it just showed.
    mine.moods.segment(k=4, refit=True)
    mine.library.import_csv(new_tracks_csv(tmp_path / "a.csv", 3) and tmp_path / "a.csv")
    assert mine.changes.poll() is None and mine.changes.outside_change() is None

    other.library.import_csv(new_tracks_csv(tmp_path / "b.csv", 5, seed=8) and tmp_path / "b.csv")
    moved = mine.changes.poll()
    assert moved is not None and not moved.told
    assert moved.change.job == "import"
    assert moved.summary() == (
        "The library changed in another window or process (an import): reloaded."
    )
    assert mine.changes.poll() is None  # data_version did not move again: no storm

    mine.library.snapshot(("energy", "valence"))  # the reload
    assert mine.changes.outside_change() is None


def test_a_job_that_writes_nothing_bumps_nothing(demo_sessions):
    mine, other = demo_sessions
    before = mine.changes.outside_change(0)
    other.moods.clusters()  # the stored moods are current: reused, nothing written
    assert mine.changes.outside_change(0) == before
    assert mine.changes.poll() is None


def test_an_export_planned_before_another_segment_is_not_sent(demo_sessions):
    mine, other = demo_sessions
    cluster = mine.moods.result.clusters[0]
    target = mine.exports.cluster_target(cluster.id)
    plan = mine.exports.export(target, dry_run=True)  # what the dialog shows
    assert plan.track_count == cluster.size

    other.moods.segment(k=5, refit=True)
    with pytest.raises(StaleViewError) as info:
        mine.exports.export(target)
    assert str(info.value) == (
        "The library changed in another spotui (a segment): the moods were reloaded; "
        "check and export again. Nothing was exported."
    )
    assert info.value.exit_code == 3
    assert outbox_lines(mine.config) == []
    assert len(mine.moods.result.clusters) == 5  # the stored moods, read again
    # The TUI's next poll reloads the rows without telling the user a second time.
    moved = mine.changes.poll()
    assert moved is not None and moved.told


def test_file_queue_and_extend_check_the_view_too(demo_sessions, tmp_path):
    from spotui.session.seeds import Seeds

    mine, other = demo_sessions
    target = mine.exports.cluster_target(mine.moods.result.clusters[0].id)
    recs = mine.recommendations.recommend(Seeds.playlist("demoplaylist0000000001"), n=3)
    view = mine.changes.view
    other.moods.segment(k=5, refit=True)

    out = tmp_path / "calm.csv"
    with pytest.raises(StaleViewError, match=r"check and write the file again\. Nothing was"):
        mine.exports.write_file(target, None, out)
    assert not out.exists()
    with pytest.raises(StaleViewError, match=r"check and queue again\. Nothing was queued\.$"):
        mine.player.queue([recs.results[0].track.id], view=view)
    with pytest.raises(StaleViewError, match=r"check and add them again\. Nothing was added\.$"):
        mine.exports.extend_playlist(recs, view=view)
    assert outbox_lines(mine.config) == []

    # Made from the view as it is now, the same writes go through.
    mine.library.snapshot(("energy",))
    mine.exports.write_file(
        mine.exports.cluster_target(mine.moods.result.clusters[0].id), None, out
    )
    assert out.exists()
    mine.player.queue([recs.results[0].track.id], view=mine.changes.view)
    assert [json.loads(line)["kind"] for line in outbox_lines(mine.config)] == ["queue"]


def test_extending_a_playlist_is_a_change_for_other_windows(demo_sessions):
    from spotui.session.seeds import Seeds

    mine, other = demo_sessions
    other.library.snapshot(("energy",))
    recs = mine.recommendations.recommend(Seeds.playlist("demoplaylist0000000001"), n=2)
    mine.exports.extend_playlist(recs, view=mine.changes.view)
    assert mine.changes.poll() is None  # our own
    moved = other.changes.poll()
    assert moved is not None and moved.change.what == "a playlist change"


# ---------------------------------------------------------------------- the app
def notified(app, text: str) -> bool:
    return any(n.message == text for n in app._notifications)


@sync
async def test_the_app_reloads_after_an_import_in_another_process(demo_app, isolated_env, tmp_path):
    app = demo_app
    ids = new_tracks_csv(tmp_path / "more.csv", 40)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert len(view_ids(screen)) == 2000
        env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTUI_")}
        env.update(isolated_env)
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "spotui", "--demo", "import", str(tmp_path / "more.csv")],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        await wait_for(pilot, lambda: len(view_ids(screen)) == 2040, timeout=30)
        assert notified(
            app, "The library changed in another window or process (an import): reloaded."
        )
        # The new tracks are placed in the moods (the app brings them up to date).
        await wait_for(pilot, lambda: set(ids) <= set(app.result.assignments), timeout=60)


@sync
async def test_an_export_confirmed_after_another_segment_writes_nothing(demo_app):
    from spotui.tui.screens.confirm import ExportDialog
    from spotui.tui.widgets.cluster_list import ClusterList

    app = demo_app
    other = Session(app.config).open()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            k = len(app.result.clusters)
            app.screen.query_one(ClusterList).focus()
            await pilot.press("down", "e")
            await wait_for(pilot, lambda: isinstance(app.screen, ExportDialog))
            # While the dialog asks, `spotui segment --k ...` runs elsewhere.
            other.moods.segment(k=k + 1, refit=True)
            await pilot.press("enter")
            message = (
                "The library changed in another spotui (a segment): the moods were "
                "reloaded; check and export again. Nothing was exported."
            )
            await wait_for(pilot, lambda: notified(app, message))
            await app.workers.wait_for_complete()
            await wait_for(pilot, lambda: len(app.result.clusters) == k + 1)
            assert outbox_lines(app.config) == []
    finally:
        other.close()

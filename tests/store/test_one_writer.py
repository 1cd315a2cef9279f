"""One writer per job (issue 13, failure 1): two syncs at once deleted liked songs
(1,300 -> 50, both exiting 0). Now a second sync, import or segment on the same library
exits 3 naming the running one's pid, or waits for it with --wait; the TUI waits and says
so; and even without the lock, one run's resume marks never decide another's removals."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from spotui.core.errors import JobRunningError
from spotui.spotify.client import SpotifyClient
from spotui.spotify.sync import sync_library
from spotui.store import Store
from spotui.store.lock import job_lock
from tests.conftest import REPO
from tests.spotify.test_sync import _cli_env
from tests.store_helpers import saved_track_ids

RUNNING = (
    "error: another spotui {job} is running (pid {pid}). Nothing was changed. Run this again "
    "when it has finished, or use --wait to wait for it."
)


def _start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "spotui", *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _sync_env(tmp_path, fake) -> dict[str, str]:
    """1,300 liked songs (26 pages); the first sync stalls after 5 pages until released."""
    ids = fake.add_tracks(1300)
    fake.save(ids)
    fake.stall_after_pages = 5
    env = _cli_env(tmp_path, fake)
    fake.write_token(Path(env["SPOTUI_CONFIG_DIR"]) / "token.json")
    return env


class Stderr:
    """Collects a process's stderr lines as they come, so a test can wait for one."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stderr:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert time.monotonic() < deadline, self.lines
            time.sleep(0.05)

    def text(self) -> str:
        self._thread.join(10)
        return "".join(self.lines)


def _wait_for_stall(fake) -> None:
    deadline = time.monotonic() + 30
    while fake.pages_served < fake.stall_after_pages and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake.pages_served == fake.stall_after_pages


def _library(tmp_path) -> list[str]:
    with Store.open(tmp_path / "data" / "library.sqlite3") as s:
        return saved_track_ids(s)


def test_second_sync_exits_3_naming_the_first_and_the_library_is_exact(tmp_path, fake, config):
    env = _sync_env(tmp_path, fake)
    sync = ("sync", "--json", "--no-features", "--workers", "2")
    first = _start(env, *sync)
    _wait_for_stall(fake)
    second = _start(env, *sync)
    out2, err2 = second.communicate(timeout=60)
    fake.release()
    out1, err1 = first.communicate(timeout=120)
    assert first.returncode == 0, err1
    assert (second.returncode, out2, err2.strip()) == (
        3,
        "",
        RUNNING.format(job="sync", pid=first.pid),
    )
    assert _library(tmp_path) == [t for t, _ in fake.saved]


def test_second_sync_with_wait_waits_and_both_end_exact(tmp_path, fake, config):
    env = _sync_env(tmp_path, fake)
    first = _start(env, "sync", "--no-features", "--workers", "2")
    _wait_for_stall(fake)
    second = _start(env, "sync", "--no-features", "--wait")
    err2 = Stderr(second)
    err2.wait_for(f"another spotui sync is running (pid {first.pid}); waiting for it to finish")
    assert second.poll() is None
    fake.release()
    second.wait(120)
    _, err1 = first.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), err1 + err2.text()
    assert _library(tmp_path) == [t for t, _ in fake.saved]


def test_two_unlocked_runs_never_remove_what_the_other_added(tmp_path, fake, config):
    """The resume marks belong to one run: a run whose marks another took over or cleared
    removes nothing (it says so), whichever order they finish in."""
    ids = fake.add_tracks(600)
    fake.save(ids)
    fake.latency = 0.01
    path = tmp_path / "lib.sqlite3"
    Store.open(path).close()
    outcomes: list[object] = []

    def run() -> None:
        client = SpotifyClient(config, backoff=0.01)
        try:
            with Store.open(path) as store:
                outcomes.append(sync_library(store, client, workers=2))
        except JobRunningError as exc:
            outcomes.append(exc)
        finally:
            client.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join(60)
    assert len(outcomes) == 2
    with Store.open(path) as s:
        assert saved_track_ids(s) == ids
        assert s.library.sync_state_with_prefix("saved:page:") == {} or any(
            isinstance(o, JobRunningError) for o in outcomes
        )
    refused = [o for o in outcomes if isinstance(o, JobRunningError)]
    for exc in refused:
        assert str(exc).startswith("Another sync changed this library's liked songs")


def test_import_and_segment_are_one_at_a_time_too(cli, demo_data_dir, tmp_path):
    csv = tmp_path / "songs.csv"
    csv.write_text("track_name,artist_name\nOne,A\n")
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir)}
    db = demo_data_dir / "library.sqlite3"
    with job_lock(db, "import", what="spotui import"):
        res = cli("import", str(csv), env=env)
    assert (res.returncode, res.stderr.strip()) == (
        3,
        RUNNING.format(job="import", pid=os.getpid()),
    )
    assert not db.exists()  # nothing was opened, let alone written
    with job_lock(demo_data_dir / "demo.sqlite3", "segment", what="spotui segment"):
        res = cli("--demo", "segment", "--k", "4", env=env)
    assert (res.returncode, res.stderr.strip()) == (
        3,
        RUNNING.format(job="segment", pid=os.getpid()),
    )


def test_wait_flag_waits_for_the_holder_then_runs(cli, tmp_path):
    csv = tmp_path / "songs.csv"
    csv.write_text("track_name,artist_name\nOne,A\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTUI_")}
    env.update(cli.env)
    db = Path(cli.env["SPOTUI_DATA_DIR"]) / "library.sqlite3"
    held = job_lock(db, "import", what="spotui import")
    held.__enter__()
    try:
        proc = _start(env, "import", str(csv), "--wait", "--json")
        err = Stderr(proc)
        err.wait_for(f"another spotui import is running (pid {os.getpid()}); waiting for it")
        assert proc.poll() is None
    finally:
        held.__exit__(None, None, None)
    out = proc.stdout.read()
    assert proc.wait(60) == 0, err.text()
    assert json.loads(out)["new_tracks"] == 1


def test_a_killed_holder_leaves_no_stale_lock(cli, tmp_path):
    db = Path(cli.env["SPOTUI_DATA_DIR"]) / "library.sqlite3"
    code = (
        "import os, sys; from pathlib import Path; from spotui.store.lock import job_lock\n"
        f"with job_lock(Path({str(db)!r}), 'sync'):\n"
        "    print('held', flush=True); os.kill(os.getpid(), 9)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.stdout == "held\n" and proc.returncode == -9
    with job_lock(db, "sync"):  # free again: the kernel dropped it with the process
        pass


# ---------------------------------------------------------------------- the TUI
@pytest.fixture
def tui_fakes(isolated_env, monkeypatch):
    from tests.fakes.reccobeats import FakeReccoBeats
    from tests.fakes.spotify import FakeSpotify

    with FakeSpotify(latency=0.01) as spotify, FakeReccoBeats() as recco:
        ids = spotify.add_tracks(60)
        spotify.save(ids)
        recco.know(ids)
        for key, value in spotify.env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("SPOTUI_RECCOBEATS_URL", recco.url)
        yield spotify, ids


class Holder:
    """Another process (the CLI, cron) holding a job lock until :meth:`release`."""

    def __init__(self, db: Path, job: str) -> None:
        code = (
            "import sys; from pathlib import Path; from spotui.store.lock import job_lock\n"
            f"with job_lock(Path({str(db)!r}), {job!r}, what='spotui {job}'):\n"
            "    print('held', flush=True); sys.stdin.read()\n"
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        assert self.proc.stdout.readline() == "held\n"

    def release(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(10)


def test_tui_sync_waits_for_another_sync_and_says_so(tui_fakes):
    from spotui.config.env import load as load_config
    from spotui.tui.app import SpotuiApp
    from spotui.tui.screens.sync import SyncScreen
    from tests.tui.pilot import wait_for

    spotify, ids = tui_fakes
    config = load_config()
    spotify.write_token(config.token_path)
    holder = Holder(config.db_path, "sync")
    waiting = f"another spotui sync is running (pid {holder.proc.pid}); waiting for it to finish…"

    async def scenario() -> None:
        app = SpotuiApp(config)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            await pilot.press("s")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SyncScreen)
            await wait_for(pilot, lambda: waiting in screen.history)
            assert str(screen.query_one("#sync-message").render()) == waiting
            assert any(n.message == waiting for n in app._notifications)
            assert not screen.finished
            holder.release()
            await wait_for(pilot, lambda: screen.finished)
            message = str(screen.query_one("#sync-message").render())
            assert "Liked songs: 60 added" in message, message

    try:
        asyncio.run(scenario())
    finally:
        holder.release()


def test_a_job_of_this_very_process_is_named_as_such(tmp_path):
    db = tmp_path / "x.sqlite3"
    second = job_lock(db, "segment")
    with job_lock(db, "segment", what="spotui segment"), pytest.raises(JobRunningError) as info:
        second.__enter__()
    assert str(info.value).startswith("a spotui segment is already running in this spotui.")

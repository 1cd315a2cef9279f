"""Locked, damaged and read-only databases (issue 13, failures 2-4): each is told apart,
gets a clear message and exit status 3, and nothing healthy is moved, emptied or written.

Tests run as root here, where chmod does not stop writes: read-only cases use a read-only
bind mount in a private mount namespace (``unshare -m``) when root, chmod otherwise, and
are skipped (saying why) when neither is possible.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from spotui.config.env import load as load_config
from spotui.core.errors import DiskFullError, StoreBusyError, StoreDamagedError, StoreError
from spotui.session.facade import Session
from spotui.store import Store
from tests.conftest import REPO

CSV = "track_name,artist_name\nOne,A\n"
REBUILD = (
    "Nothing was changed or emptied. To rebuild: move it away (mv '{p}' '{p}.old'); spotui "
    "then starts a new library, and `spotui sync` fetches yours from Spotify again (CSV files "
    "need `spotui import` again)."
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def songs(tmp_path) -> Path:
    path = tmp_path / "songs.csv"
    path.write_text(CSV)
    return path


# ---------------------------------------------------------------------- busy
def _busy_message(path: Path, timeout: str) -> str:
    return (
        f"error: {path} is in use by another program (another spotui?), which held it for "
        f"more than {timeout} s. Nothing was moved or lost, and the change that was waiting "
        "was not made. Run the command again when that program has finished (a sync "
        "continues where it stopped), or wait longer with SPOTUI_DB_TIMEOUT=SECONDS."
    )


def _waiting(path: Path, timeout: str) -> str:
    return (
        f"waiting for {path}: another program is using it (up to {timeout} s, SPOTUI_DB_TIMEOUT)…"
    )


def test_writer_waits_for_a_held_lock_then_exits_3_with_nothing_moved(cli, demo_data_dir, songs):
    """Before: 30 s of silence, then a ``database is locked`` traceback."""
    db = demo_data_dir / "demo.sqlite3"
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir), "SPOTUI_DB_TIMEOUT": "1.5"}
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        res = cli("--demo", "import", str(songs), env=env)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert res.returncode == 3
    assert res.stderr.splitlines() == [_waiting(db, "1.5"), _busy_message(db, "1.5")]
    assert "Traceback" not in res.stderr
    assert sorted(p.name for p in demo_data_dir.iterdir() if "sqlite3." in p.name) == [
        "demo.sqlite3.import.lock"
    ]
    res = cli("--demo", "import", str(songs), "--json", env=env)  # free again: it works
    assert res.returncode == 0, res.stderr


def test_a_database_held_exclusively_is_busy_not_corrupt(cli, demo_data_dir):
    """Before: "database is locked" is a DatabaseError, so the healthy library was moved
    aside as corrupt and an empty one started."""
    db = demo_data_dir / "demo.sqlite3"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE meta SET value = value")
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir), "SPOTUI_DB_TIMEOUT": "1"}
    try:
        res = cli("--demo", "status", env=env)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert res.returncode == 3
    assert res.stderr.splitlines()[-1] == _busy_message(db, "1")
    assert sorted(p.name for p in demo_data_dir.iterdir() if "broken" in p.name) == []
    res = cli("--demo", "status", "--json", env=env)
    assert res.returncode == 0 and '"library_tracks": 2000' in res.stdout


@pytest.mark.parametrize("told_late", [False, True])
def test_a_short_hold_is_waited_out_with_a_message(
    demo_data_dir, isolated_env, monkeypatch, songs, told_late
):
    """``told_late``: the listener is set after the session is made, as the TUI does (its
    session is opened before the app exists)."""
    monkeypatch.setenv("SPOTUI_DATA_DIR", str(demo_data_dir))
    monkeypatch.setenv("SPOTUI_DB_TIMEOUT", "20")
    db = demo_data_dir / "demo.sqlite3"
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    told: list[str] = []
    waiting = threading.Event()

    def release_once_told() -> None:  # the other program finishes while spotui waits
        waiting.wait(30)
        holder.execute("ROLLBACK")

    releaser = threading.Thread(target=release_once_told)
    releaser.start()

    def tell(message: str) -> None:
        told.append(message)
        waiting.set()

    session = Session(load_config(demo=True), on_wait=None if told_late else tell).open()
    if told_late:
        session.on_wait = tell
    try:
        result = session.library.import_csv(songs)
    finally:
        waiting.set()
        releaser.join()
        session.close()
        holder.close()
    assert result.new_tracks == 1
    assert told == [_waiting(db, "20")]


def test_db_timeout_must_be_a_finite_number(cli):
    for bad in ("nan", "-1", "soon", "inf"):
        res = cli("status", env={"SPOTUI_DB_TIMEOUT": bad})
        assert res.returncode == 2, bad
        assert res.stderr.startswith("error: db_timeout (SPOTUI_DB_TIMEOUT) must be"), res.stderr


def test_busy_mid_run_is_a_typed_error(tmp_path):
    path = tmp_path / "x.sqlite3"
    store = Store.open(path, timeout=0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusyError), store.errors(), store.transaction():
            pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()


# ---------------------------------------------------------------------- damaged
@pytest.fixture
def damaged_dir(_demo_db_file, tmp_path) -> Path:
    """The demo library with 8 KB of garbage written in the middle of the file."""
    data = tmp_path / "data"
    data.mkdir()
    db = data / "demo.sqlite3"
    shutil.copy(_demo_db_file, db)
    size = db.stat().st_size
    with db.open("r+b") as fh:
        fh.seek(size // 2 // 4096 * 4096)
        fh.write(bytes(range(256)) * 32)
    return data


def _damaged_lines(db: Path, stderr: str) -> tuple[str, Path]:
    """The one error line, and the copy it names."""
    (line,) = stderr.splitlines()
    head = f"error: {db} is damaged ("
    assert line.startswith(head), line
    assert line.endswith(REBUILD.format(p=db)), line
    found = re.search(r"A copy was saved (?:earlier )?as (.+?)\. Nothing", line)
    assert found, line
    return line, Path(found.group(1))


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["segment", "--k", "4"],
        ["import", "{csv}"],
        ["export", "--cluster", "1", "--format", "csv", "--out", "{out}"],
    ],
    ids=["status", "segment", "import", "export"],
)
def test_damaged_pages_are_noticed_copied_aside_and_never_written(
    cli, damaged_dir, songs, tmp_path, command
):
    """Before: tracebacks in status/segment/export, and import wrote into it with exit 0."""
    db = damaged_dir / "demo.sqlite3"
    before = digest(db)
    args = [a.format(csv=songs, out=tmp_path / "out.csv") for a in command]
    res = cli("--demo", *args, env={"SPOTUI_DATA_DIR": str(damaged_dir)})
    assert res.returncode == 3, res.stderr
    assert "Traceback" not in res.stderr
    _, copy = _damaged_lines(db, res.stderr)
    assert digest(db) == before  # not emptied, not moved, not written
    assert copy.read_bytes() == db.read_bytes()
    assert not (tmp_path / "out.csv").exists()
    # run again: the same copy is named, no second one is made
    res = cli("--demo", *args, env={"SPOTUI_DATA_DIR": str(damaged_dir)})
    assert res.returncode == 3
    assert f"A copy was saved earlier as {copy}." in res.stderr
    assert len(list(damaged_dir.glob("demo.sqlite3.damaged-*"))) == 1


def test_tui_on_a_damaged_library_says_so_and_writes_nothing(
    damaged_dir, isolated_env, monkeypatch
):
    """The TUI checks the file in its start-up worker (off the paint path) and shows why."""
    from spotui.tui.app import SpotuiApp
    from tests.tui.pilot import wait_for

    monkeypatch.setenv("SPOTUI_DATA_DIR", str(damaged_dir))
    db = damaged_dir / "demo.sqlite3"
    before = digest(db)
    app = SpotuiApp(load_config(demo=True))

    async def scenario() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(
                pilot, lambda: any("is damaged" in n.message for n in app._notifications)
            )
            (message,) = [n.message for n in app._notifications if "is damaged" in n.message]
            assert message.startswith(f"{db} is damaged (")
            assert message.endswith(REBUILD.format(p=db))
            assert app.is_running
            # the detail pane keeps saying it after the notification
            await wait_for(
                pilot, lambda: "is damaged" in str(app.screen.query_one("#detail").render())
            )

    asyncio.run(scenario())
    assert digest(db) == before
    assert len(list(damaged_dir.glob("demo.sqlite3.damaged-*"))) == 1


def test_damage_met_mid_run_is_copied_aside_and_stops_writers(
    damaged_dir, songs, isolated_env, monkeypatch
):
    """A file too big for the check on open: the first read that meets the damage, or the
    check every writing job runs first, stops with the same message."""
    import spotui.store.connection as connection

    monkeypatch.setattr(connection, "QUICK_CHECK_MAX_BYTES", 0)
    monkeypatch.setenv("SPOTUI_DATA_DIR", str(damaged_dir))
    db = damaged_dir / "demo.sqlite3"
    before = digest(db)
    session = Session(load_config(demo=True)).open(prepare=False)
    try:
        with pytest.raises(StoreDamagedError) as info:
            session.library.import_csv(songs)
        assert str(info.value).endswith(REBUILD.format(p=db))
        assert info.value.exit_code == 3 and info.value.copy.exists()
        with pytest.raises(StoreDamagedError):
            session.library.snapshot(["energy"])  # reads every library row
    finally:
        session.close()
    assert digest(db) == before


def test_tui_ends_cleanly_on_a_store_error_on_its_own_thread(demo_app, monkeypatch):
    """No traceback from the TUI either: a typed error met while painting (on the app's
    thread, where Textual stops the widget that raised) ends the app with the error kept
    for the CLI's handler (message, exit 3), as opening a damaged library does."""
    from spotui.tui.screens.main import MainScreen
    from tests.tui.pilot import settle

    app = demo_app
    error = StoreDamagedError("the library is damaged (test)")

    def damaged(*args, **kwargs):
        raise error

    async def scenario() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            monkeypatch.setattr(app.session.moods, "track_detail", damaged)
            app.screen.call_later(app.screen.show_detail)
            await asyncio.sleep(1)
            assert app.user_error is error and app.return_code == 3

    asyncio.run(scenario())


# ---------------------------------------------------------------------- permission
def test_data_dir_that_is_a_file(cli, tmp_path, songs):
    """Before: FileExistsError / NotADirectoryError tracebacks."""
    blocker = tmp_path / "data"
    blocker.write_text("not a directory")
    expected = (
        f"error: cannot use {blocker}: it is a file, not a directory. Point SPOTUI_DATA_DIR at "
        "a directory, or move that file away. Nothing was changed."
    )
    for args in (["status"], ["--demo", "status"], ["import", str(songs)], ["segment"]):
        res = cli(*args)
        assert (res.returncode, res.stderr.strip()) == (3, expected), args
    assert blocker.read_text() == "not a directory"


LOOP_FIX = (
    "Point SPOTUI_DATA_DIR at a directory, or remove that link (rm '{link}'). Nothing was changed."
)


@pytest.mark.parametrize("below", [False, True], ids=["the-dir", "a-parent"])
def test_data_dir_in_a_symlink_loop(cli, tmp_path, songs, below):
    """Before: "cannot use …/loop: File exists" (mkdir's words for a link to itself), or
    "Too many levels of symbolic links" for a directory under it."""
    link = tmp_path / "loop"
    link.symlink_to("loop")
    data = link / "spotui" if below else link
    where = "it is" if not below else f"{link} is"
    expected = (
        f"error: cannot use {data}: {where} a symbolic link that leads back to itself (a loop), "
        f"not a directory. {LOOP_FIX.format(link=link)}"
    )
    for args in (["status"], ["--demo", "status"], ["import", str(songs)], ["segment"]):
        res = cli(*args, env={"SPOTUI_DATA_DIR": str(data)})
        assert (res.returncode, res.stderr.strip()) == (3, expected), args
    assert os.readlink(link) == "loop"


def test_data_dir_that_is_a_dangling_symlink(cli, tmp_path):
    """Before: "File exists" too."""
    link = tmp_path / "data"
    link.symlink_to(tmp_path / "gone")
    res = cli("status", env={"SPOTUI_DATA_DIR": str(link)})
    assert (res.returncode, res.stderr.strip()) == (
        3,
        f"error: cannot use {link}: it is a symbolic link to {tmp_path / 'gone'}, which does "
        f"not exist. Create {tmp_path / 'gone'}, or point SPOTUI_DATA_DIR at a directory. "
        "Nothing was changed.",
    )
    assert not (tmp_path / "gone").exists()


@pytest.mark.parametrize("shape", ["one-name", "many-names"])
def test_data_dir_path_too_long(cli, tmp_path, songs, shape):
    """Before: a traceback ending in "OSError: [Errno 36] File name too long" (5,000 a's),
    from the first stat of the database path."""
    name = "a" * 5000 if shape == "one-name" else "/".join(["b" * 200] * 25)
    data = tmp_path / name
    text = str(data)
    head = f"{text[:80]}…{text[-60:]} ({len(text):,} characters)"
    problem = (
        "a name in it is too long (5,000 characters; at most 255 bytes fit in one file or "
        "directory name here)"
        if shape == "one-name"
        else f"the path is too long ({len(text):,} characters; at most 4,095 bytes fit in a "
        "path here)"
    )
    expected = (
        f"error: cannot use {head}: {problem}. Point SPOTUI_DATA_DIR at a shorter path. "
        "Nothing was changed."
    )
    for args in (["status"], ["--demo", "status"], ["import", str(songs)]):
        res = cli(*args, env={"SPOTUI_DATA_DIR": text})
        assert (res.returncode, res.stderr.strip()) == (3, expected), args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["songs.csv"]


def _can_bind_read_only() -> str | None:
    """None if a read-only bind mount works here, else why not."""
    if shutil.which("unshare") is None:
        return "no unshare(1)"
    probe = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", "mount --bind -o ro / /"],
        capture_output=True,
        text=True,
    )
    return None if probe.returncode == 0 else f"no read-only bind mount: {probe.stderr.strip()}"


def run_read_only(ro_path: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """``spotui ARGS`` with ``ro_path`` read-only (bind mount as root, chmod otherwise)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTUI_")}
    full_env.update(env)
    cmd = [sys.executable, "-m", "spotui", *args]
    if os.geteuid() == 0:
        why = _can_bind_read_only()
        if why:
            pytest.skip(f"running as root, where chmod does not stop writes, and {why}")
        mount = 'mount --bind -o ro "$0" "$0" && exec "$@"'
        cmd = ["unshare", "-m", "--propagation", "private", "sh", "-c", mount, str(ro_path), *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=REPO)
    mode = ro_path.stat().st_mode
    ro_path.chmod(0o555 if ro_path.is_dir() else 0o444)
    try:
        return subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=REPO)
    finally:
        ro_path.chmod(mode)


def test_read_only_data_dir_names_the_path_and_moves_nothing(demo_data_dir, songs):
    """Before: tracebacks, and the healthy database was treated as corrupt (a rename tried)."""
    db = demo_data_dir / "demo.sqlite3"
    before = digest(db)
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir)}
    res = run_read_only(demo_data_dir, "--demo", "status", env=env)
    assert res.returncode == 3, res.stderr
    line = res.stderr.strip()
    assert line.startswith(f"error: cannot use {db}: ") and "Traceback" not in line
    assert line.endswith(
        "Make it (and its directory) readable and writable by you, or point SPOTUI_DATA_DIR "
        "at a directory you can write. Nothing was changed."
    )
    res = run_read_only(demo_data_dir, "--demo", "import", str(songs), env=env)
    assert res.returncode == 3 and res.stderr.startswith(f"error: cannot use {demo_data_dir}: ")
    assert sorted(p.name for p in demo_data_dir.iterdir()) == ["demo.sqlite3"]
    assert digest(db) == before


def test_read_only_database_file_is_read_but_not_written(demo_data_dir, songs):
    db = demo_data_dir / "demo.sqlite3"
    before = digest(db)
    env = {"SPOTUI_DATA_DIR": str(demo_data_dir)}
    res = run_read_only(db, "--demo", "status", "--json", env=env)
    assert res.returncode == 0, res.stderr  # reading a read-only library works
    assert '"library_tracks": 2000' in res.stdout
    res = run_read_only(db, "--demo", "import", str(songs), env=env)
    assert res.returncode == 3
    assert res.stderr.strip() == (
        f"error: cannot use {db}: attempt to write a readonly database. Make it (and its "
        "directory) readable and writable by you, or point SPOTUI_DATA_DIR at a directory you "
        "can write. Nothing was changed."
    )
    assert digest(db) == before
    assert not [p for p in demo_data_dir.iterdir() if "broken" in p.name or "damaged" in p.name]


# ---------------------------------------------------------------------- disk full
def disk_full_message(data: Path, db: str, free: str = "0 bytes") -> str:
    return (
        f"error: the disk holding {data} is full ({free} free now). Nothing was lost: the "
        f"change that needed room was not made, and {db} is as it was before it. Free at "
        "least 50 MB on that disk (delete or move files you no longer need, empty the trash), "
        "then run the command again; a sync continues where it stopped."
    )


def run_with_faults(faults: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """``spotui ARGS`` with the faults of :mod:`tests.disk_faults` switched on."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTUI_")}
    full_env.update(env)
    cmd = [sys.executable, "-m", "tests.disk_faults", faults, "--", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=REPO, timeout=120)


@pytest.fixture
def many_songs(tmp_path) -> Path:
    """3,000 new tracks: more than the demo file's free pages hold, so it must grow."""
    path = tmp_path / "many.csv"
    rows = [f"{i:022d},Song {i},Artist {i % 300},0.5,0.5" for i in range(3000)]
    path.write_text("track_id,track_name,artists,energy,valence\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(
    "command", [["import", "{csv}"], ["segment", "--k", "4"]], ids=["import", "segment"]
)
def test_job_lock_on_a_full_disk_says_so(cli, demo_data_dir, songs, command):
    """Before: every job ended in a traceback from ``os.pwrite`` writing its lock's pid
    note: ``OSError: [Errno 28] No space left on device``."""
    db = demo_data_dir / "demo.sqlite3"
    before = digest(db)
    env = {**cli.env, "SPOTUI_DATA_DIR": str(demo_data_dir)}
    args = [a.format(csv=songs) for a in command]
    res = run_with_faults("lock,statvfs", "--demo", *args, env=env)
    assert (res.returncode, res.stderr.strip()) == (3, disk_full_message(demo_data_dir, db.name))
    assert res.stdout == ""
    assert digest(db) == before
    res = cli("--demo", "status", "--json", env={"SPOTUI_DATA_DIR": str(demo_data_dir)})
    assert res.returncode == 0 and '"library_tracks": 2000' in res.stdout
    res = cli("--demo", *args, env={"SPOTUI_DATA_DIR": str(demo_data_dir)})  # room again
    assert res.returncode == 0, res.stderr


def test_sqlite_full_during_an_import_says_so_and_keeps_the_library(cli, demo_data_dir, many_songs):
    """SQLite's own "database or disk is full" (real SQLITE_FULL, injected by capping the
    file's pages): one line, exit 3, the file unchanged and readable."""
    db = demo_data_dir / "demo.sqlite3"
    before = digest(db)
    env = {**cli.env, "SPOTUI_DATA_DIR": str(demo_data_dir)}
    res = run_with_faults("sqlite,statvfs", "--demo", "import", str(many_songs), env=env)
    assert (res.returncode, res.stderr.strip()) == (3, disk_full_message(demo_data_dir, db.name))
    assert digest(db) == before
    assert sorted(p.name for p in demo_data_dir.iterdir()) == [
        "demo.sqlite3",
        "demo.sqlite3.import.lock",
    ]  # no -wal left behind either
    res = cli("--demo", "status", "--json", env={"SPOTUI_DATA_DIR": str(demo_data_dir)})
    assert res.returncode == 0 and '"library_tracks": 2000' in res.stdout
    with Store.open(db) as store:
        assert store.conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]


def test_a_failed_write_gives_its_wal_space_back_while_another_connection_is_open(
    demo_store, monkeypatch
):
    """The disk-full loop of issue 20: with the TUI (another connection) open, the WAL kept
    the pages of the rolled-back transaction (3 MB there), and that is what filled the
    disk for every command after. Now it is cut to 0 bytes when the transaction fails.
    SQLite's real SQLITE_FULL, from a file allowed 300 more pages; a small cache makes the
    transaction write its pages to the WAL before it fails, as a big import does."""
    from tests.disk_faults import inject

    db = demo_store.path
    wal = db.with_name(db.name + "-wal")
    tui = sqlite3.connect(db, isolation_level=None)  # open, as the app's would be
    tui.execute("SELECT count(*) FROM tracks").fetchone()
    before = tui.execute("SELECT count(*), max(key) FROM meta").fetchone()
    inject(monkeypatch, "statvfs")
    conn = demo_store.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 300}")
    conn.execute("PRAGMA cache_size = 20")
    in_wal: list[int] = []
    try:
        with pytest.raises(DiskFullError) as info, demo_store.transaction() as c:
            for i in range(100_000):
                c.execute("INSERT INTO meta(key, value) VALUES (?, ?)", (f"zz{i}", "x" * 400))
                if i % 500 == 0:
                    in_wal.append(wal.stat().st_size)
        assert str(info.value) == disk_full_message(db.parent, db.name)[len("error: ") :]
        assert max(in_wal) > 500_000  # the rolled-back pages were in the WAL
        assert wal.stat().st_size == 0
        assert tui.execute("SELECT count(*), max(key) FROM meta").fetchone() == before
        assert tui.execute("SELECT count(*) FROM library").fetchone() == (2000,)
    finally:
        tui.close()


def test_a_reader_holding_the_wal_lets_the_next_commit_cut_it(tmp_path):
    """When another connection is mid-read the WAL cannot be emptied at once; the size
    limit cuts it back at the next commit instead of keeping its largest size."""
    from spotui.store.connection import WAL_SIZE_LIMIT

    path = tmp_path / "x.sqlite3"
    store = Store.open(path)
    wal = tmp_path / "x.sqlite3-wal"
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM tracks").fetchone()
        store.conn.execute("PRAGMA cache_size = 20")
        with pytest.raises(RuntimeError), store.transaction() as c:
            c.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?)",
                [(f"k{i}", "x" * 500) for i in range(5000)],
            )
            raise RuntimeError("stopped")
        assert wal.stat().st_size > 2 * WAL_SIZE_LIMIT  # the reader blocked the truncation
        reader.execute("COMMIT")
        with store.transaction() as c:
            c.execute("INSERT INTO meta(key, value) VALUES ('after', '1')")
        assert wal.stat().st_size <= WAL_SIZE_LIMIT
    finally:
        reader.close()
        store.close()


@pytest.mark.parametrize("free", [0, 512 << 10, 10 << 30], ids=["0", "512KB", "10GB"])
def test_disk_io_error_on_a_full_disk_is_a_full_disk(tmp_path, monkeypatch, free):
    """Before: reads on a full disk said "the disk reported an error (disk I/O error)":
    SQLite's words when it cannot grow -shm or -wal. With (almost) no room left that is a
    full disk; with room, still a disk error."""
    import spotui.store.faults as faults

    monkeypatch.setattr(faults, "disk_free", lambda directory: free)
    store = Store.open(tmp_path / "x.sqlite3")
    exc = sqlite3.OperationalError("disk I/O error")
    exc.sqlite_errorcode = 10  # SQLITE_IOERR
    try:
        with pytest.raises(StoreError) as info, store.errors():
            raise exc
    finally:
        store.close()
    if free < faults.LOW_SPACE:
        assert isinstance(info.value, DiskFullError)
        shown = "0 bytes" if free == 0 else "512 KB"
        assert str(info.value) == disk_full_message(tmp_path, "x.sqlite3", shown)[7:]
    else:
        assert type(info.value) is StoreError
        assert str(info.value) == (
            f"{tmp_path / 'x.sqlite3'}: the disk reported an error (disk I/O error). The last "
            "change was rolled back; check the disk and run the command again."
        )

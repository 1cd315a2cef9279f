"""Opening a database (creating, migrating, checking it) and the transaction helpers
every section of the store uses.

What happens to a file that cannot be used, and why (the words are in
:mod:`spotui.store.faults`):

* not a spotui database at all (no SQLite header, someone else's tables): there is
  nothing to lose by starting afresh, so it is renamed next to itself with a timestamp
  and a new library starts, saying where the old file went (:class:`OpenNotice`);
* damaged pages (``PRAGMA quick_check`` on open when cheap, before every writing job, or
  any "malformed" error mid-run): a copy is saved next to it and the command stops
  saying how to rebuild; the file is never emptied or written further;
* busy (another program holds the lock): waited for (saying so after a second) up to
  the configured timeout, then a clear error; nothing is moved;
* written by a newer spotui, or no permission: a clear error naming the path; untouched;
* the disk full: the transaction is rolled back, its pages in the -wal file are given
  back to the disk at once (:meth:`Connection.shrink_wal`), and the error says what to free.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spotui.core.errors import StoreNewerError
from spotui.store.faults import (
    damaged,
    disk_full_error,
    ensure_dir,
    is_busy,
    is_disk_full,
    move_aside,
    patiently,
    permission_error,
    store_error,
)
from spotui.store.schema import MIGRATIONS, SCHEMA_VERSION, statements


@dataclass(frozen=True)
class OpenNotice:
    """Something the user should hear about when the store opened (e.g. a file moved aside)."""

    message: str
    moved_to: Path | None = None


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def dumps(value: Any) -> str:
    # one shared encoder: json.dumps with options builds a new one per call (3x slower)
    return _ENCODE(value)


def dumps_names(names: Sequence[str]) -> str:
    """JSON for a list of plain names (artists, genres): the hot path of a 100k import.

    Joining is ~5x faster than the encoder; anything needing escapes takes the encoder.
    """
    if all(n.isprintable() and '"' not in n and "\\" not in n for n in names):
        return '["' + '","'.join(names) + '"]' if names else "[]"
    return _ENCODE(list(names))


def chunks(seq: list, size: int) -> Iterator[list]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


class _Unreadable(Exception):
    """The file is not a spotui database at all (no SQLite header, or someone else's)."""


#: Files up to this size are checked with ``PRAGMA quick_check`` on every open. Measured:
#: 1.4 ms per MB on an idle machine (65 ms for a 100k-track, 46 MB library), ~3.5 ms per MB
#: on a busy one (26-30 ms for 10k tracks, 7 MB). Bigger files are checked before the jobs
#: that write (:meth:`Connection.verify`), where the cost is small against the job.
QUICK_CHECK_MAX_BYTES = 32 * 2**20
#: Bytes the -wal file is cut back to each time it starts over (after a checkpoint).
#: SQLite's default keeps it at its largest size for as long as any connection is open,
#: so the TUI kept the 3 MB left by a rolled-back import (rolled back because the disk
#: was full), and that is what filled the disk (issue 20). 1 MB keeps the common small
#: commits from growing the file again each time.
WAL_SIZE_LIMIT = 1 << 20
#: Seconds to wait for a database another program holds (``SPOTUI_DB_TIMEOUT``).
DEFAULT_TIMEOUT = 60.0

Waiting = Callable[[str], None] | None


def connect(
    path: Path, timeout: float = DEFAULT_TIMEOUT, check: bool | None = None, on_wait: Waiting = None
) -> tuple[sqlite3.Connection, OpenNotice | None]:
    """A migrated connection to ``path``; a file that is not a spotui database at all is
    moved aside first (the notice says where). ``check``: run ``PRAGMA quick_check``
    (None: when the file is small enough for it to be cheap).

    Every other problem is a typed :class:`~spotui.core.errors.StoreError` and leaves the
    file where it is: busy, damaged (copied aside), newer schema, no permission.
    """
    ensure_dir(path.parent)
    if path.is_dir():
        raise permission_error(path, "it is a directory, not a database file")
    notice = None
    try:
        try:
            return _connect_and_migrate(path, timeout, check, on_wait), None
        except _Unreadable as exc:
            try:
                moved = move_aside(path)
            except OSError as move_exc:
                raise permission_error(path, f"{exc}; moving it aside failed: {move_exc}") from exc
            notice = OpenNotice(
                f"{path} could not be read ({exc}); it was moved to {moved} and a new "
                "library started. Nothing was deleted.",
                moved,
            )
        return _connect_and_migrate(path, timeout, check, on_wait), notice
    except sqlite3.Error as exc:
        raise store_error(exc, path, timeout) from exc


def _read_header(conn: sqlite3.Connection) -> tuple[int, int]:
    """Reading the header is where a foreign or unreadable file shows itself."""
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        return version, tables.fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise _Unreadable(str(exc)) from exc
        raise


def quick_check(conn: sqlite3.Connection, path: Path) -> None:
    """Raise :class:`~spotui.core.errors.StoreDamagedError` (after copying the file aside) if
    SQLite finds damaged pages."""
    try:
        rows = conn.execute("PRAGMA quick_check(5)").fetchall()
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            raise
        raise damaged(path, str(exc)) from exc
    if rows != [("ok",)]:
        raise damaged(path, "; ".join(str(r[0]) for r in rows[:3]))


def _connect_and_migrate(
    path: Path, timeout: float, check: bool | None, on_wait: Waiting
) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=timeout)

    def wait(fn):
        return patiently(conn, fn, timeout, on_wait, path)

    try:
        version, tables = wait(lambda: _read_header(conn))
        if version > SCHEMA_VERSION:
            raise StoreNewerError(
                f"{path} was written by a newer spotui (schema {version}; this spotui knows "
                f"{SCHEMA_VERSION}). It was left exactly as it is. Upgrade spotui to use it, or "
                "set SPOTUI_DATA_DIR to another directory to start a separate library."
            )
        if version == 0 and tables:
            raise _Unreadable("not a spotui database (no schema version)")
        if check is None:
            check = path.stat().st_size <= QUICK_CHECK_MAX_BYTES
        if check and version:
            wait(lambda: quick_check(conn, path))
        conn.execute("PRAGMA foreign_keys = ON")
        wait(lambda: conn.execute("PRAGMA journal_mode = WAL"))
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
        _migrate(conn, version, wait)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
        raise
    return conn


def _migrate(conn: sqlite3.Connection, version: int, wait: Callable) -> None:
    while version < SCHEMA_VERSION:
        # Take the write lock, then look again: another process or thread may have
        # migrated while we waited (two connections opening a brand-new file).
        wait(lambda: conn.execute("BEGIN IMMEDIATE"))
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version >= SCHEMA_VERSION:
            conn.execute("COMMIT")
            break
        for statement in statements(MIGRATIONS[version]):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version + 1}")
        conn.execute("COMMIT")
        version += 1


class Connection:
    """One open database and its transaction helpers; the sections of
    :class:`~spotui.store.Store` share it. Not thread-safe: one per thread."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        notice: OpenNotice | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        on_wait: Waiting = None,
        checked: bool = False,
    ):
        self.conn = conn
        self.path = path
        self.notice = notice
        self.timeout = timeout
        #: Told (from the calling thread) when a write waits for another program's lock.
        self.on_wait = on_wait
        self._checked = checked
        self._depth = 0
        #: Transactions this connection committed (``total_changes`` also counts rows of a
        #: transaction rolled back: a job that failed wrote nothing, and must not say it did).
        self.commits = 0

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        check: bool | None = None,
        on_wait: Waiting = None,
    ):
        """Open (creating or migrating) the database at ``path``.

        A file that is not a spotui database at all is renamed next to itself with a
        timestamp and a fresh database is created; the returned store's ``notice`` says
        where the old file went. Anything else that stops it raises a
        :class:`~spotui.core.errors.StoreError` (see the module doc). ``check``: run
        ``PRAGMA quick_check`` now (None: if the file is small enough for it to be cheap).
        """
        path = Path(path)
        ensure_dir(path.parent)  # first: a path too long or a link loop fails any stat
        if check is None:
            check = not path.exists() or path.stat().st_size <= QUICK_CHECK_MAX_BYTES
        conn, notice = connect(path, timeout, check, on_wait)
        return cls(conn, path, notice, timeout=timeout, on_wait=on_wait, checked=check)

    def verify(self, max_bytes: int | None = None) -> None:
        """Make sure the file has no damaged pages before a job writes to it (once per
        connection; :class:`~spotui.core.errors.StoreDamagedError` otherwise). ``max_bytes``:
        only if the file is at most that big (the cheap check of an open)."""
        if max_bytes is not None and self.path.stat().st_size > max_bytes:
            return
        if not self._checked:
            with self.errors():
                patiently(
                    self.conn,
                    lambda: quick_check(self.conn, self.path),
                    self.timeout,
                    self.on_wait,
                    self.path,
                )
            self._checked = True

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Any ``sqlite3`` error inside becomes the user's :class:`~spotui.core.errors.StoreError`."""
        try:
            yield
        except sqlite3.Error as exc:
            raise store_error(exc, self.path, self.timeout) from exc

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing block; nested uses join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        patiently(
            self.conn,
            lambda: self.conn.execute("BEGIN IMMEDIATE"),
            self.timeout,
            self.on_wait,
            self.path,
        )
        self._depth = 1
        try:
            yield self.conn
            self.conn.execute("COMMIT")  # where a big transaction's pages are written
            self.commits += 1
        except BaseException as exc:
            # The words first: after the roll-back and the truncation the disk has room again.
            full = is_disk_full(exc, self.path)
            if self.conn.in_transaction:  # SQLite may have rolled back itself (disk full)
                self.conn.execute("ROLLBACK")
            self.shrink_wal()
            if full:
                raise disk_full_error(self.path) from exc
            raise
        finally:
            self._depth = 0

    def shrink_wal(self) -> bool:
        """Give back the room a rolled-back transaction took in the -wal file, now.

        Its pages stay in the file (SQLite only reuses them) until a checkpoint finds no
        other connection reading: ``wal_checkpoint(TRUNCATE)`` cuts it to 0 bytes then.
        Without the wait another program's reader would impose (the TUI's), so this never
        blocks; if someone reads, :data:`WAL_SIZE_LIMIT` cuts it at the next commit.
        True if the file is empty now. Never raises: the error being handled matters more.
        """
        try:
            self.conn.execute("PRAGMA busy_timeout = 0")
            busy = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.Error:
            return False
        finally:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        return busy == 0

    @contextmanager
    def bulk(self) -> Iterator[sqlite3.Connection]:
        """A transaction with a large page cache, for imports of 100k rows.

        Random-key inserts into three B-trees thrash SQLite's default 2 MB cache; 64 MB
        makes a 100k-row import ~1.5x faster. Restored afterwards so long-lived
        connections (the TUI holds several) stay small.
        """
        before = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute("PRAGMA cache_size = -65536")
        try:
            with self.transaction() as c:
                yield c
        finally:
            self.conn.execute(f"PRAGMA cache_size = {before}")
            self.conn.execute("PRAGMA shrink_memory")

    def lookup(self, sql: str, ids: Sequence[str]) -> list[tuple]:
        """Rows of ``sql`` (with ``{}`` where the id list goes) for many ids at once."""
        if len(ids) > 5000:  # one join beats a hundred IN (...) queries
            with self.transaction() as c:
                c.execute("CREATE TEMP TABLE IF NOT EXISTS _ids (id TEXT PRIMARY KEY)")
                c.execute("DELETE FROM _ids")
                c.executemany("INSERT OR IGNORE INTO _ids(id) VALUES (?)", [(i,) for i in ids])
                rows = c.execute(sql.format("SELECT id FROM _ids")).fetchall()
                c.execute("DELETE FROM _ids")
            return rows
        out: list[tuple] = []
        for chunk in chunks(list(ids), 900):
            out.extend(self.conn.execute(sql.format(",".join("?" * len(chunk))), chunk).fetchall())
        return out

    # ---------------------------------------------------------------- meta
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


class Section:
    """The statements of one group of tables, over the open database every section of a
    :class:`~spotui.store.Store` shares.

    Why sections are parts and not base classes: a call says which tables it touches
    (``store.library.playlists()``), and one section cannot quietly lean on another's
    attributes; what they share (the connection, transactions, meta) is on :attr:`db`."""

    def __init__(self, db: Connection) -> None:
        self.db = db

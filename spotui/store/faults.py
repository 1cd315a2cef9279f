"""What went wrong with the database file, in the user's words: the one place that turns a
``sqlite3`` error into a typed :class:`~spotui.core.errors.StoreError`.

Why a classification and not one ``except sqlite3.DatabaseError``: "database is locked"
is a ``DatabaseError`` too, and treating a file another process holds as corrupt moved a
healthy library aside (issue 13). SQLite's primary result code says which case it is:

* *busy* (another program holds the lock longer than the timeout): wait, then say so;
  nothing is moved;
* *no permission* (read-only file or directory, a directory that is a file): name the path;
* *damaged* (malformed pages): copy the file aside and tell the user how to rebuild; the
  file itself is never emptied, moved or written to;
* *disk full*: SQLite's "database or disk is full", and its "disk I/O error" when the
  disk has (almost) no room left, which is how a full disk shows in reads that need to
  write the -shm or -wal file (issue 20): say so, and how much to free;
* anything else: a plain message naming the file, never a traceback.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from spotui.core.errors import (
    DiskFullError,
    StoreBusyError,
    StoreDamagedError,
    StoreError,
    StorePermissionError,
)

T = TypeVar("T")

#: Seconds a busy database is waited for silently before the user hears about it.
FIRST_WAIT = 1.0

# SQLite primary result codes (https://sqlite.org/rescode.html).
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _AUTH, _NOTADB = (
    3, 5, 6, 8, 10, 11, 13, 14, 23, 26,
)  # fmt: skip


def _code(exc: sqlite3.Error) -> int:
    return (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF


#: SQLITE_PROTOCOL: a WAL lock race SQLite gave up retrying (seen when several connections
#: open a new file at once, under load); like busy, it passes if tried again.
_PROTOCOL = 15


def is_busy(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        _code(exc) in (_BUSY, _LOCKED, _PROTOCOL) or "database is locked" in str(exc)
    )


def is_damage(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.DatabaseError) and _code(exc) in (_CORRUPT, _NOTADB)


def busy_error(path: Path, timeout: float) -> StoreBusyError:
    return StoreBusyError(
        f"{path} is in use by another program (another spotui?), which held it for more "
        f"than {timeout:g} s. Nothing was moved or lost, and the change that was waiting was "
        "not made. Run the command again when that program has finished (a sync continues "
        "where it stopped), or wait longer with SPOTUI_DB_TIMEOUT=SECONDS."
    )


_MAKE_WRITABLE = (
    "Make it (and its directory) readable and writable by you, or point SPOTUI_DATA_DIR at "
    "a directory you can write"
)


def permission_error(path: Path, problem: str, fix: str = _MAKE_WRITABLE) -> StorePermissionError:
    return StorePermissionError(f"cannot use {shown(path)}: {problem}. {fix}. Nothing was changed.")


#: Paths longer than this are shortened in messages (a 5,000-character path is no line).
SHOWN_PATH_MAX = 160


def shown(path: Path) -> str:
    """``path`` as a message names it: whole, or its start and end around "…" if very long."""
    text = str(path)
    if len(text) <= SHOWN_PATH_MAX:
        return text
    return f"{text[:80]}…{text[-60:]} ({len(text):,} characters)"


def _limits(path: Path) -> tuple[int, int]:
    """This system's longest path and longest single name, in bytes (asked of the nearest
    directory that exists; Linux's 4096 and 255 when it cannot say)."""
    for parent in (path, *path.parents):
        try:
            if parent.is_dir():
                return os.pathconf(parent, "PC_PATH_MAX"), os.pathconf(parent, "PC_NAME_MAX")
        except (OSError, ValueError):
            continue
    return 4096, 255


def _too_long(path: Path) -> str | None:
    """What is too long about ``path`` for this system, or None."""
    path_max, name_max = _limits(path)
    longest = max(path.parts, key=lambda part: len(os.fsencode(part)), default="")
    if len(os.fsencode(longest)) > name_max:
        return (
            f"a name in it is too long ({len(longest):,} characters; at most {name_max} bytes "
            "fit in one file or directory name here)"
        )
    if len(os.fsencode(str(path))) >= path_max:
        return (
            f"the path is too long ({len(str(path)):,} characters; at most {path_max - 1:,} "
            "bytes fit in a path here)"
        )
    return None


def _loop_in(path: Path) -> Path | None:
    """The first symbolic link on the way to ``path`` that leads back to itself, if any."""
    for part in (*reversed(path.parents), path):
        try:
            os.stat(part)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return part
            return None
    return None


_OTHER_DIR = "Point SPOTUI_DATA_DIR at a directory"


def _not_a_dir(directory: Path) -> tuple[str, str] | None:
    """Why ``directory`` cannot be a directory as it stands and what to do, or None if it
    is one or can be made. Asked before ``mkdir`` because the OS's words mislead there: a
    symbolic link loop is "File exists", and a path too long is a "File name too long"
    traceback from the first ``stat`` (issue 20)."""
    too_long = _too_long(directory)
    if too_long:
        return too_long, "Point SPOTUI_DATA_DIR at a shorter path"
    loop = _loop_in(directory)
    if loop is not None:
        where = "it is" if loop == directory else f"{shown(loop)} is"
        return (
            f"{where} a symbolic link that leads back to itself (a loop), not a directory",
            f"{_OTHER_DIR}, or remove that link (rm '{shown(loop)}')",
        )
    if directory.is_symlink() and not directory.exists():
        target = shown(Path(os.readlink(directory)))
        return (
            f"it is a symbolic link to {target}, which does not exist",
            f"Create {target}, or {_OTHER_DIR[0].lower()}{_OTHER_DIR[1:]}",
        )
    if directory.exists() and not directory.is_dir():
        return "it is a file, not a directory", f"{_OTHER_DIR}, or move that file away"
    return None


def ensure_dir(directory: Path) -> None:
    """Create the data directory, or say clearly why it cannot be one (naming the path)."""
    found = _not_a_dir(directory)
    if found:
        problem, fix = found
        raise StorePermissionError(
            f"cannot use {shown(directory)}: {problem}. {fix}. Nothing was changed."
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise permission_error(directory, exc.strerror or str(exc)) from exc


def store_error(exc: sqlite3.Error, path: Path, timeout: float) -> StoreError:
    """The user's words for ``exc`` raised on the database at ``path``.

    A damaged file is copied aside here (see :func:`damaged`), so the copy is made
    whichever call met the damage first.
    """
    code = _code(exc)
    if is_busy(exc):
        return busy_error(path, timeout)
    if is_damage(exc):
        return damaged(path, str(exc))
    if code == _CANTOPEN:
        return permission_error(
            path, f"{exc} (SQLite also needs to create {path.name}-wal and -shm next to it)"
        )
    if code in (_READONLY, _PERM, _AUTH):
        return permission_error(path, str(exc))
    if is_disk_full(exc, path):
        return disk_full_error(path)
    if code == _IOERR:
        return StoreError(
            f"{path}: the disk reported an error ({exc}). The last change was rolled back; "
            "check the disk and run the command again."
        )
    return StoreError(f"{path}: the database reported an error: {exc}.")


#: A "disk I/O error" with less room than this left is a full disk: a read may need a few
#: pages of -wal or the 32 KB -shm file, and a write at least its pages.
LOW_SPACE = 1 << 20
#: The least this message asks to free: room for a job's changes in the -wal file.
FREE_AT_LEAST = 50 << 20
#: ``OSError`` numbers meaning "no room": the disk is full, or the user's quota on it is.
NO_ROOM = (errno.ENOSPC, errno.EDQUOT)


def disk_free(directory: Path) -> int | None:
    """Bytes an unprivileged user can still write under ``directory`` (None: unknown)."""
    try:
        st = os.statvfs(directory)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def is_disk_full(exc: BaseException, path: Path) -> bool:
    """Whether ``exc`` (on the database at ``path``) means its disk has no room left.

    SQLite says "database or disk is full" (SQLITE_FULL) when a write finds no room, but
    "disk I/O error" (SQLITE_IOERR) when a read must first create or grow -shm or -wal;
    the latter is a full disk only if the disk is (almost) full now.
    """
    if not isinstance(exc, sqlite3.Error):
        return False
    if _code(exc) == _FULL or "database or disk is full" in str(exc):
        return True
    if _code(exc) == _IOERR or str(exc).startswith("disk I/O error"):
        free = disk_free(path.parent)
        return free is not None and free < LOW_SPACE
    return False


def _size(n: int) -> str:
    if n < 1 << 20:
        return f"{n:,} bytes" if n < 1024 else f"{n / 1024:.0f} KB"
    if n < 1 << 30:
        return f"{n / (1 << 20):.0f} MB"
    return f"{n / (1 << 30):.1f} GB"


def disk_full_error(path: Path) -> DiskFullError:
    """The disk holding the database at ``path`` is full: what was kept, what to free.

    The amount asked for is the library's size (a job rewrites at most about that much
    in the -wal file before its changes are copied back), and at least 50 MB.
    """
    free = disk_free(path.parent)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    left = "" if free is None else f" ({_size(free)} free now)"
    return DiskFullError(
        f"the disk holding {shown(path.parent)} is full{left}. Nothing was lost: the change "
        f"that needed room was not made, and {path.name} is as it was before it. Free at "
        f"least {_size(max(size, FREE_AT_LEAST))} on that disk (delete or move files you no "
        "longer need, empty the trash), then run the command again; a sync continues where "
        "it stopped."
    )


def patiently(
    conn: sqlite3.Connection,
    fn: Callable[[], T],
    timeout: float,
    on_wait: Callable[[str], None] | None,
    path: Path,
) -> T:
    """``fn()``, which may have to wait for another program's lock: silently for a
    second, then saying so (``on_wait``) and waiting up to ``timeout`` in all.

    ``fn`` must not have done anything when it fails busy (a ``BEGIN``, a read).
    """
    first = min(timeout, FIRST_WAIT)
    conn.execute(f"PRAGMA busy_timeout = {int(first * 1000)}")
    try:
        return fn()
    except sqlite3.OperationalError as exc:
        if not is_busy(exc) or timeout <= first:
            raise
        if on_wait is not None:
            on_wait(
                f"waiting for {path}: another program is using it (up to {timeout:g} s, "
                "SPOTUI_DB_TIMEOUT)…"
            )
        conn.execute(f"PRAGMA busy_timeout = {int((timeout - first) * 1000)}")
        return fn()
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def _free_name(path: Path, tag: str) -> Path:
    target = path.with_name(f"{path.name}.{tag}-{_stamp()}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.{tag}-{_stamp()}-{n}")
        n += 1
    return target


def move_aside(path: Path) -> Path:
    """Rename ``path`` (and its -wal/-shm) to ``NAME.broken-STAMP``; nothing is deleted."""
    target = _free_name(path, "broken")
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


def _existing_copy(path: Path) -> Path | None:
    """A copy made earlier of the file as it is now (same size and time), if any."""
    try:
        st = path.stat()
    except OSError:
        return None
    for other in path.parent.glob(f"{path.name}.damaged-*"):
        if other.name.endswith("-wal"):
            continue
        try:
            o = other.stat()
        except OSError:
            continue
        if o.st_size == st.st_size and int(o.st_mtime) == int(st.st_mtime):
            return other
    return None


def damaged(path: Path, reason: str) -> StoreDamagedError:
    """Copy the damaged file (and its -wal) aside and say how to rebuild.

    A copy, not a move: the file stays where it is, untouched, so nothing the user had is
    ever emptied; the copy is the safe one if they try repairs on the original. A file
    already copied as it is now is not copied again on every run.
    """
    copy = _existing_copy(path)
    if copy is None:
        target = _free_name(path, "damaged")
        try:
            shutil.copy2(path, target)
            wal = path.with_name(path.name + "-wal")
            if wal.exists() and wal.stat().st_size:  # unchecked-in pages are part of it
                shutil.copy2(wal, target.with_name(target.name + "-wal"))
            copy = target
        except OSError as exc:
            saved = f"It could not be copied aside ({exc}); it was left exactly as it is."
        else:
            saved = f"A copy was saved as {copy}."
    else:
        saved = f"A copy was saved earlier as {copy}."
    return StoreDamagedError(
        f"{path} is damaged ({reason}). {saved} Nothing was changed or emptied. To rebuild: "
        f"move it away (mv '{path}' '{path}.old'); spotui then starts a new library, and "
        "`spotui sync` fetches yours from Spotify again (CSV files need `spotui import` again).",
        copy,
    )

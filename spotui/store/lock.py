"""One writer per job: an advisory lock file next to the database for each job that
writes (sync, import, segment).

Why: two syncs at once shared the resume marks of the liked songs. The first to finish
cleared them, and the second then believed it had seen only its own last pages and
removed everything else (1,300 liked songs -> 50, both exiting 0). SQLite serialises
single writes, not jobs of hundreds of transactions, so the job itself must be exclusive.

The lock is ``flock`` on ``<database>.<job>.lock`` (so the demo and the real library, and
different jobs, never block each other). The kernel drops it when the process ends, however
it ends, so a killed sync never leaves a stale lock; the file keeps the holder's pid and
command only to say who is running. Two windows of one process exclude each other too
(each lock is its own open file).
"""

from __future__ import annotations

import fcntl  # POSIX (Linux, macOS): the platforms spotui runs on
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from spotui.core.errors import JobRunningError
from spotui.core.progress import CancelCheck, check_cancel
from spotui.store.faults import NO_ROOM, disk_full_error, ensure_dir, permission_error

#: Seconds between tries while waiting for another run to finish.
POLL = 0.2


def lock_path(db_path: Path, job: str) -> Path:
    return db_path.with_name(f"{db_path.name}.{job}.lock")


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(fd: int) -> tuple[int | None, str]:
    """The pid and command the holder wrote (None, "" if it has not written them yet)."""
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        return None, ""
    pid, _, what = text.partition(" ")
    return (int(pid) if pid.isdigit() else None), what


def _write_holder(fd: int, path: Path, db_path: Path, note: str) -> None:
    """Write who holds the lock, for others' messages. A full disk has no block for these
    few bytes (issue 20: an ``OSError`` traceback from every job). The job's own writes
    would meet the same full disk, so it stops here, before anything was changed, with
    the message a full database gets."""
    os.ftruncate(fd, 0)
    try:
        os.pwrite(fd, note.encode(), 0)
    except OSError as exc:
        if exc.errno in NO_ROOM:
            raise disk_full_error(db_path) from exc
        raise permission_error(path, f"cannot write to it ({exc.strerror or exc})") from exc


def running_message(job: str, pid: int | None, what: str = "") -> str:
    if pid == os.getpid():  # another window or worker of this very process
        return f"a {what or job} is already running in this spotui"
    who = f" (pid {pid})" if pid else ""
    return f"another {what or job} is running{who}"


@contextmanager
def job_lock(
    db_path: Path,
    job: str,
    *,
    what: str = "",
    wait: bool = False,
    on_wait: Callable[[str], None] | None = None,
    cancel: CancelCheck | None = None,
) -> Iterator[None]:
    """Hold the ``job`` lock of the database at ``db_path`` for the block.

    Held by another process or window: raise :class:`~spotui.core.errors.JobRunningError`
    naming its pid, or with ``wait`` tell ``on_wait`` once and wait (``cancel`` stops the
    wait with :class:`~spotui.core.errors.Cancelled`). ``what`` names this run for others'
    messages (e.g. "spotui sync").
    """
    path = lock_path(db_path, job)
    ensure_dir(path.parent)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        problem = f"cannot create {path.name} there ({exc.strerror or exc})"
        raise permission_error(path.parent, problem) from exc
    try:
        told = False
        while not _try_lock(fd):
            pid, holder = _holder(fd)
            message = running_message(job, pid, holder)
            if not wait:
                raise JobRunningError(
                    f"{message}. Nothing was changed. Run this again when it has finished, "
                    "or use --wait to wait for it.",
                    pid,
                )
            if not told and on_wait is not None:
                on_wait(f"{message}; waiting for it to finish…")
                told = True
            check_cancel(cancel)
            time.sleep(POLL)
        _write_holder(fd, path, db_path, f"{os.getpid()} {what or job}\n")
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # still holding it: nobody reads a stale pid
    finally:
        os.close(fd)  # releases the lock

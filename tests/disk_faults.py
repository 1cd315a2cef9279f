"""Fault injection for a full disk: ``python -m tests.disk_faults FAULTS -- SPOTUI ARGS``
runs spotui's CLI with the faults below switched on, so a test sees exactly what a user
would (stderr, exit status) without a real full file system (tests cannot mount one).

FAULTS is a comma-separated list of:

* ``lock``: ``os.pwrite`` (the job lock's pid note) fails with ENOSPC;
* ``sqlite``: every connection spotui opens gets ``PRAGMA max_page_count`` set to the
  file's size, so the first write that needs a new page fails inside SQLite itself with
  the real ``SQLITE_FULL`` ("database or disk is full"), rolled back as on a full disk;
* ``statvfs``: ``os.statvfs`` reports 0 bytes free (what a full disk reports; the message
  says how much is free, so it must not depend on this machine's disk).

The same switches work in-process through :func:`inject` (with pytest's monkeypatch).
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
from collections.abc import Callable
from typing import Any

_REAL_PWRITE = os.pwrite
_REAL_STATVFS = os.statvfs
_REAL_CONNECT = sqlite3.connect


def _no_room_pwrite(fd: int, data: bytes, offset: int) -> int:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class _FullStat:
    """``os.statvfs`` of a full disk: the real answer with no block available."""

    def __init__(self, real: os.statvfs_result):
        self._real = real
        self.f_bavail = 0
        self.f_bfree = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _full_statvfs(path: Any) -> _FullStat:
    return _FullStat(_REAL_STATVFS(path))


def _connect_no_growth(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
    conn = _REAL_CONNECT(database, *args, **kwargs)
    # Below the current page count SQLite keeps the current one: the file cannot grow.
    conn.execute("PRAGMA max_page_count = 1")
    return conn


def patches(faults: str) -> list[tuple[Any, str, Callable]]:
    """(object, attribute, replacement) for each fault named in ``faults``."""
    import spotui.store.connection as connection

    table = {
        "lock": (os, "pwrite", _no_room_pwrite),
        "statvfs": (os, "statvfs", _full_statvfs),
        "sqlite": (connection.sqlite3, "connect", _connect_no_growth),
    }
    return [table[name] for name in faults.split(",") if name]


def inject(monkeypatch: Any, faults: str) -> None:
    """Switch ``faults`` on in this process for one test."""
    for obj, name, value in patches(faults):
        monkeypatch.setattr(obj, name, value)


def main(argv: list[str]) -> int:
    faults, sep, args = argv[0], argv[1], argv[2:]
    assert sep == "--", "usage: python -m tests.disk_faults FAULTS -- ARGS"
    for obj, name, value in patches(faults):
        setattr(obj, name, value)
    from spotui.cli import main as spotui_main

    return spotui_main(args)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

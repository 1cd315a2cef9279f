"""Errors a user can cause or fix, with messages written for them.

The core raises these; the CLI prints ``str(exc)`` and exits with ``exit_code`` (2 for what
the user gave, 3 when the library cannot be used now: busy, damaged, newer, no permission,
another job running); the TUI shows the message as a notification. Every ``sqlite3`` error
becomes a :class:`StoreError` in the core (:mod:`spotui.store.faults`). Anything else is a
bug and gets a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Base class: the message is complete and addressed to the user."""

    exit_code = 2


class ConfigError(UserError):
    """A configuration problem the user can fix (client id, config file); the message says how."""


class StoreError(UserError):
    """The database could not be used; the message is written for the user.

    Exit status 3 for every store problem (busy, damaged, newer, no permission, disk full), so a
    script can tell "try again later / fix the file" from a usage error (2).
    """

    exit_code = 3


class StoreBusyError(StoreError):
    """Another program held the database longer than the configured timeout; nothing moved."""


class StoreDamagedError(StoreError):
    """The database file is damaged; a copy was saved (``copy``) and nothing was emptied."""

    def __init__(self, message: str, copy: object = None):
        super().__init__(message)
        self.copy = copy


class StoreNewerError(StoreError):
    """The database was written by a newer spotui; it is left exactly as it is."""


class StorePermissionError(StoreError):
    """The data directory or database cannot be created, read or written (the path is named)."""


class DiskFullError(StoreError):
    """The disk holding the database has no room left; nothing was lost (the change that
    needed room was rolled back, or never started) and the message says what to free."""


class JobRunningError(UserError):
    """Another spotui process (or window) is running the same job on the same database."""

    exit_code = 3

    def __init__(self, message: str, pid: int | None = None):
        super().__init__(message)
        self.pid = pid


class StaleViewError(UserError):
    """What the user confirmed (an export plan, tracks to queue or to add, a file) was read
    before another spotui changed the library: nothing was written, the moods were read
    again, and the message says to check and try again. Exit status 3, like a job that
    runs elsewhere: trying again is the fix."""

    exit_code = 3


class NotFoundError(UserError):
    """An id (track, cluster, playlist) the user gave does not exist."""


class NoFeaturesError(UserError):
    """An operation needs audio features the track does not have."""


class ImportFormatError(UserError):
    """A file to import is malformed; the message names file, line and column."""

    def __init__(self, path: str, message: str, line: int | None = None, column: str | None = None):
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}. Nothing was imported.")
        self.path = path
        self.line = line
        self.column = column


class Cancelled(Exception):
    """Long work stopped because the user asked it to; partial work already committed stays."""

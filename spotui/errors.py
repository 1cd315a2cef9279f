"""Errors a user can cause or fix, with messages written for them.

The core raises these; the CLI prints ``str(exc)`` and exits with ``exit_code``; the TUI
shows the message as a notification. Anything else is a bug and gets a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Base class: the message is complete and addressed to the user."""

    exit_code = 2


class ConfigError(UserError):
    """A configuration problem the user can fix (client id, config file); the message says how."""


class StoreError(UserError):
    """The database could not be used; the message is written for the user."""


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

"""The first read of the library, in a thread of its own: the track table's rows, the
stored clusters and the playlists, read while Textual is imported.

Why its own module: the launcher (:mod:`spotui.tui.start`) starts this read and then
imports the app, and the app takes the read (or reads again); both import this module,
and it imports neither, so the launcher sits above the app and nothing goes both ways.
Nothing here imports Textual, numpy or scikit-learn.
"""

from __future__ import annotations

import threading

from spotui.session.facade import Session
from spotui.session.records import LibrarySnapshot
from spotui.tui.rows import ROW_COLUMNS, LibraryRows

#: The features the track table reads, in its column order (key and mode last).
TABLE_COLUMNS: tuple[str, ...] = ROW_COLUMNS


def read_library(session: Session) -> tuple[LibraryRows, LibrarySnapshot]:
    """The track table's rows and the rest of the first screen; any thread."""
    snapshot = session.library.snapshot(TABLE_COLUMNS)
    return LibraryRows(*snapshot.table), snapshot


class LibraryRead:
    """One :func:`read_library` in its own thread, started at once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._value: tuple[LibraryRows, LibrarySnapshot] | BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="spotui-library-read", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = read_library(self.session)
        except BaseException as exc:  # handed to whoever asks for the result
            self._value = exc

    def ready(self, timeout: float = 0.0) -> bool:
        """Whether the read finished well (waiting up to ``timeout`` seconds)."""
        self._thread.join(timeout)
        return not self._thread.is_alive() and not isinstance(self._value, BaseException)

    def result(self) -> tuple[LibraryRows, LibrarySnapshot]:
        """The rows and snapshot (waits for the read); re-raises what the read raised."""
        self._thread.join()
        value = self._value
        if isinstance(value, BaseException):
            raise value
        assert value is not None
        return value

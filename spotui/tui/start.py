"""How ``spotui`` starts its TUI: the library is read in a thread while Textual is imported.

Why this order: importing Textual holds the main thread for ~0.1 s; reading a 10k-track
library, its stored clusters and playlists takes ~0.05 s, nearly all of it inside SQLite
without the GIL (see ``QueriesSection.library_table``). Started first, the read is done
by the time the app composes its first screen, so that screen is laid out and painted
once, with the library in it, instead of empty and then again. Nothing here imports
Textual, numpy or scikit-learn.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING

from spotui.config import Config
from spotui.model import LibrarySnapshot
from spotui.session import Session
from spotui.tui.rows import TABLE_FEATURES, LibraryRows

if TYPE_CHECKING:
    from spotui.tui.app import SpotuiApp

#: The features the track table shows, in its column order.
TABLE_COLUMNS: tuple[str, ...] = tuple(f for f, _, _ in TABLE_FEATURES)


def read_library(session: Session) -> tuple[LibraryRows, LibrarySnapshot]:
    """The track table's rows and the rest of the first screen; any thread."""
    snapshot = session.library_snapshot(TABLE_COLUMNS)
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


def make_app(config: Config) -> SpotuiApp:
    """The app as ``spotui`` starts it: the store is opened (created, migrated) and the
    library read started before Textual is imported."""
    # Until the app runs, waiting for the database (another spotui writing) is said on
    # stderr, where the terminal still shows it.
    session = Session(config, on_wait=_say_waiting).open(prepare=False, check=False)
    read = LibraryRead(session)
    from spotui.tui.app import SpotuiApp

    return SpotuiApp(config, session=session, library=read)


def _say_waiting(message: str) -> None:
    print(f"spotui: {message}", file=sys.stderr, flush=True)


def run_tui(config: Config) -> int:
    """Run the TUI until the user quits; what ``spotui`` without a subcommand calls."""
    app = make_app(config)
    app.run()
    if app.user_error is not None:
        raise app.user_error
    return app.return_code or 0

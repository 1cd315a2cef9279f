"""How ``spotui`` starts its TUI: the library is read in a thread while Textual is imported.

Why this order: importing Textual holds the main thread for ~0.1 s; reading a 10k-track
library, its stored clusters and playlists takes ~0.05 s, nearly all of it inside SQLite
without the GIL (see ``QueriesSection.library_table``). Started first, the read is done
by the time the app composes its first screen, so that screen is laid out and painted
once, with the library in it, instead of empty and then again. The read itself is
:mod:`spotui.tui.preload`; Textual is imported only inside :func:`make_app`, after it
started. Nothing here imports Textual, numpy or scikit-learn at import time.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from spotui.config.env import Config
from spotui.session.facade import Session
from spotui.tui.preload import LibraryRead

if TYPE_CHECKING:
    from spotui.tui.app import SpotuiApp


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

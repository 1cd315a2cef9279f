"""What every session service shares: the configuration, the store (one connection per
thread), the Spotify client, the job lock and who to tell when the library changed.

Why one context object rather than services that reach into each other: a service states
what it needs by taking the context (and, where it builds on another service, that
service) in its constructor, so a reader sees the dependencies in one line instead of
finding them as attributes a mixin expected someone else to set.

Threads: the thread that made the session uses the session's own store; any other thread
(a TUI worker) gets a store of its own for the length of the call, so every service method
may be called from a worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from spotui.config.env import Config
from spotui.core.progress import CancelCheck, Progress
from spotui.session.changes import LibraryWatch
from spotui.store import OpenNotice, Store, ThreadStores

if TYPE_CHECKING:
    from spotui.http import RateBudget
    from spotui.spotify.client import SpotifyClient


class SessionContext:
    """The store, the client and the rules of writing that the services share."""

    def __init__(
        self,
        config: Config,
        *,
        store: Store | None = None,
        on_notice: Callable[[OpenNotice], None] | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        #: Replaced, not mutated, when the user sets a client id (the services read it here).
        self.config = config
        #: Told, from whichever thread waits, when a job waits for another program (may be
        #: set after the session is made: the TUI makes its app after the session).
        self.on_wait = on_wait
        self.stores = ThreadStores(
            store.path if store else config.db_path,
            store,
            on_notice,
            timeout=config.db_timeout,
            on_wait=self._tell_waiting,
        )
        #: Whether another program changed the library, and the view the faces show.
        self.watch = LibraryWatch(self.stores, self.db, self.library_changed)
        self._on_library_changed: list[Callable[[], None]] = []
        self._budget: RateBudget | None = None
        self._budget_lock = threading.Lock()

    @property
    def demo(self) -> bool:
        return self.config.demo

    def _tell_waiting(self, message: str) -> None:
        if self.on_wait is not None:
            self.on_wait(message)

    # ------------------------------------------------------------------ the store
    def open(self, check: bool | None = None) -> None:
        self.stores.open(check)

    def prepare(self) -> bool:
        """Generate the demo library on first use (``--demo``); True if it was made now.

        Cheap and numpy-free once it exists, so it may run before the first paint."""
        if not self.demo:
            return False
        from spotui.sources.demo import ensure_demo

        with self.db() as store:
            return ensure_demo(store)

    def db(self) -> AbstractContextManager[Store]:
        """The calling thread's store (the session's own, or a worker's for this call);
        the session's own opens on first use, with the demo library prepared."""
        if self.stores.main is None and self.stores.on_owner_thread():
            self.stores.open()
            self.prepare()
        return self.stores.use()

    @contextmanager
    def job(
        self,
        job: str,
        *,
        wait: bool,
        what: str = "",
        progress: Progress | None = None,
        cancel: CancelCheck | None = None,
    ) -> Iterator[None]:
        """Hold this database's lock for ``job`` (one writer per job, across processes and
        windows): :class:`~spotui.core.errors.JobRunningError` naming the holder's pid, or with
        ``wait`` say so (``on_wait`` and ``progress``) and wait for it.

        When the job has written anything (finished, failed or cancelled: what it committed
        stays), the store's change counter is bumped as this session's own, so other
        windows and processes notice (:mod:`spotui.session.changes`) and this one does
        not. The job's store is opened here and shared by the calls inside (one per
        thread), so it tells whether the job wrote: a segment that reused the stored moods
        bumps nothing and makes no other window reload, and a job that failed counts only
        what it committed (an import rolled back leaves the file exactly as it was)."""
        from spotui.store.lock import job_lock

        def tell(message: str) -> None:
            if progress is not None:
                progress(0, 0, message)
            if self.on_wait is not None:
                self.on_wait(message)

        with (
            job_lock(
                self.stores.path,
                job,
                what=what or f"spotui {job}",
                wait=wait,
                on_wait=tell,
                cancel=cancel,
            ),
            self.db() as store,
        ):
            changes, commits = store.conn.total_changes, store.commits
            try:
                yield
            except BaseException:
                if store.commits != commits:  # a sync cancelled or failing keeps what it did
                    self.watch.record_change(store, job)
                raise
            if store.commits != commits or store.conn.total_changes != changes:
                self.watch.record_change(store, job)

    # ------------------------------------------------------------------ Spotify
    def logged_in(self) -> bool:
        """Whether a Spotify login exists (then Spotify leads the feature chain: feature
        lookups, discovery)."""
        return not self.demo and bool(self.config.client_id) and self.config.token_path.exists()

    def client(self, **options: Any) -> SpotifyClient | None:
        """A Spotify client for this user; None in demo mode (actions go to the outbox).
        ``options``: the client's own (the radio's sits out no 429: it waits on its clock).

        Every client of this session shares one rate budget: a 429 one of them heard (a
        playback refresh, an export) makes the others (the radio) wait for its Retry-After
        too, and the cap on requests in flight holds for the session, not per call."""
        if self.demo:
            return None
        from spotui.spotify.client import SpotifyClient

        options.setdefault("budget", self._rate_budget())
        return SpotifyClient(self.config, **options)

    def _rate_budget(self) -> RateBudget:
        with self._budget_lock:
            if self._budget is None:
                from spotui.http import RateBudget  # not at import: requests is slow to load

                self._budget = RateBudget()
            return self._budget

    @contextmanager
    def spotify(self, needed: bool = True) -> Iterator[Any]:
        """A client for the block (None when not ``needed``), closed after it."""
        client = self.client() if needed else None
        try:
            yield client
        finally:
            if client is not None:
                client.close()

    # ------------------------------------------------------------------ listeners
    def on_library_changed(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after a sync, import or extend changed the library (the
        recommendation pool drops its cache)."""
        self._on_library_changed.append(listener)

    def library_changed(self) -> None:
        for listener in self._on_library_changed:
            listener()

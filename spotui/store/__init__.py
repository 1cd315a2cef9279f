"""The local SQLite store: the single source of truth and the only place with SQL.

Why one package owns every statement: sync, import, analysis and export all read and
write the same few tables, and keeping the SQL here means a schema change is one diff,
migrations are in one list, and the faces can never grow ad-hoc queries. A
:class:`Store` is one open database (:mod:`~spotui.store.connection`: opening, moving
broken files aside, transactions) with one section per group of tables, so every call
names the tables it touches:

* ``store.tracks`` (:mod:`~spotui.store.tracks`): tracks, audio features, feature-provider
  bookkeeping;
* ``store.library`` (:mod:`~spotui.store.library`): saved tracks, playlists, top, recent,
  imports, sync state;
* ``store.moods`` (:mod:`~spotui.store.moods`): segmentation runs, tracks new to a mood;
* ``store.exports`` (:mod:`~spotui.store.exports`): where exports went, pending creates;
* ``store.queries`` (:mod:`~spotui.store.queries`): reads across tables: counts, the
  recommendation pool, the library table;
* ``store.discovery`` (:mod:`~spotui.store.discovery`): ReccoBeats answers per seed set,
  recently queued/skipped;
* ``store.changes`` (:mod:`~spotui.store.changes`): whether another connection changed the
  library (a counter).

:mod:`~spotui.store.schema` holds the DDL, the migrations and shared SQL fragments.

:class:`ThreadStores` hands each thread its own connection to the same file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from spotui.core.errors import StoreError
from spotui.store.changes import ChangesSection, LibraryChange
from spotui.store.connection import DEFAULT_TIMEOUT, Connection, OpenNotice, now_iso
from spotui.store.discovery import DiscoverySection
from spotui.store.exports import ExportMapping, ExportsSection
from spotui.store.library import LibrarySection
from spotui.store.moods import AnalysisRun, MoodsSection, StoredCluster
from spotui.store.queries import QueriesSection
from spotui.store.schema import MIGRATIONS, SCHEMA_VERSION, SCOPES
from spotui.store.tracks import TracksSection, track_from_row

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SCOPES",
    "AnalysisRun",
    "ExportMapping",
    "LibraryChange",
    "OpenNotice",
    "Store",
    "StoreError",
    "StoredCluster",
    "ThreadStores",
    "now_iso",
    "track_from_row",
]


class Store(Connection):
    """One spotui database and its sections. Not thread-safe: one Store per thread."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tracks = TracksSection(self)
        self.library = LibrarySection(self)
        self.moods = MoodsSection(self)
        self.exports = ExportsSection(self)
        self.queries = QueriesSection(self)
        self.discovery = DiscoverySection(self)
        self.changes = ChangesSection(self)


class ThreadStores:
    """One database seen from several threads: the owner thread's long-lived store, and a
    store of its own for any other thread (a TUI worker) for the length of a call.

    Why: a SQLite connection belongs to one thread at a time, and the TUI's workers read
    while the main thread paints. Opening per call is cheap (no migration once the owner
    opened the file), and nested calls on one thread share the store the outer one opened.
    """

    def __init__(
        self,
        path: Path,
        store: Store | None = None,
        on_notice: Callable[[OpenNotice], None] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.path = path
        self.main = store
        self.timeout = store.timeout if store is not None else timeout
        self._owner = threading.get_ident()
        self._local = threading.local()
        self._on_notice = on_notice
        self._on_wait = on_wait

    def open(self, check: bool | None = None) -> Store:
        """The owner's store, opened (created, migrated, checked when cheap or as
        ``check`` says, a file that is no database moved aside) if needed."""
        if self.main is None:
            self.main = Store.open(
                self.path, timeout=self.timeout, check=check, on_wait=self._on_wait
            )
            if self.main.notice and self._on_notice is not None:
                self._on_notice(self.main.notice)
        return self.main

    def on_owner_thread(self) -> bool:
        return threading.get_ident() == self._owner

    @contextmanager
    def use(self) -> Iterator[Store]:
        """The calling thread's store. Any ``sqlite3`` error in the block comes out as the
        user's :class:`~spotui.core.errors.StoreError` (busy, damaged, no permission...)."""
        if self.on_owner_thread():
            store = self.open()
            with store.errors():
                yield store
            return
        held = getattr(self._local, "store", None)
        if held is not None:  # an outer call on this thread already opened one
            yield held
            return
        # The owner's open checked the file; a worker's per-call store need not again.
        with Store.open(
            self.path, timeout=self.timeout, check=False, on_wait=self._on_wait
        ) as store:
            self._local.store = store
            try:
                with store.errors():
                    yield store
            finally:
                self._local.store = None

    def close(self) -> None:
        if self.main is not None:
            self.main.close()
            self.main = None

"""Another spotui changed the library: noticing it, and never writing from a stale view.
The change-tracking half of :class:`spotui.session.facade.Session`.

Why: a ``spotui sync``, ``import`` or ``segment`` from a shell or cron (or another window)
commits to the file the TUI has open; the TUI kept showing what it read at start, exported
its stale "Euphoric Dance" after the CLI had re-segmented, and re-segmented a view of
3,704 tracks while the database held 21,704. The rules, all here:

* Every job that wrote (sync, features, import, segment; a playlist extended) bumps the
  store's change counter when it ends (:mod:`spotui.store.changes`); the session keeps
  the generations it wrote itself, so they are never taken for another program's.
* :attr:`view` is the generation the rows on screen were read at (set by
  :meth:`~spotui.session.facade.Session.library_snapshot`). :meth:`poll_library` tells the TUI,
  cheaply, when a generation not its own came after it: one ``PRAGMA data_version`` on
  the session's own (owner-thread) connection, which persists, so its value means
  "someone committed since I last asked"; only then one ``meta`` read. A worker's
  connection lives for one call and could not answer that.
* Targets (export, file), queue and extend carry the view they were made from; the
  session checks it at the moment of writing (:meth:`check_view`) and, when another
  program changed the library since, reads the stored moods again and raises
  :class:`~spotui.core.errors.StaleViewError` instead of writing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from spotui.core.errors import StaleViewError, UserError
from spotui.store import LibraryChange

if TYPE_CHECKING:
    from spotui.store import Store, ThreadStores

#: What each guarded write is called in the stale-view message: (check and ... again,
#: nothing was ...).
WRITE_WORDS = {
    "export": ("export", "exported"),
    "queue": ("queue", "queued"),
    "extend": ("add them", "added"),
    "file": ("write the file", "written"),
}


def stale_message(change: LibraryChange, action: str) -> str:
    """The words of :class:`~spotui.core.errors.StaleViewError` for ``action`` (a WRITE_WORDS key)."""
    again, done = WRITE_WORDS[action]
    return (
        f"The library changed in another spotui ({change.what}): the moods were reloaded; "
        f"check and {again} again. Nothing was {done}."
    )


@dataclass(frozen=True)
class LibraryMoved:
    """Another program changed the library after the view was read; ``told``: the user
    heard it already (a :class:`~spotui.core.errors.StaleViewError`), reload without a word."""

    change: LibraryChange
    told: bool = False

    def summary(self) -> str:
        return f"The library changed in another window or process ({self.change.what}): reloaded."


class ChangesMixin:
    """Needs ``self._stores``, ``self._db()``, ``self.result`` and ``self.library_changed()``."""

    _stores: ThreadStores

    def _init_changes(self) -> None:
        #: The library generation the rows on screen were read at (None: none read yet).
        self.view: int | None = None
        self._own_changes: set[int] = set()
        # Held while a generation is written and taken as our own, so a poll between the
        # commit and the note never sees our write as someone else's.
        self._changes_lock = threading.Lock()
        self._data_version: int | None = None
        self._reload_due = False

    def _record_change(self, store: Store, job: str) -> None:
        """``job`` wrote to the library through ``store``: bump the counter, as our own.

        Best effort: it runs as a job ends, perhaps while its error is on its way out
        (the disk full), and must not hide that error; a change it fails to count is
        noticed with the next one."""
        with self._changes_lock:
            try:
                with store.errors():
                    self._own_changes.add(store.note_library_change(job))
            except UserError:
                pass

    def _foreign(self, since: int, change: LibraryChange) -> LibraryChange | None:
        """``change`` if a generation after ``since`` is not ours (named by its job only
        when the latest one is someone else's), else None."""
        now = change.generation
        if now == since:
            return None
        if now > since:
            own = sum(1 for g in self._own_changes if since < g <= now)
            if now - since == own:
                return None
        # older than the view: the file was replaced under us
        return change if now not in self._own_changes else replace(change, job="")

    def outside_change(self, since: int | None = None) -> LibraryChange | None:
        """The change another program made after generation ``since`` (default: the
        view's), or None; any thread."""
        since = self.view if since is None else since
        if since is None:
            return None
        with self._db() as store:
            return self._foreign(since, store.library_change())

    def poll_library(self) -> LibraryMoved | None:
        """Whether the view is stale, cheaply enough for a timer: from the owner thread,
        one ``PRAGMA data_version`` when nothing changed (none from another thread: it
        returns None there, and while one of our own jobs is recording its change)."""
        stores = self._stores
        if self.view is None or stores.main is None or not stores.on_owner_thread():
            return None
        if not self._changes_lock.acquire(blocking=False):
            return None  # our own write is being noted: ask at the next tick
        try:
            store = stores.main
            with store.errors():
                version = store.data_version()
                if version == self._data_version and not self._reload_due:
                    return None
                current = store.library_change()
            self._data_version = version
            change = self._foreign(self.view, current)
            told, self._reload_due = self._reload_due, False
        finally:
            self._changes_lock.release()
        return None if change is None else LibraryMoved(change, told)

    def check_view(self, since: int | None, action: str) -> None:
        """Before ``action`` writes (a WRITE_WORDS key): the view it was confirmed on must
        still be what the database holds. If another program changed the library since
        generation ``since``, the stored moods are read again and
        :class:`~spotui.core.errors.StaleViewError` says so; nothing is written. ``since``
        None (the CLI reads and writes in one go): not checked."""
        if since is None:
            return
        from spotui.session.mood_store import load_result

        with self._db() as store:
            change = self._foreign(since, store.library_change())
            if change is None:
                return
            self.result = load_result(store)
        self.library_changed()
        self._reload_due = True  # the rows follow at the TUI's next poll
        raise StaleViewError(stale_message(change, action))

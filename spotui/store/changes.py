"""Telling that another spotui changed the library: SQLite's ``data_version`` and a change
counter in ``meta``.

Why: a second process (``spotui sync``, ``import`` or ``segment`` from a shell or cron,
another window) commits to the same file while the TUI shows what it read at start, and
the TUI then exported a stale mood or re-segmented a view thousands of tracks short.
Two checks, cheapest first:

* ``PRAGMA data_version`` (:meth:`ChangesSection.data_version`): per connection, it
  changes when *another* connection committed (any process, or one of the app's own
  worker threads, whose connections are separate). One call, read from the WAL index in
  shared memory (microseconds, no file read): the gate a timer may ask every few seconds.
  It says something was committed, not what or by whom.
* ``meta['library_change']`` (:meth:`ChangesSection.library_change`): a generation number
  bumped, in its own small transaction, by every job that wrote library rows or moods
  (:meth:`note_library_change`, called by the session's job lock), with the job's name
  and pid. The session remembers the generations it wrote itself, so its own writes
  (a skip, mood news marked seen, the discovery cache, export mappings: none bump; its own
  import or segment: bumps it knows) never make it reload what it has just shown.

Why a counter and not a digest of the tables (``pool_signature``): the app's own
discovery adds catalog tracks and features, which would change a digest on every
ReccoBeats answer; the counter changes only when a job said it wrote.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from spotui.store.connection import Section, dumps

#: The ``meta`` key of the change counter.
CHANGE_KEY = "library_change"

#: How a message names the job that changed the library ("(an import)").
JOB_WORDS = {
    "sync": "a sync",
    "import": "an import",
    "segment": "a segment",
    "extend": "a playlist change",
}
#: When the job is not known (an older spotui, or several writers since).
SOME_JOB = "a sync or import"


@dataclass(frozen=True)
class LibraryChange:
    """The last change of the library: its generation, the job and the process."""

    generation: int
    job: str = ""
    pid: int | None = None

    @property
    def what(self) -> str:
        """The job in a message's words: "an import" (or "a sync or import")."""
        return JOB_WORDS.get(self.job, SOME_JOB)


class ChangesSection(Section):
    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version`` for this connection: it changes when another
        connection (another process, or another thread's connection) committed."""
        return self.db.conn.execute("PRAGMA data_version").fetchone()[0]

    def library_change(self) -> LibraryChange:
        """The last recorded change (generation 0: none was recorded)."""
        raw = self.db.get_meta(CHANGE_KEY)
        if raw is None:
            return LibraryChange(0)
        try:
            value = json.loads(raw)
            return LibraryChange(int(value["generation"]), str(value.get("job", "")),
                                 value.get("pid"))  # fmt: skip
        except (ValueError, KeyError, TypeError):  # written by hand or by something else
            return LibraryChange(0)

    def note_library_change(self, job: str) -> int:
        """Record that ``job`` (``sync``, ``import``, ``segment``, ``extend``) changed the
        library: the next generation, returned so the writer knows it as its own."""
        with self.db.transaction():
            generation = self.library_change().generation + 1
            self.db.set_meta(
                CHANGE_KEY, dumps({"generation": generation, "job": job, "pid": os.getpid()})
            )
        return generation

"""The discovery part of :class:`~spotui.session.facade.Session`: asking ReccoBeats for new
tracks, and the "not this one" of no repeats.

A mixin only to keep ``session.py`` small; the rules are in :mod:`spotui.session.discovery`. It
uses the session's ``config``, ``_db()``, ``_spotify()`` and ``_logged_in()``. Nothing is
imported at module level, so the TUI's start-up path does not load ``requests``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spotui.session.discovery import SkipResult
    from spotui.sources.reccobeats import Discovery


class ReccoBeatsMixin:
    def _discover(self, rec, seed_ids: list[str], cancel, progress) -> Discovery:
        """Candidates from outside the library for ``seed_ids`` (see spotui.session.discovery)."""
        from spotui.session.discovery import discover

        with self._spotify(needed=self._logged_in()) as spotify, self._db() as store:
            store.verify()  # discovery writes candidates: never into a damaged file
            return discover(self.config, store, rec, seed_ids, spotify, cancel, progress)

    def skip(self, track_ids: Sequence[str]) -> SkipResult:
        """Not these: not offered again for a while (see spotui.session.discovery). The result
        names the tracks, so a message can say which ones were skipped."""
        from spotui.session.discovery import SKIPPED, SkipResult, note_recent

        with self._db() as store:
            ids = note_recent(store, track_ids, SKIPPED)
            return SkipResult(ids, self._titles(store, ids))

    def unskip(self, track_ids: Sequence[str]) -> SkipResult:
        """Undo a skip: these tracks can be recommended again right away."""
        from spotui.session.discovery import SKIPPED, SkipResult, forget_recent

        with self._db() as store:
            ids = forget_recent(store, track_ids, SKIPPED)
            return SkipResult(ids, self._titles(store, ids), undone=True)

    @staticmethod
    def _titles(store, ids: list[str]) -> list[str]:
        from spotui.session.discovery import track_title

        known = {t.id: t for t in store.tracks.get_tracks(ids)}
        return [track_title(known.get(t), t) for t in ids]

"""Where music plays (``session.player``): queueing on the active device, the question to
ask before queueing many tracks, the user's devices and what plays now.

Why a service of its own: the queue and the devices are the live side of the account (a
device comes and goes, a track plays), unlike exports, which write something that stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from spotui.core.progress import CancelCheck, Progress

if TYPE_CHECKING:
    from spotui.export import QueueResult
    from spotui.export.player import Device, Playback
    from spotui.session.context import SessionContext
    from spotui.session.library import LibraryService


class PlayerService:
    """Queue, devices and playback; remembers what it queued last (:attr:`last_queued`)."""

    def __init__(self, context: SessionContext, library: LibraryService) -> None:
        self._context = context
        self._library = library
        #: Track ids of the last queue action (the TUI's playback line shows them).
        self.last_queued: list[str] = []

    @staticmethod
    def ask_before_queueing(n_tracks: int, what: str) -> str | None:
        """The question to ask before queueing that many tracks, or None to just queue."""
        from spotui.export.queue import ask_before_queueing

        return ask_before_queueing(n_tracks, what)

    def queue(
        self,
        track_ids: Sequence[str],
        device: str | None = None,
        *,
        progress: Progress | None = None,
        cancel: CancelCheck | None = None,
        view: int | None = None,
    ) -> QueueResult:
        """Queue on the playing device (or ``device``), each track exactly once; ``view``:
        the generation of the view the tracks were chosen in (checked first)."""
        from spotui.export.queue import queue_tracks
        from spotui.session.discovery import QUEUED, note_recent

        context = self._context
        context.watch.check_view(view, "queue")
        with context.spotify() as client:
            result = queue_tracks(
                client, context.config, track_ids, device=device, progress=progress, cancel=cancel
            )
        self.last_queued = list(result.queued) or self.last_queued
        with context.db() as store:
            note_recent(store, result.queued, QUEUED)  # not offered again for a while
        return result

    def devices(self) -> list[Device]:
        """The user's Spotify devices (the demo devices in --demo)."""
        from spotui.export.player import devices

        with self._context.spotify(needed=not self._context.demo) as client:
            return devices(client, self._context.config)

    def transfer(self, device_id: str) -> Device:
        """Move playback to a device (the demo outbox records it in --demo)."""
        from spotui.export.player import transfer

        with self._context.spotify(needed=not self._context.demo) as client:
            return transfer(client, self._context.config, device_id)

    def playback(self) -> Playback:
        """The active device, what plays, and the last tracks spotui queued (by name)."""
        from spotui.export.player import last_demo_queue, playback

        context = self._context
        with context.spotify(needed=not context.demo) as client:
            state = playback(client, context.config)
        queued = self.last_queued or (last_demo_queue(context.config) if context.demo else [])
        known = {t.id: t for t in self._library.tracks(queued)}
        state.last_queued = [
            f"{known[t].name} — {', '.join(known[t].artists)}" if t in known else t for t in queued
        ]
        return state

"""Queueing tracks on Spotify, and skipping recommendations (and taking a skip back).

A queued track cannot be taken back (the Web API has no "remove from queue"): a whole list
is queued only after the question the session says to ask, and tracks chosen in one
library generation are refused by the session if another program changed it since."""

from __future__ import annotations

from spotui.core.text import count
from spotui.tui.flows.devices import DevicesFlow
from spotui.tui.typed import SpotuiAppView


class QueueFlow:
    def __init__(self, app: SpotuiAppView, devices: DevicesFlow) -> None:
        self.app = app
        self.devices = devices

    def queue(self, track_ids: list[str], view: int | None = None) -> None:
        """Queue these tracks, chosen in the library as of generation ``view`` (default: the
        one shown now; the session refuses if another program changed it since)."""
        if not track_ids:
            self.app.notify("Nothing to queue here.", severity="warning", timeout=3)
            return
        self._start(list(track_ids), None, self.app.session.changes.view if view is None else view)

    def queue_many(self, track_ids: list[str], what: str) -> None:
        """Queue a whole list (``what`` names it), asking first when the core says to."""
        question = self.app.session.player.ask_before_queueing(len(track_ids), what)
        if question is None:
            self.queue(track_ids)
            return
        from spotui.tui.screens.confirm import ConfirmDialog

        view = self.app.session.changes.view  # what the question was asked about
        self.app.push_screen(
            ConfirmDialog("Queue", question, "Queue"),
            lambda ok: ok and self.queue(track_ids, view),
        )

    def _start(self, track_ids: list[str], device: str | None, view: int | None) -> None:
        self.app.run_worker(
            lambda: self._queue(track_ids, device, view),
            thread=True,
            group="spotify",
            exit_on_error=False,
        )

    def _queue(self, track_ids: list[str], device: str | None, view: int | None) -> None:
        from spotui.export.queue import NoActiveDeviceError

        try:
            result = self.app.session.player.queue(track_ids, device=device, view=view)
        except NoActiveDeviceError as exc:  # offer the devices instead of an error
            note = f"Nothing is playing. Queue {count(len(track_ids), 'track')} on:"
            self.app.call_from_thread(
                self.devices.choose,
                exc.devices,
                note,
                lambda d: self._start(track_ids, d, view),
            )
            return
        self.app.call_from_thread(
            self.app.notify,
            result.summary(),
            title="Queue",
            severity="information" if result.ok else "warning",
            timeout=6,
        )
        self.app.call_from_thread(self.devices.refresh)

    def skip(self, track_id: str) -> None:
        """Not this one: the core remembers it, so it is not offered again for a while; the
        message names the track and the key that takes it back."""
        result = self.app.session.recommendations.skip([track_id])
        undo = self.app.key_for("main.undo_skip")
        self.app.notify(f"{result.summary()} {undo} to undo.", timeout=6)

    def unskip(self, track_id: str) -> None:
        """Take a skip back (the core forgets it); the message names the track."""
        self.app.notify(self.app.session.recommendations.unskip([track_id]).summary(), timeout=4)

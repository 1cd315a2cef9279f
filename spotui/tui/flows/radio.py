"""The mood radio in the app: started and stopped with one key, shown in the playback line.

Why a flow with one worker: :meth:`~spotui.session.radio.Radio.run` blocks for hours (it
sleeps until the playing track's end), so it runs in a thread worker and talks to the
screen only through ``call_from_thread``; stopping it (the key again, esc, quitting the
app) cuts its sleep short, and it ends after the step it is in, so nothing is left
half-done. Its events become the app's ``playback`` (a :class:`RadioLine`), which the
playback line shows instead of the last device read while a radio plays.
"""

from __future__ import annotations

import contextlib

from spotui.core.errors import UserError
from spotui.tui.flows.devices import LOGIN_FIRST
from spotui.tui.typed import SpotuiAppView
from spotui.tui.widgets.playback import RadioLine

NOTHING_TO_START = (
    "Highlight a mood, a track, a playlist or a map selection (or show “for you”) to "
    "start a radio from it."
)
NO_RADIO = "No radio is playing."


class RadioFlow:
    def __init__(self, app: SpotuiAppView) -> None:
        self.app = app
        #: the radio playing (None: none, or it is still being made)
        self.radio = None
        self._starting = False
        self._stop_asked = False

    @property
    def running(self) -> bool:
        return self.radio is not None or self._starting

    def toggle(self, seeds, discover: bool = False) -> None:
        """The radio key: stop the radio playing, else start one on ``seeds``."""
        if self.running:
            self.stop()
            return
        if seeds is None:
            self.app.notify(NOTHING_TO_START, severity="warning", timeout=5)
            return
        if not self.app.can_play():
            self.app.notify(LOGIN_FIRST, severity="warning")
            return
        self._starting, self._stop_asked = True, False
        self.app.playback = RadioLine("Radio: starting…")
        self.app.run_worker(
            lambda: self._run(seeds, discover), thread=True, group="radio", exit_on_error=False
        )

    def stop(self, reason: str = "Radio stopped.") -> None:
        """Stop the radio (any thread); quiet when none plays."""
        self._stop_asked = True
        if self.radio is not None:
            self.radio.stop(reason)

    def stop_asked(self) -> None:
        """esc with no filter: stop the radio, or say there is none."""
        if self.running:
            self.stop()

    def skip(self, track_id: str | None = None) -> None:
        """The skip key: the radio's playing track is a skip (when ``track_id`` is given,
        only if it is the one playing). A store write, so in a worker."""
        radio = self.radio
        if radio is None:
            if track_id is None:
                self.app.notify(NO_RADIO, severity="warning", timeout=3)
            return
        playing = radio.current.track_id if radio.current is not None else None
        if playing is None or (track_id is not None and track_id != playing):
            return
        self.app.run_worker(
            lambda: radio.mark_skipped(playing),
            thread=True,
            group="radio-skip",
            exit_on_error=False,
        )

    # ------------------------------------------------------------------ the worker
    def _run(self, seeds, discover: bool) -> None:
        from spotui.session.radio import RadioSettings

        reason, severity = "Radio stopped.", "information"
        try:
            radio = self.app.session.radio.start(
                seeds, RadioSettings(discover=discover), self._event
            )
            self.radio = radio
            if self._stop_asked:
                radio.stop()
            result = radio.run()
            reason = result.reason
            if result.ended not in ("stopped", "minutes", "elsewhere"):
                severity = "warning"
        except UserError as exc:  # no Premium, nothing playing, not logged in
            reason, severity = str(exc), "error"
        finally:
            self._later(self._ended, reason, severity)

    def _event(self, event) -> None:
        radio = self.radio
        label = radio.settings.label if radio is not None else "Radio"
        self._later(setattr, self.app, "playback", RadioLine(event.line(label)))

    def _ended(self, reason: str, severity: str) -> None:
        self.radio, self._starting = None, False
        self.app.playback = RadioLine(reason, active=False)
        self.app.notify(reason, title="Radio", severity=severity, timeout=8)  # type: ignore[arg-type]

    def _later(self, callback, *args) -> None:
        # RuntimeError: the app has ended (the radio was stopped on the way out)
        with contextlib.suppress(RuntimeError):
            self.app.call_from_thread(callback, *args)

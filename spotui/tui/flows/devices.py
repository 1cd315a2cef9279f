"""Where playback is: the device picker, moving playback to a device, and the playback
line's one request (on demand: start-up, ``R``, after queueing or switching; never polled,
the quota is the user's)."""

from __future__ import annotations

from collections.abc import Callable

from spotui.core.errors import UserError
from spotui.tui.typed import SpotuiAppView
from spotui.tui.widgets.playback import ASKING, PlaybackProblem

LOGIN_FIRST = "Log in to Spotify first (spotui login)."


class DevicesFlow:
    def __init__(self, app: SpotuiAppView) -> None:
        self.app = app

    def choose(self, devices: list | None = None, note: str = "", then=None) -> None:
        """The device picker; the chosen device gets playback (or ``then(device_id)``)."""
        from spotui.tui.screens.devices import DevicePicker

        def chosen(device_id: str | None) -> None:
            if device_id:
                (then or self.transfer)(device_id)

        self.app.push_screen(DevicePicker(devices, note), chosen)

    def choose_asked(self) -> None:
        """``d``: only when asking Spotify can work."""
        if not self.app.can_play():
            self.app.notify(LOGIN_FIRST, severity="warning")
            return
        self.choose()

    def transfer(self, device_id: str) -> None:
        self.app.run_worker(
            lambda: self._transfer(device_id), thread=True, group="spotify", exit_on_error=False
        )

    def _transfer(self, device_id: str) -> None:
        device = self.app.session.player.transfer(device_id)
        demo = " (demo: written to the outbox)" if self.app.config.demo else ""
        self.app.call_from_thread(
            self.app.notify, f"Playback moved to {device.name}.{demo}", timeout=4
        )
        self.app.call_from_thread(self.refresh)

    def refresh_asked(self, show: Callable[[object], None]) -> None:
        """``R``: say it is asking (``show``: the playback line's setter), then ask."""
        if not self.app.can_play():
            self.app.notify(LOGIN_FIRST, severity="warning")
            return
        show(ASKING)
        self.refresh()

    def refresh(self) -> None:
        """Ask once where playback is (called on demand, never on a timer)."""
        if self.app.can_play():
            self.app.run_worker(
                self._playback, thread=True, exclusive=True, group="playback", exit_on_error=False
            )

    def _playback(self) -> None:
        try:
            state: object = self.app.session.player.playback()
        except UserError as exc:
            state = PlaybackProblem(str(exc))
        self.app.call_from_thread(setattr, self.app, "playback", state)

"""What the import and file-export dialogs share: a path, an OK button, the work in a
thread worker, the error under the path (wrapped, never a raw traceback), and a
notification with the core's summary when it is done."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from spotui.core.errors import UserError
from spotui.core.untrusted import inert


class PathDialog(ModalScreen[bool]):
    """Dismisses with True once done, False when cancelled.

    Subclasses compose a ``Static`` with the class ``error`` and a Button ``#ok``, and
    define ``job()``: read the inputs (on the UI thread) and return either a message
    saying what is wrong, or a function that does the work in a thread and returns the
    summary to show.
    """

    #: the notification title when done, and what the error line says meanwhile
    DONE_TITLE = ""
    WORKING = "Working…"

    job: Callable[[], str | Callable[[], str]]

    def show_error(self, text: str) -> None:
        # errors quote paths and names: inert text, never markup
        self.query_one(".error", Static).update(Text(inert(text, multiline=True)))

    def on_input_submitted(self) -> None:
        self._start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._start()
        else:
            self.dismiss(False)

    def _start(self) -> None:
        job = self.job()
        if isinstance(job, str):
            self.show_error(job)
            return
        self.show_error(self.WORKING)
        self._run(job)

    @work(thread=True, exclusive=True, group="path-dialog", exit_on_error=False)
    def _run(self, job: Callable[[], str]) -> None:
        try:
            summary = job()
        except UserError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._done, summary)

    def _failed(self, message: str) -> None:
        self.show_error(message)
        self.notify(message, severity="error", timeout=12)

    def _done(self, summary: str) -> None:
        self.notify(summary, title=self.DONE_TITLE, timeout=10)
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

"""``s``: sync the Spotify library (then audio features), with per-phase progress and
cancel. Everything finished before a cancel or an error is kept (the core commits per
page), and the screen says so. The phases come from the core's progress steps
(:class:`spotui.core.progress.Step`), not from parsing messages."""

from __future__ import annotations

import threading

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, ProgressBar, Static
from textual.worker import Worker, WorkerState

from spotui.core.errors import Cancelled, UserError
from spotui.core.untrusted import inert
from spotui.session.library import LibraryService
from spotui.tui.actions import bindings_for
from spotui.tui.typed import spotui_app


class SyncScreen(ModalScreen[bool]):
    """Dismisses with True when anything may have changed (so the app reloads)."""

    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("sync",)
    BINDINGS = bindings_for(*SCOPES)
    spotui_app = property(spotui_app)

    def __init__(self) -> None:
        super().__init__()
        self.cancel_event = threading.Event()
        #: The phases in the order sync visits them (library sources, then audio features).
        self.phases = LibraryService.sync_phases()
        self.state = {name: ("pending", "") for name in self.phases}
        self.current: str | None = None
        self.finished = False
        self.history: list[str] = []  # every progress message, in order

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="sync") as box:
            box.border_title = "Sync with Spotify"
            yield Static(id="sync-sources")
            yield ProgressBar(total=None, show_eta=False, id="sync-bar")
            yield Static("", id="sync-message", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="sync-cancel")

    def on_mount(self) -> None:
        self._render_sources()
        self.run_sync()

    # ------------------------------------------------------------------ the work
    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def run_sync(self) -> None:
        try:
            # Another sync (the CLI, cron, another window) is waited for; the screen and a
            # notification say so, and esc stops waiting.
            result = self.spotui_app.session.library.sync(
                self._progress, self.cancel_event.is_set, wait=True
            )
        except Cancelled:
            self.app.call_from_thread(
                self._done, "", "Cancelled; everything synced so far is kept."
            )
        except UserError as exc:  # not logged in, no client id, offline...: the fix is said
            self.app.call_from_thread(self._done, "", str(exc))
        else:
            self.app.call_from_thread(self._done, result.summary(), "")

    def _progress(self, done: int, total: int, message: str) -> None:
        self.app.call_from_thread(self._on_progress, done, total, message)

    # ------------------------------------------------------------------ display
    def _on_progress(self, done: int, total: int, message: str) -> None:
        self.history.append(message)
        name = getattr(message, "phase", None)
        if name in self.state and name != self.current:
            if self.current is not None:
                self.state[self.current] = ("done", self.state[self.current][1])
            for earlier in self.phases:  # phases sync skipped count as done
                if earlier == name:
                    break
                if self.state[earlier][0] == "pending":
                    self.state[earlier] = ("done", "")
            self.current = name
        if name in self.state:
            self.state[name] = ("running", message.detail)
        bar = self.query_one(ProgressBar)
        bar.update(total=max(total, 1), progress=done)
        # the message names a playlist: inert text, never markup (spotui.core.untrusted)
        self.query_one("#sync-message", Static).update(Text(inert(str(message))))
        self._render_sources()

    def _render_sources(self) -> None:
        table = Table.grid(padding=(0, 1))
        table.add_column(width=2)
        table.add_column(no_wrap=True)
        table.add_column(style="dim", no_wrap=True, overflow="ellipsis")
        glyphs = {
            "pending": ("·", "dim"),
            "running": ("◐", "bold yellow"),
            "done": ("✓", "bold green"),
            "stopped": ("✗", "bold red"),
        }
        for name in self.phases:
            status, detail = self.state[name]
            glyph, style = glyphs[status]
            table.add_row(
                Text(glyph, style=style),
                Text(name, style="bold" if status == "running" else ""),
                Text(inert(detail)),
            )
        self.query_one("#sync-sources", Static).update(table)

    def _done(self, summary: str, problem: str) -> None:
        self.finished = True
        for name in self.phases:
            status, detail = self.state[name]
            if status == "running" or (status == "pending" and not problem):
                self.state[name] = ("stopped" if problem else "done", detail)
        self._render_sources()
        message = self.query_one("#sync-message", Static)
        if problem:
            message.update(Text(inert(problem, multiline=True), style="bold red"))
            self.notify(problem, severity="error", timeout=12)
        else:
            self.query_one(ProgressBar).update(total=1, progress=1)
            message.update(Text(inert(summary, multiline=True)))
        self.query_one("#sync-cancel", Button).label = "Close"

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A bug (not a UserError) also ends the screen, so it can be closed; the app's
        # handler reports it, and what was synced is kept either way.
        if event.state == WorkerState.ERROR and not self.finished:
            self._done("", "Sync stopped by an unexpected error; what was synced is kept.")

    # ------------------------------------------------------------------ keys
    def action_cancel(self) -> None:
        if self.finished:
            self.dismiss(True)
        elif not self.cancel_event.is_set():
            self.cancel_event.set()
            self.query_one("#sync-message", Static).update("Cancelling after the current page…")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_cancel()

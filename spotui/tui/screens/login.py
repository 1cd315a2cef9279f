"""Log in with Spotify: the PKCE flow runs in a worker (its own 127.0.0.1 callback
server); this screen shows the URL to open and waits, and escape cancels (the login's
``cancel`` check closes the callback server)."""

from __future__ import annotations

import threading

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, LoadingIndicator, Static

from spotui.errors import Cancelled, UserError
from spotui.tui.actions import bindings_for


class LoginScreen(ModalScreen[bool]):
    """Dismisses with True once a token is stored."""

    BINDINGS = bindings_for("login")

    def __init__(self) -> None:
        super().__init__()
        self.cancelled = threading.Event()

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="login") as box:
            box.border_title = "Log in with Spotify"
            yield Static("Starting the login…", id="login-text")
            yield LoadingIndicator(id="login-wait")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.run_login()

    @work(thread=True, exclusive=True, group="login", exit_on_error=False)
    def run_login(self) -> None:
        try:
            info = self.app.session.login(
                announce=lambda url: self.app.call_from_thread(self._show_url, url),
                cancel=self.cancelled.is_set,
            )
        except Cancelled:
            return
        except UserError as exc:  # no client id, port busy, denied...: the message says the fix
            if not self.cancelled.is_set():
                self.app.call_from_thread(self._failed, str(exc))
            return
        if not self.cancelled.is_set():
            self.app.call_from_thread(self._succeeded, info)

    def _show_url(self, url: str) -> None:
        text = Text()
        text.append("Your browser should open Spotify's login page. If it does not, open:\n\n")
        text.append(url, style="bold underline")
        text.append(f"\n\nWaiting for the answer on {self.app.config.redirect_uri} …", style="dim")
        self.query_one("#login-text", Static).update(text)

    def _failed(self, message: str) -> None:
        self.query_one("#login-wait").display = False
        self.query_one("#login-text", Static).update(Text(message, style="bold red"))
        self.query_one("#cancel", Button).label = "Close"
        self.notify(message, severity="error", timeout=12)

    def _succeeded(self, info: dict) -> None:
        missing = info.get("missing_scopes") or []
        note = f" Spotify did not grant: {', '.join(missing)}." if missing else ""
        self.notify("Logged in to Spotify." + note, timeout=6)
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.cancelled.set()  # the login stops listening within 0.1 s
        self.dismiss(False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_cancel()

"""Log in with Spotify: the PKCE flow runs in a worker (its own 127.0.0.1 callback
server); this screen shows the URL to open and waits, and escape cancels (the login's
``cancel`` check closes the callback server)."""

from __future__ import annotations

import threading

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, LoadingIndicator, Static

from spotui.core.errors import Cancelled, UserError
from spotui.core.untrusted import inert
from spotui.tui.actions import bindings_for
from spotui.tui.typed import spotui_app


class LoginScreen(ModalScreen[bool]):
    """Dismisses with True once a token is stored."""

    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("login",)
    BINDINGS = bindings_for(*SCOPES)
    spotui_app = property(spotui_app)

    def __init__(self) -> None:
        super().__init__()
        self.cancelled = threading.Event()
        self.url = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="login") as box:
            box.border_title = "Log in with Spotify"
            box.border_subtitle = "c copies the URL · esc cancels"
            yield Static("Starting the login…", id="login-text")
            with ScrollableContainer(id="login-url-box"):
                yield Static(id="login-url")
            yield Static(id="login-wait-text", classes="hint")
            yield LoadingIndicator(id="login-wait")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.run_login()

    @work(thread=True, exclusive=True, group="login", exit_on_error=False)
    def run_login(self) -> None:
        try:
            info = self.spotui_app.session.account.login(
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
        """The URL shown whole, folded across lines (no part of it out of sight: one line
        cut off at the dialog's edge read "...playlist-rea"); ``c`` copies it exactly, which
        a terminal's own selection of folded lines would not (it takes the line breaks)."""
        self.url = url
        self.query_one("#login-text", Static).update(
            "Your browser should open Spotify's login page. If it does not (or spotui runs "
            "over SSH), press c to copy this URL and open it in a browser:"
        )
        self.query_one("#login-url", Static).update(
            Text(url, style="bold underline", overflow="fold")
        )
        self.query_one("#login-wait-text", Static).update(
            Text(f"Waiting for the answer on {self.spotui_app.session.config.redirect_uri} …")
        )

    def action_copy_url(self) -> None:
        if not self.url:
            return
        self.app.copy_to_clipboard(self.url)
        self.notify(
            "Login URL copied (OSC 52). If nothing was copied, your terminal blocks OSC 52: "
            "run `spotui login --no-browser` in a shell and copy it from there.",
            timeout=8,
        )

    def _failed(self, message: str) -> None:
        self.query_one("#login-wait").display = False
        self.query_one("#login-text", Static).update(
            Text(inert(message, multiline=True), style="bold red")
        )
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

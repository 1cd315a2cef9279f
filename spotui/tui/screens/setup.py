"""First-run setup: the Spotify dashboard steps and the client id, then the login.

The steps are the core's (:meth:`spotui.session.account.AccountService.setup_steps`), the same text
``spotui login`` prints; the pasted client id is checked by the core's rule (32 hex
characters) as you type and stored in config.toml, so the next start needs nothing.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, Static

from spotui.core.errors import UserError
from spotui.core.untrusted import inert
from spotui.tui.actions import bindings_for
from spotui.tui.typed import spotui_app


class ClientId(Validator):
    def __init__(self, check) -> None:
        super().__init__()
        self.check = check

    def validate(self, value: str) -> ValidationResult:
        try:
            self.check(value)
        except UserError as exc:
            return self.failure(str(exc))
        return self.success()


def steps_text(steps: list[str]) -> Text:
    text = Text()
    for i, step in enumerate(steps, 1):
        text.append(f"{i}. ", style="bold")
        text.append(step + ("\n" if i < len(steps) else ""))
    return text


class SetupScreen(ModalScreen[bool]):
    """Dismisses with True once a valid client id is stored."""

    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("setup",)
    BINDINGS = bindings_for(*SCOPES)
    spotui_app = property(spotui_app)

    def compose(self) -> ComposeResult:
        session = self.spotui_app.session
        with Vertical(id="dialog", classes="setup") as box:
            box.border_title = "Connect Spotify (one-time setup)"
            box.border_subtitle = "enter saves · esc cancels"
            with VerticalScroll(id="setup-steps"):
                yield Static(steps_text(session.account.setup_steps()))
            yield Label("Client ID of your Spotify app")
            yield Input(
                value=session.config.client_id or "",
                placeholder="32 characters, 0-9 a-f",
                id="client-id",
                validators=[ClientId(session.account.check_client_id)],
                validate_on=["changed", "submitted"],
            )
            yield Label("", classes="error", id="client-id-error")
            with Horizontal(classes="buttons"):
                yield Button("Save and log in", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#client-id", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        result = event.validation_result
        shown = result is not None and not result.is_valid and event.value
        self.query_one("#client-id-error", Label).update(
            result.failure_descriptions[0] if shown else ""
        )

    def on_input_submitted(self) -> None:
        self.save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.save()
        else:
            self.dismiss(False)

    def save(self) -> None:
        try:
            self.spotui_app.session.account.set_client_id(self.query_one("#client-id", Input).value)
        except UserError as exc:
            # the message quotes what was typed: inert text, never markup
            self.query_one("#client-id-error", Label).update(Text(inert(str(exc))))
            return
        self.notify(f"Client ID saved in {self.spotui_app.session.config.config_path}.", timeout=5)
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

"""``?``: every key, generated from the action table (so it cannot drift from the bindings)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from spotui.tui.actions import SCOPE_TITLES, actions_for, bindings_for, display_keys
from spotui.tui.typed import spotui_app


def help_table(keymap: dict[str, str] | None = None) -> Table:
    """Every key by scope; the dim id after each is what config.toml's ``[keys]`` remaps."""
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold", no_wrap=True)
    table.add_column()
    for scope, title in SCOPE_TITLES.items():
        entries = actions_for(scope)
        if not entries:
            continue
        if table.row_count:
            table.add_row("", "")
        table.add_row("", Text(title, style="bold underline"))
        for action in entries:
            desc = Text(action.description, style="bold")
            if action.help:
                desc.append(f"  {action.help}", style="dim")
            if action.bind:
                desc.append(f"  [{action.id}]", style="dim italic")
            table.add_row(Text(display_keys(action, keymap), style="bold cyan"), desc)
    return table


class HelpScreen(ModalScreen[None]):
    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("help",)
    BINDINGS = bindings_for(*SCOPES)
    spotui_app = property(spotui_app)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "esc or q closes · ctrl+p searches every action · mouse works too"
            yield Static(help_table(self.spotui_app.keymap), id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()

"""Confirmation dialogs: a generic yes/no, and the playlist export dialog that shows the
dry-run plan (name, privacy, track count, requests) before anything is sent."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Label, Static

from spotui.core.text import number
from spotui.core.untrusted import inert
from spotui.tui.actions import bindings_for


class ConfirmDialog(ModalScreen[bool]):
    """Dismisses with True (confirmed) or False."""

    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("confirm",)
    BINDINGS = bindings_for(*SCOPES)

    def __init__(self, title: str, body: str, confirm: str = "OK") -> None:
        super().__init__()
        self.title_text, self.body, self.confirm_label = title, body, confirm

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            # callers put names in both ("Queue 30 tracks of <playlist>?"): Text, never markup
            box.border_title = Text(inert(self.title_text))
            yield Static(Text(inert(self.body, multiline=True)))
            with Horizontal(classes="buttons"):
                yield Button(self.confirm_label, variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "ok")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ExportDialog(ModalScreen[bool | None]):
    """Shows ``plans[public]`` (dry-run ExportResults, made by the export flow before the
    dialog opens: nothing is computed here); dismisses with ``public`` or None."""

    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("export_dialog",)
    BINDINGS = bindings_for(*SCOPES)

    def __init__(self, plans: Mapping[bool, Any], outbox: Path | None = None) -> None:
        super().__init__()
        self.plans = plans
        self.outbox = outbox  # --demo: where the requests are written instead
        self.public = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="export") as box:
            box.border_title = "Export as a Spotify playlist"
            yield Static(id="export-summary")
            if self.outbox is None:
                yield Label("Dry run — these requests will be sent:", classes="hint")
            else:
                yield Label(Text(f"Demo: nothing is sent; these requests are written to "
                                 f"{inert(str(self.outbox))}"), classes="hint")  # fmt: skip
            with VerticalScroll(id="export-plan"):
                yield Static(id="export-requests")
            yield Checkbox("Public playlist (p)", False, id="public")
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self._show()
        self.query_one("#ok", Button).focus()

    def _show(self) -> None:
        result = self.plans[self.public]
        summary = Text()
        summary.append("Name     ", style="dim")
        summary.append(inert(result.name) + "\n", style="bold")  # names: spotui.core.untrusted
        summary.append("Privacy  ", style="dim")
        summary.append(
            ("public" if self.public else "private") + "\n",
            style="bold yellow" if self.public else "bold green",
        )
        summary.append("Tracks   ", style="dim")
        summary.append(f"{result.track_count:,}", style="bold")
        if result.skipped:
            summary.append(
                f"  ({number(len(result.skipped))} skipped: not Spotify tracks)", style="dim"
            )
        summary.append("\nAction   ", style="dim")
        summary.append(inert(_action(result)))
        self.query_one("#export-summary", Static).update(summary)
        self.query_one("#export-requests", Static).update(
            Text("\n".join(inert(r.describe()) for r in result.requests))
        )

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.public = event.value
        self._show()

    def action_toggle_public(self) -> None:
        box = self.query_one("#public", Checkbox)
        box.value = not box.value

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self.public if event.button.id == "ok" else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _action(result) -> str:
    """What the export will do, in the dialog's words (the plan below lists the requests)."""
    if result.replaced and result.renamed_from is not None:
        return f"rename “{result.renamed_from}”, set its privacy and replace its tracks"
    if result.replaced:
        return (
            "set the name, privacy and description of the playlist exported before and "
            "replace its tracks"
        )
    if result.lookup:
        return (
            "look for the playlist an interrupted export may have created; use it if it is "
            "there, else create a new one"
        )
    return "create a new playlist"

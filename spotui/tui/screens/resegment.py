"""``r``: choose k and method for a new segmentation (it then runs in a worker)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import Function
from textual.widgets import Button, Input, Label, Select

from spotui.tui.actions import bindings_for


def parse_k(text: str) -> int | None:
    """ "" or "auto" -> None (choose automatically); otherwise an int (ValueError if not)."""
    text = text.strip().lower()
    if text in ("", "auto"):
        return None
    return int(text)


def _valid_k(text: str) -> bool:
    from spotui.analysis.moods.segment import K_LIMIT

    try:
        k = parse_k(text)
    except ValueError:
        return False
    return k is None or 2 <= k <= K_LIMIT


class ResegmentDialog(ModalScreen[tuple[int | None, str] | None]):
    """Dismisses with ``(k, method)`` or None when cancelled."""

    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("resegment",)
    BINDINGS = bindings_for(*SCOPES)

    def __init__(self, result=None) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        from spotui.analysis.moods.segment import K_LIMIT
        from spotui.core.feature_spec import DEFAULT_METHOD, METHODS

        method = self.result.method if self.result is not None else DEFAULT_METHOD
        k = self.result.requested_k if self.result is not None else None
        with Vertical(id="dialog") as box:
            box.border_title = "Make the moods again"
            yield Label("Method")
            yield Select([(m, m) for m in METHODS], value=method, allow_blank=False, id="method")
            yield Label(f"Number of clusters (2–{K_LIMIT}, or auto)")
            yield Input(
                value=str(k) if k else "auto",
                id="k",
                validators=[Function(_valid_k, f"k must be 2–{K_LIMIT} or auto")],
            )
            yield Label("", id="k-error")
            yield Label(
                "The current moods stay on screen until the new ones are ready. A number you choose stays through later syncs until you choose auto.",
                classes="hint",
            )
            with Horizontal(classes="buttons"):
                yield Button("Make them", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#k", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        ok = event.validation_result is None or event.validation_result.is_valid
        self.query_one("#k-error", Label).update(
            "" if ok else "; ".join(event.validation_result.failure_descriptions)
        )

    def on_input_submitted(self) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        text = self.query_one("#k", Input).value
        if not _valid_k(text):
            self.query_one("#k-error", Label).update("k must be a number from 2 or auto")
            return
        method = str(self.query_one("#method", Select).value)
        self.dismiss((parse_k(text), method))

    def action_cancel(self) -> None:
        self.dismiss(None)

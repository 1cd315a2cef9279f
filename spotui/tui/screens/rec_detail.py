"""``enter`` on a recommendation: the whole reason (the pane cuts it to one line) and the
track's features as bars against the seed's, so "why this one?" can be read and checked."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from spotui.core.errors import UserError
from spotui.core.untrusted import inert
from spotui.tui import messages
from spotui.tui.actions import bindings_for
from spotui.tui.typed import spotui_app
from spotui.tui.widgets.feature_bars import feature_table


class RecDetailScreen(ModalScreen[None]):
    """Shows result ``index`` of a :class:`spotui.session.seeds.Recommendations`."""

    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("rec_detail",)
    BINDINGS = bindings_for(*SCOPES)

    spotui_app = property(spotui_app)

    def __init__(self, answer, index: int) -> None:
        super().__init__()
        self.answer, self.index = answer, index
        self.detail = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="rec-box") as box:
            box.border_title = f"Recommendation {self.index + 1}"
            box.border_subtitle = "a queues · esc closes"
            yield Static(id="rec-text")

    def on_mount(self) -> None:
        self.query_one("#rec-box").focus()
        self._read_detail()

    @work(thread=True, group="rec-detail", exit_on_error=False)
    def _read_detail(self) -> None:
        """The features are the store's: read off the UI thread. A typed error ends the app
        as it would have on the UI thread (the CLI's handler says it)."""
        app = self.spotui_app
        try:
            detail = app.session.recommendations.detail(self.answer, self.index)
        except UserError as exc:
            app.call_from_thread(app.fail, exc)
            return
        app.call_from_thread(self._show, detail)

    def _show(self, detail) -> None:
        self.detail = detail
        self._fill()

    def on_resize(self) -> None:
        if self.detail is not None:
            self._fill()

    def _fill(self) -> None:
        d = self.detail
        if d is None:
            return
        head = Text()
        head.append(inert(d.track.name), style="bold")  # names: spotui.core.untrusted
        if d.track.artists:
            head.append(" — " + inert(d.track.artist_line))
        where = Text("in your library" if d.in_library else "new to you", style="dim")
        where.append(f" · {d.score_line}", style="dim")  # the list's line, named the same
        parts: list = [head, where, Text(inert(d.legend), style="dim")]
        if d.far_note:
            parts.append(Text(inert(d.far_note), style="bold"))
        parts += [Text(""), Text("Why:", style="bold"), Text(inert(d.reason))]
        parts.append(Text(""))
        parts.append(
            Text.assemble(
                ("Features", "bold"),
                ("  bar, first value: this track · ┃, second value: ", "dim"),
                inert(d.reference_label),
            )
        )
        if d.features is None:
            parts.append(Text("No audio features stored for this track.", style="italic"))
        else:
            width = self.query_one("#rec-text").size.width or 70
            parts.append(feature_table(d.features.as_dict(), d.reference, "cyan", width))
        self.query_one("#rec-text", Static).update(Group(*parts))

    def action_queue(self) -> None:
        track_id = self.answer.results[self.index].track.id
        self.post_message(messages.QueueRequested([track_id]))

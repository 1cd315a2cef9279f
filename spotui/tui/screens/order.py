"""``o``: the tracks shown, in an order that flows, previewed before anything is done with it.

Why a screen of its own: a listener judges an order by its shape and its steps (does the
energy follow the arc, does each step keep the BPM and the key), so the preview shows the
energy curve against the arc, every step's BPM, Camelot key, energy, the arc's target and
the transition's cost, and the objective's numbers, and switches arcs on a key. What the
user then does with it (a playlist, the queue, a file, the playlist itself reordered) goes
through the same flows as from the main screen, with the ordered target the session makes
(``session.order.ordered``): the solver is deterministic, so that is the order shown here,
and it is checked to be before it is handed on.

The order is computed in a worker (the session reads the features and solves: a few
hundred milliseconds of CPU at 500 tracks); the latest request wins, an older answer is
dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from spotui.core.errors import UserError
from spotui.core.text import count
from spotui.core.untrusted import inert
from spotui.tui import messages
from spotui.tui.actions import bindings_for
from spotui.tui.typed import spotui_app
from spotui.tui.widgets.key_bar import KeyBar
from spotui.tui.widgets.title_bar import TitleBar
from spotui.tui.widgets.track_table import fit

if TYPE_CHECKING:
    from spotui.export.targets import ExportTarget
    from spotui.session.order import FlowPreview, OrderSource

#: The arcs, in the order of their keys (1-5); the first is the default.
ARCS: tuple[str, ...] = ("steady", "build", "wind-down", "peak", "wave")
#: From this table width the key column has room for the musical name ("8B · C major").
NAMED_KEY_FROM = 100
STILL_WORKING = "The order is still being worked out."
CHANGED = (
    "The tracks changed since this preview was made (another program changed the library?); "
    "here is their order now. Nothing was done."
)
NOT_A_PLAYLIST = (
    "Only one of your own playlists can be reordered in place: open one (unfiltered) and "
    "press o there. Export (e) makes a playlist in this order."
)


class OrderTable(DataTable):
    """The steps of the order, one row each; the list keys (j k g G ...) work here too."""

    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("lists",)
    BINDINGS = bindings_for(*SCOPES)

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)

    def action_first(self) -> None:
        self.move_cursor(row=0, animate=False)

    def action_last(self) -> None:
        self.move_cursor(row=max(0, self.row_count - 1), animate=False)


class OrderScreen(Screen):
    """The preview; ``target`` is what the main screen's e/A/x would act on (the tracks
    shown), ``playlist_id`` the user's own playlist shown, when it can be reordered."""

    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("order",)
    BINDINGS = bindings_for(*SCOPES)
    spotui_app = property(spotui_app)

    def __init__(
        self,
        source: OrderSource,
        target: ExportTarget,
        name: str,
        playlist_id: str | None = None,
        arc: str = ARCS[0],
    ) -> None:
        super().__init__()
        self.source, self.target, self.what = source, target, name
        self.playlist_id = playlist_id
        self.arc = arc
        self.start: str | None = None
        #: The order on screen (None while the first one is worked out).
        self.preview: FlowPreview | None = None
        self._asked = 0  # the latest request; an answer to an older one is dropped

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="order-body") as body:
            body.border_title = Text(inert(f"Order that flows · {self.what}"))
            yield Static(id="order-arcs")
            yield Static(id="order-curve")
            yield Static(id="order-summary")
            yield OrderTable(id="order-steps")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(OrderTable).focus()
        self.compute()

    def on_resize(self) -> None:
        if self.preview is not None:
            self._show_curve(self.preview)

    # ------------------------------------------------------------------ computing
    def compute(self) -> None:
        """Order the tracks for the arc and first track chosen now (in a worker)."""
        self._asked += 1
        self._show_arcs()
        n = count(len(self.target.track_ids), "track")
        self._summary(Text(f"Ordering {n} along {self.arc}…", style="dim"))
        self._order(self._asked, self.arc, self.start)

    @work(thread=True, group="order", exit_on_error=False)
    def _order(self, asked: int, arc: str, start: str | None) -> None:
        app = self.spotui_app

        def progress(_done: int, _total: int, message: str) -> None:
            if asked == self._asked:
                app.call_from_thread(self._summary, Text(inert(str(message)), style="dim"))

        try:
            preview = app.session.order.preview(self.source, arc, start, progress=progress)
        except UserError as exc:
            app.call_from_thread(self._failed, asked, str(exc))
            return
        app.call_from_thread(self._show, asked, preview)

    def _failed(self, asked: int, message: str) -> None:
        if asked == self._asked:
            self._summary(Text(inert(message), style="bold red"))

    def _show(self, asked: int, preview: FlowPreview) -> None:
        if asked != self._asked:  # the user asked for another arc meanwhile
            return
        table = self.query_one(OrderTable)
        self.preview = preview
        self._show_arcs()
        self._show_curve(preview)
        self._fill(table, preview)
        table.move_cursor(row=0, animate=False)  # the top: where the order starts

    # ------------------------------------------------------------------ painting
    def _summary(self, text: Text) -> None:
        self.query_one("#order-summary", Static).update(text)

    def _show_arcs(self) -> None:
        """The arc keys, the chosen one marked, and the first track if one is chosen."""
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("arc ", style="dim")
        for i, arc in enumerate(ARCS, 1):
            line.append(f" {i} ", style="bold reverse" if arc == self.arc else "bold")
            line.append(f"{arc} ", style="bold" if arc == self.arc else "")
        if self.start is not None and self.preview is not None:
            step = next((s for s in self.preview.steps if s.track.id == self.start), None)
            if step is not None:
                line.append("  first: ", style="dim")
                line.append(inert(step.track.name))
        self.query_one("#order-arcs", Static).update(line)

    def _show_curve(self, preview: FlowPreview) -> None:
        width = max(10, (self.size.width or self.app.size.width) - 4 - len("energy "))
        self.query_one("#order-curve", Static).update(Text(preview.curve(width=width)))
        lo, hi = preview.scale()
        # the curve's scale: the tracks' own energy range, so a calm mood's build still rises
        self.query_one("#order-body").border_subtitle = f"curve on energy {lo:.2f}–{hi:.2f}"
        flow = preview.flow
        summary = Text(no_wrap=False)
        summary.append(
            f"{count(len(preview.steps), 'track')} · total cost {flow.total:.1f} · "
            f"fit error {flow.fit_error:.3f} · mean transition {flow.mean_transition:.2f}",
            style="bold",
        )
        for note in preview.notes:
            summary.append("\n" + inert(note), style="dim")
        self._summary(summary)

    def _fill(self, table: OrderTable, preview: FlowPreview) -> None:
        width = table.size.width or self.app.size.width - 2
        named = width >= NAMED_KEY_FROM
        key_w = 14 if named else 3
        fixed = 3 + 3 + key_w + 6 + 4 + 4 + 8 * 2 + 2  # numbers, cell padding, scrollbar
        free = max(18, width - fixed)
        title_w = max(10, int(free * 0.58))
        artist_w = max(8, free - title_w)
        table.clear(columns=True)
        for label, key, w in (
            ("#", "pos", 3),
            ("Track", "track", title_w),
            ("Artist", "artist", artist_w),
            ("BPM", "bpm", 3),
            ("Key", "key", key_w),
            ("Energy", "energy", 6),
            ("Arc", "arc", 4),
            ("Cost", "cost", 4),
        ):
            table.add_column(label, key=key, width=w)
        for s in preview.steps:
            if s.camelot is None:
                key = Text("–", style="dim")
            else:
                key = Text(f"{s.camelot} · {s.key}" if named else s.camelot)
            table.add_row(
                Text(str(s.position), style="dim", justify="right"),
                Text(fit(s.track.name, title_w)),  # names: inert text, cut with "…"
                Text(fit(s.track.artist_line, artist_w)),
                _num(s.tempo, ".0f", 3),
                key,
                _num(s.energy, ".2f", 6),
                _num(s.target, ".2f", 4),
                _num(s.transition_cost, ".2f", 4),
                key=s.track.id,
            )

    def _highlighted(self) -> str | None:
        """The track under the cursor (None before the first order is shown)."""
        if self.preview is None or not self.preview.steps:
            return None
        table = self.query_one(OrderTable)
        row = min(max(table.cursor_row, 0), len(self.preview.steps) - 1)
        return self.preview.steps[row].track.id

    # ------------------------------------------------------------------ keys
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``r`` is offered only on one of the user's own playlists (hidden elsewhere)."""
        return action != "reorder" or self.playlist_id is not None

    def action_arc(self, arc: str) -> None:
        if arc != self.arc:
            self.arc = arc
            self.compute()

    def action_first(self) -> None:
        """Begin with the highlighted track; on the track that begins already, let the
        solver choose again."""
        track = self._highlighted()
        if track is None:
            return
        self.start = None if track == self.start else track
        self.compute()

    def action_export(self) -> None:
        self._use("export")

    def action_queue_all(self) -> None:
        self._use("queue")

    def action_export_file(self) -> None:
        self._use("file")

    def action_reorder(self) -> None:
        if self.playlist_id is None:
            self.notify(NOT_A_PLAYLIST, severity="warning", timeout=6)
            return
        if self.preview is None:
            self.notify(STILL_WORKING, severity="warning", timeout=3)
            return
        self.post_message(
            messages.ReorderRequested(self.playlist_id, self.what, self.arc, self.start)
        )

    def action_close(self) -> None:
        self.dismiss()

    def _use(self, how: str) -> None:
        if self.preview is None:
            self.notify(STILL_WORKING, severity="warning", timeout=3)
            return
        self._ordered(how, self.arc, self.start, self.preview.order)

    @work(thread=True, group="order-use", exit_on_error=False)
    def _ordered(self, how: str, arc: str, start: str | None, shown: list[str]) -> None:
        """The export target in this order, as the session makes it for every face; handed
        on only when it is the order on screen (it always is, unless the library moved)."""
        app = self.spotui_app
        target = app.session.order.ordered(self.target, arc, start)
        if list(target.track_ids) != shown:
            app.call_from_thread(self.notify, CHANGED, severity="warning", timeout=8)
            app.call_from_thread(self.compute)
            return
        app.call_from_thread(self._hand_on, how, arc, target)

    def _hand_on(self, how: str, arc: str, target: ExportTarget) -> None:
        if how == "export":
            self.post_message(messages.ExportRequested(target))
        elif how == "queue":
            what = f"{self.what} in the {arc} order"
            self.post_message(messages.QueueRequested(list(target.track_ids), what=what))
        else:
            from spotui.tui.screens.export_file import FileExportDialog

            self.app.push_screen(FileExportDialog(target))


def _num(value: float | None, spec: str, width: int) -> Text:
    if value is None:
        return Text("–".rjust(width), style="dim")
    return Text(format(value, spec).rjust(width))

"""The recommendations pane: tracks that sound like the selected track (or cluster), each
with the reason it was picked and whether it is already in the library.

Under the list, the highlighted recommendation's whole reason, wrapped: in a row it is cut to
the pane's width ("same high instrume…" at 80 columns). Where a row's reason line would be cut
that short (a list narrower than :data:`COMPACT_BELOW`), rows are one line each, so twice as
many fit, and the reason is read below."""

from __future__ import annotations

import dataclasses

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from spotui.core.untrusted import inert
from spotui.tui import messages
from spotui.tui.actions import bindings_for

#: Rows are one line (no reason line) in a list narrower than this many cells.
COMPACT_BELOW = 60


def _row(rank: int, rec, compact: bool = False) -> Table:
    grid = Table.grid(expand=True, padding=(0, 1, 0, 0))
    grid.add_column(width=3, justify="right", no_wrap=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    title = Text()  # names made inert: they are other people's text (spotui.core.untrusted)
    title.append(inert(rec.track.name), style="bold")
    if rec.track.artists:
        title.append(" — " + inert(rec.track.artist_line))
    badge = Text("in library", style="dim") if rec.in_library else Text("new", style="bold green")
    if compact:  # the reason and the whole score line are under the list; the ranking
        # number goes beside the badge, named as everywhere ("sound 0.86", "match 0.12")
        short = rec.score_line.split(" (", 1)[0]
        grid.add_row(Text(f"{rank}.", style="dim"), title, badge + Text(f" {short}", style="dim"))
        return grid
    grid.add_row(Text(f"{rank}.", style="dim"), title, badge)
    grid.add_row(
        "",
        Text(inert(rec.reason), style="italic dim", overflow="ellipsis", no_wrap=True),
        Text(rec.score_line, style="dim"),  # named, as in the CLI: "sound 0.86", "match ..."
    )
    return grid


def _note(text: str, style: str) -> Option:
    """A line of the pane that is not a result (the far note, the legend)."""
    return Option(Text(inert(text, multiline=True), style=style), disabled=True)


def recs_mode(discover: bool, new_only: bool) -> str:
    """The pane's subtitle: where the recommendations come from."""
    if discover:
        return "new from ReccoBeats" + (" · new only" if new_only else "")
    return "new only" if new_only else "library + catalog"


def nothing_found(discover: bool, new_only: bool) -> str:
    """What the pane says when there is nothing to recommend."""
    if discover:
        return "ReccoBeats proposed nothing to rank for this; D: back to your library."
    if new_only:
        return "No tracks outside your library to recommend; import a catalog CSV."
    return "No recommendations."


def no_features_hint(demo: bool) -> str:
    """What the pane says for a seed without audio features (no raw error, no track id,
    and no `spotui sync` where there is nothing to sync)."""
    base = (
        "Too few audio features for this track to compare it with others (recommendations "
        "need at least 7 of the 9)."
    )
    if demo:
        return base + " Demo tracks listed as Unanalysed stay that way; pick another."
    return base + " `spotui features --retry` asks again, or import a CSV that has them (i)."


def reason_text(rank: int, rec) -> Table:
    """The whole reason of recommendation ``rank`` ("2. same high acousticness and ..."),
    for the area under the list; wrapped lines stay indented under the reason's text."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(width=3, justify="right", no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(f"{rank}.", style="bold"), Text(inert(rec.reason), style="italic"))
    if " (" in rec.score_line:  # a blended list: the row shows the match, here its parts
        grid.add_row("", Text(rec.score_line, style="dim"))
    return grid


class RecommendationPane(Vertical):
    """The bordered pane: the list, and under it the highlighted recommendation's reason."""

    def compose(self) -> ComposeResult:
        yield RecommendationList(id="recs")
        yield Static(id="rec-reason")

    def on_recommendation_list_current(self, event: RecommendationList.Current) -> None:
        event.stop()
        reason = self.query_one("#rec-reason", Static)
        reason.update(reason_text(event.rank, event.rec) if event.rec is not None else "")
        reason.display = event.rec is not None


class RecommendationList(OptionList):
    """Holds the current results; the screen fills it from a worker."""

    SCOPES = ("lists", "recs")
    BINDINGS = bindings_for(*SCOPES)

    class Current(Message):
        """The highlighted recommendation changed (``rec`` None: none is shown)."""

        def __init__(self, rank: int, rec) -> None:
            super().__init__()
            self.rank = rank
            self.rec = rec

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.results: list = []
        #: Options before the first result (the far note): 0 or 1.
        self._first = 0
        #: The :class:`spotui.session.seeds.Recommendations` shown (what they are for), or None.
        self.answer = None
        #: The last skip, for undo: (track id, answer before it, its row, answer after it).
        self._last_skip: tuple[str, object, int, object] | None = None

    def show(self, answer, empty: str = "No recommendations.") -> None:
        """Show ``answer`` (a :class:`spotui.session.seeds.Recommendations`): the far note first
        when nothing sounds close (it changes how every row reads), the results, then the
        legend of their numbers."""
        self.answer = answer
        results = answer.results
        self.results = list(results)
        if not results:
            self._first = 0
            self.set_options([_note(empty, "dim")])
            return
        self._compact = self.size.width < COMPACT_BELOW
        head = [_note(answer.far_note, "bold")] if answer.far_note else []
        self._first = len(head)
        rows = [Option(_row(i + 1, r, self._compact), id=r.track.id) for i, r in enumerate(results)]
        self.set_options([*head, *rows, _note(answer.legend, "dim")])
        self.highlighted = self._first

    @property
    def index(self) -> int | None:
        """The highlighted result's index in ``results`` (the options start with the far
        note when there is one), or None."""
        if self.highlighted is None:
            return None
        i = self.highlighted - self._first
        return i if 0 <= i < len(self.results) else None

    _compact: bool | None = None

    def on_resize(self) -> None:
        """Crossing :data:`COMPACT_BELOW`: the rows again, one or two lines each. Shorter
        (a longer reason under it): the highlighted row stays in view."""
        if self.answer is not None and self._compact != (self.size.width < COMPACT_BELOW):
            at = self.index
            self.show(self.answer)
            if at is not None and at < len(self.results):
                self.highlighted = self._first + at
        self.call_after_refresh(self.scroll_to_highlight)

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        i = self.index
        self.post_message(self.Current(0 if i is None else i + 1, self.current))

    def message(self, text: str) -> None:
        self.results = []
        self.answer = None
        self._first = 0
        # errors and notes quote names ("no audio features for “…”"): inert
        self.set_options([Option(Text(inert(text, multiline=True), style="dim"), disabled=True)])
        self.post_message(self.Current(0, None))

    @property
    def current(self):
        """The highlighted recommendation, or None."""
        i = self.index
        return None if i is None else self.results[i]

    def action_queue_one(self) -> None:
        rec = self.current
        self.post_message(messages.QueueRequested([rec.track.id] if rec is not None else []))

    def action_queue_all(self) -> None:
        ids = [r.track.id for r in self.results]
        self.post_message(messages.QueueRequested(ids, what="these recommendations"))

    def action_open_detail(self) -> None:
        """The highlighted recommendation in full: reason, features against the seed."""
        if self.current is None or self.answer is None or self.index is None:
            return
        self.post_message(messages.RecDetailRequested(self.answer, self.index))

    def action_skip_one(self) -> None:
        rec = self.current
        if rec is None:
            return
        self.post_message(messages.SkipRequested(rec.track.id))
        at = self.index or 0
        before = self.answer
        rest = [r for r in self.results if r is not rec]
        self.show(dataclasses.replace(self.answer, results=rest))
        if rest:
            self.highlighted = self._first + min(at, len(rest) - 1)
        self._last_skip = (rec.track.id, before, at, self.answer)

    def undo_skip(self) -> None:
        """Take back the last skip: the core forgets it and, while these are still the
        recommendations it was skipped from, the track is back in its row."""
        if self._last_skip is None:
            self.notify("Nothing to undo: no track was skipped.", timeout=3)
            return
        track_id, before, at, after = self._last_skip
        self._last_skip = None
        self.post_message(messages.UnskipRequested(track_id))
        if self.answer is after:
            self.show(before)
            self.highlighted = self._first + at

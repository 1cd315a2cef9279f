"""The tracks pane: a DataTable over a view of the library, filled page by page.

Why pages: a Textual DataTable measures every cell of every row it holds before its first
paint (about 0.1 ms per row), so holding a 10k-track view would freeze the screen for a
second. The table holds the first page and appends the next one when the cursor or the
scroll position comes near the end of what is loaded; sorting and filtering happen on the
whole view in :mod:`spotui.tui.rows`, so order and matches are always complete.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text
from textual.css.scalar import Unit
from textual.widgets import DataTable

from spotui.core.untrusted import inert
from spotui.tui import messages
from spotui.tui.actions import bindings_for
from spotui.tui.rows import TABLE_FEATURES, LibraryRows

PAGE = 200
_LEVELS = "▁▂▃▄▅▆▇█"
#: Load the next page when the cursor is this close to the last loaded row.
MARGIN = 40
#: The key column: the Camelot code ("12B"), or the code and its name ("12A · C♯ minor").
KEY_CODE_WIDTH = 3
KEY_NAMED_WIDTH = 14
#: From this table width the key column has room for the musical name.
NAMED_KEY_FROM = 115


class TrackTable(DataTable):
    """Posts TrackHighlighted as the cursor moves and TrackChosen on enter."""

    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("lists", "tracks")
    BINDINGS = bindings_for(*SCOPES)

    def __init__(self, on_painted: Callable[[], None] | None = None, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        #: Called after each paint that first shows a fill's rows (start-up waits for it).
        self._on_painted = on_painted
        self._rows: LibraryRows | None = None
        self._view: list[int] = []
        self._loaded = 0
        self._color_of: Callable[[str], str | None] = lambda _tid: None
        self._is_new: Callable[[str], bool] = lambda _tid: False
        self._sort: tuple[str | None, bool] = (None, False)
        self._widths: tuple[bool, int, int, int] = (False, 0, 0, 0)
        self._cut: tuple[int, int] = (0, 0)  # title and artists widths, "…" beyond
        #: The rest of the first page is loaded after the first paint.
        self._page_pending = False
        #: Rows were filled and are not painted yet.
        self._announce = False

    # ------------------------------------------------------------------ filling
    def show(
        self,
        rows: LibraryRows,
        view: list[int],
        color_of: Callable[[str], str | None],
        sort_key: str | None = None,
        descending: bool = False,
        keep: str | None = None,
        is_new: Callable[[str], bool] | None = None,
    ) -> None:
        """Show ``view`` (row numbers of ``rows``); keep the cursor on track ``keep`` if shown,
        else start at the top. ``is_new``: tracks marked "+" (joined their mood lately)."""
        self._rows, self._view, self._color_of = rows, view, color_of
        self._is_new = is_new or (lambda _tid: False)
        self._sort = (sort_key, descending)
        self._fill(keep)

    def _fill(self, keep: str | None) -> None:
        rows, view = self._rows, self._view
        assert rows is not None
        self.clear(columns=True)
        self._add_columns()
        self._loaded = 0
        target = 0
        if keep and keep in rows.index:
            try:
                target = view.index(rows.index[keep])
            except ValueError:
                target = 0
        # The first paint holds what fits on screen; the rest of the page follows after it.
        first = (self.size.height or self.app.size.height) + 2
        self._load_until(max(first, target + MARGIN) if target else first)
        self._page_pending = self._loaded < min(PAGE, len(view))
        if view:
            self.move_cursor(row=target, animate=False)
            self.post_message(messages.TrackHighlighted(rows.ids[view[target]]))
        else:
            self.post_message(messages.TrackHighlighted(None))
        self._announce = bool(view)
        if not view:  # no rows to wait for: the paint after this one is the whole answer
            self.call_after_refresh(self._after_first_paint)

    def render_lines(self, crop):
        lines = super().render_lines(crop)
        if self._announce and self.virtual_size.height > self.header_height:
            # Rows are on screen: now the rest of the page, and say so (start-up waits).
            self._announce = False
            self.call_after_refresh(self._after_first_paint)
        return lines

    def _after_first_paint(self) -> None:
        if self._on_painted is not None:
            self._on_painted()
        if self._page_pending:
            self._page_pending = False
            self._load_until(PAGE)

    @property
    def view_size(self) -> int:
        return len(self._view)

    @property
    def loaded(self) -> int:
        return self._loaded

    @property
    def track_ids(self) -> list[str]:
        """Every track of the current view, loaded or not, in display order."""
        if self._rows is None:
            return []
        ids = self._rows.ids
        return [ids[i] for i in self._view]

    def _layout(self) -> tuple[bool, int, int, int]:
        """(compact, key width, title width, artists width) for the table's current width.

        Below ~70 cells the feature columns collapse into one "E V D A" column of small
        bars (energy, valence, danceability, acousticness) plus BPM, so titles stay legible
        at 80x24. The key is its Camelot code ("8B", what DJs mix on) unless the table is
        wide enough for the musical name too ("8B · C major") without squeezing the titles.
        """
        width = self.size.width or self._expected_width()
        compact = width < 70
        key_w = KEY_NAMED_WIDTH if not compact and width >= NAMED_KEY_FROM else KEY_CODE_WIDTH
        features = (7 + 2) + (3 + 2) if compact else sum(w + 2 for _, _, w in TABLE_FEATURES)
        fixed = 3 + features + key_w + 2
        free = max(20, width - fixed - 4 - 2)  # title/artists padding, scrollbar
        title = max(10, int(free * 0.55))
        return compact, key_w, title, max(8, free - title)

    def _expected_width(self) -> int:
        """The width the first layout will give: the screen less the fixed-width panes
        beside ours and our pane's border. Filling at the right width before the first
        layout paints the screen once; a wrong guess costs a refill on resize, no more."""
        pane = self.parent
        width = self.app.size.width
        if pane is not None and pane.parent is not None:
            for sibling in pane.parent.children:
                w = sibling.styles.width
                if sibling is not pane and w is not None and w.unit == Unit.CELLS:
                    width -= int(w.value)
            width -= pane.styles.gutter.width
        return max(40, width)

    #: Columns a sort arrow widens (the arrow follows their header).
    _number_keys = frozenset((*(f for f, _, _ in TABLE_FEATURES), "key"))

    def _add_columns(self) -> None:
        key, desc = self._sort
        arrow = " ▼" if desc else " ▲"
        compact, key_w, title_w, artist_w = self._widths = self._layout()
        if key in self._number_keys:  # the arrow widens that column
            artist_w = max(8, artist_w - (1 if compact else len(arrow)))
        self._cut = (title_w, artist_w)
        self.add_column(" ", key="mood", width=1)
        self.add_column("Title" + (arrow if key == "title" else ""), key="title", width=title_w)
        self.add_column(
            "Artists" + (arrow if key == "artists" else ""), key="artists", width=artist_w
        )
        if compact:
            self._add_folded_columns(key, arrow.strip())
        else:
            for sort_key, label, width in TABLE_FEATURES:
                shown = label + (arrow if key == sort_key else "")
                self.add_column(shown, key=sort_key, width=max(width, len(shown)))
        shown = "Key" + ((arrow.strip() if compact else arrow) if key == "key" else "")
        self.add_column(shown, key="key", width=max(key_w, len(shown)))

    def _add_folded_columns(self, key: str | None, arrow: str) -> None:
        """80 columns: the features folded into one bar column ("E V D A") and BPM. The
        sorted feature has no header of its own here: the arrow follows its letter."""
        bars = "E V D A"
        if key in self._number_keys and key not in ("tempo", "key"):
            at = 2 * [f for f, _, _ in TABLE_FEATURES].index(key) + 1
            bars = (bars[:at] + arrow + bars[at + 1 :]).rstrip()
        self.add_column(bars, key="bars", width=len(bars) if len(bars) > 7 else 7)
        bpm = "BPM" + (arrow if key == "tempo" else "")
        self.add_column(bpm, key="tempo", width=len(bpm))

    def _load_until(self, count: int) -> None:
        rows = self._rows
        if rows is None:
            return
        stop = min(len(self._view), count)
        if stop <= self._loaded:
            return
        color_of, is_new = self._color_of, self._is_new
        compact, key_w = self._widths[0], self._widths[1]
        title_w, artist_w = self._cut
        for i in self._view[self._loaded : stop]:
            tid = rows.ids[i]
            color = color_of(tid)
            cells = [
                _mark(color, is_new(tid)),
                Text(fit(rows.titles[i], title_w)),  # Text: a "[/]" in a title is no markup
                Text(fit(rows.artists[i], artist_w)),
            ]
            feats = rows.row_features(i)
            if compact:
                cells.append(_mini_bars(feats[:4]))
                cells.append(_number("tempo", feats[4], 3))
            else:
                for j, (name, _, width) in enumerate(TABLE_FEATURES):
                    cells.append(_number(name, feats[j], width))
            cells.append(_key(rows, i, key_w))
            self.add_row(*cells, key=tid)
        self._loaded = stop

    def load_more(self) -> None:
        self._load_until(self._loaded + PAGE)

    # ------------------------------------------------------------------ keys (table "lists")
    def action_first(self) -> None:
        if self._loaded:
            self.move_cursor(row=0, animate=False)

    def action_last(self) -> None:
        """The last track of the whole view: the rows not loaded yet are loaded first."""
        if not self._view:
            return
        self._load_until(len(self._view))
        self.move_cursor(row=len(self._view) - 1, animate=False)

    # ------------------------------------------------------------------ events
    def on_resize(self) -> None:
        if self._rows is not None and self._layout() != self._widths:
            self._fill(self.current_track_id)

    @property
    def current_track_id(self) -> str | None:
        if not self._loaded or self._rows is None:
            return None
        row = min(self.cursor_row, self._loaded - 1)
        return self._rows.ids[self._view[row]]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if not self._page_pending and event.cursor_row >= self._loaded - MARGIN:
            self.load_more()
        self.post_message(messages.TrackHighlighted(event.row_key.value))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(messages.TrackChosen(event.row_key.value))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if (
            not self._page_pending
            and new_value >= self.max_scroll_y - MARGIN
            and self._loaded < len(self._view)
        ):
            self.call_later(self.load_more)


def _mark(color: str | None, new: bool) -> Text:
    """The first cell: the mood's colour, "+" while the track is new in its mood."""
    if color is None:
        return Text("·", style="dim")
    return Text("+", style=f"bold {color}") if new else Text("■", style=color)


def fit(text: str, width: int) -> str:
    """A name as a table cell: made inert (:func:`spotui.core.untrusted.inert`: rows hold names
    as stored, and only the screenful shown pays for the check), then cut to ``width``
    cells with "…" when it does not fit (DataTable crops silently, which turned "Vera
    Ibarra III" into a wrong "Vera Ibarra II")."""
    text = inert(text)
    if cell_len(text) <= width:
        return text
    out = Text(text)
    out.truncate(width, overflow="ellipsis")
    return out.plain


def _number(name: str, v: float, width: int) -> Text:
    if v != v:  # NaN: the track has no features
        return Text("–".rjust(width), style="dim")
    if name == "tempo":
        return Text(f"{v:.0f}".rjust(width))
    return Text(f"{v * 100:.0f}".rjust(width))


def _key(rows: LibraryRows, i: int, width: int) -> Text:
    """The key cell: "8B" (or "8B · C major" when there is room); "–" when key or mode
    is missing."""
    text = rows.key_label(i, named=width >= KEY_NAMED_WIDTH)
    return Text("–", style="dim") if text is None else Text(text)


def _mini_bars(values) -> Text:
    """Four 0..1 values as small vertical bars: "▆ ▂ ▁ █"."""
    text = Text()
    for j, v in enumerate(values):
        v = float(v)
        if j:
            text.append(" ")
        if v != v:
            text.append("–", style="dim")
        else:
            text.append(_LEVELS[min(7, max(0, int(v * 8)))], style="bold")
    return text

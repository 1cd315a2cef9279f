"""The clusters pane: "All tracks", each mood cluster with its colour and size,
"Unanalysed", the map selection when there is one, and under them the playlists the
user owns (to look at, continue in their own mood and add to)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from spotui.core.text import count
from spotui.core.untrusted import inert
from spotui.tui import messages
from spotui.tui.actions import bindings_for
from spotui.tui.source import ALL, SELECTION, UNANALYSED, Source
from spotui.tui.typed import spotui_app


def _row(swatch: str, color: str, label: str, size: int, new: int = 0) -> Table:
    """One entry; ``new``: tracks that joined this mood since the user last looked ("+20")."""
    grid = Table.grid(expand=True, padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")  # too narrow (80 columns): wraps, never cut
    grid.add_column(justify="right", no_wrap=True)
    count_cell = Text(f"{size:,}", style="dim")
    if new:
        count_cell = Text.assemble((f"+{new:,} ", f"bold {color}"), count_cell)
    # a playlist's label is anybody's text: inert, and a Text so it is never markup
    grid.add_row(Text(swatch, style=color), Text(inert(label)), count_cell)
    return grid


class ClusterList(OptionList):
    """Highlighting an entry posts :class:`~spotui.tui.messages.SourceHighlighted`.

    Its pane's width follows its longest label (see :meth:`wanted_width`), within a share of the
    screen: a fixed 30 columns cut "Melancholic Instrumental" and wasted room at 160."""

    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("lists", "clusters")
    BINDINGS = bindings_for(*SCOPES)
    spotui_app = property(spotui_app)
    #: The pane never takes more than this share of the screen's width.
    MAX_SHARE = 0.34
    MIN_WIDTH = 20

    def show(
        self,
        total: int,
        clusters: list,
        unanalysed: int,
        selection: int | None = None,
        keep: Source | None = None,
        playlists: list | None = None,
        news: dict[int, int] | None = None,
    ) -> None:
        """Replace the entries; keep the highlight on ``keep`` if present.
        ``playlists``: ``(Playlist, track count)`` of the user's own playlists; ``news``:
        cluster id -> tracks new in it (shown "+N" until the user has looked)."""
        keep = keep or self.current
        news = news or {}
        playlists = playlists or []
        self._clusters = list(clusters)
        options = _options(total, self._clusters, unanalysed, selection, playlists, news)
        self.set_options(options)
        self._wanted = _wanted_width(total, self._clusters, unanalysed, selection, playlists, news)
        self.fit_width()
        ids = [o.id for o in options]
        key = keep.key() if keep is not None else None
        self.highlighted = ids.index(key) if key in ids else 0
        self.call_after_refresh(self.show_hidden)

    def show_news(self, news: dict[int, int]) -> None:
        """Only the "+N" marks changed (the user looked at a mood): redraw those entries in
        place, keeping the highlight and scroll."""
        for c in getattr(self, "_clusters", []):
            with contextlib.suppress(OptionDoesNotExist):
                self.replace_option_prompt(
                    Source.cluster(c.id).key(),
                    _row("██", c.color or "white", c.label, c.size, news.get(c.id, 0)),
                )

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.show_hidden()

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_hidden)

    def hidden_moods(self) -> tuple[int, int, bool]:
        """How many mood entries are not wholly in view, above and below, and whether
        playlists are below. At 80x24 the list has 7 rows for 10 or more entries, so some
        moods are always out of view; the pane's bottom border says how many."""
        try:
            lines = self._lines  # (option index, line in it) per line: private to OptionList
        except Exception:  # noqa: BLE001 - an indicator must never break the list
            return 0, 0, False
        top = round(self.scroll_y)
        bottom = top + self.scrollable_content_region.height
        return _hidden(_spans(lines), top, bottom, self._kind)

    def _kind(self, index: int) -> str | None:
        """The kind of source option ``index`` is (None: the "Playlists" heading)."""
        source = Source.parse(self.get_option_at_index(index).id or "")
        return source.kind if source is not None else None

    def show_hidden(self) -> None:
        """The pane's bottom border: "↓ 3 more moods", "↑ 2 moods above", "↓ playlists"."""
        if not self.is_mounted or self.parent is None:
            return
        above, below, playlists = self.hidden_moods()
        if above and below:
            note = f"↑ {above} · ↓ {count(below, 'more mood')}"
        elif below:
            note = f"↓ {count(below, 'more mood')}"
        elif above:
            note = f"↑ {count(above, 'mood')} above"
        else:
            note = "↓ playlists" if playlists else ""
        self.parent.border_subtitle = note

    _wanted = MIN_WIDTH

    def fit_width(self) -> None:
        """Wide enough for every label (swatch, label, size, borders, scrollbar gap), at most
        :attr:`MAX_SHARE` of the screen, at least :attr:`MIN_WIDTH`; unless the user sized
        the pane (``<``/``>``, remembered in config.toml)."""
        if self.spotui_app.ui.clusters_width:
            return
        screen_width = self.app.size.width or 120
        cap = max(self.MIN_WIDTH, int(screen_width * self.MAX_SHARE))
        self.parent.styles.width = min(max(self._wanted, self.MIN_WIDTH), cap)

    @property
    def current(self) -> Source | None:
        option = self.highlighted_option
        return Source.parse(option.id) if option is not None and option.id else None

    def select_source(self, source: Source) -> None:
        with contextlib.suppress(OptionDoesNotExist):
            self.highlighted = self.get_option_index(source.key())

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        source = Source.parse(event.option.id or "")
        if source is not None:
            self.post_message(messages.SourceHighlighted(source))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.screen.focus_next()


class ClusterAbout(Static):
    """Under the cluster list, in the room it leaves: what the highlighted entry is."""

    def show(self, source: Source, result, rows) -> None:
        clusters = result.clusters if result is not None else []
        cluster = next((c for c in clusters if c.id == source.cluster_id), None)
        if cluster is not None:
            about = Text()
            about.append(inert(cluster.label) + "\n", style="bold")
            about.append("\n".join(f"• {inert(r)}" for r in cluster.reasons))
        else:
            about = Text(_about_other(source, result, rows, len(clusters)))
        self.update(about)


def _about_other(source: Source, result, rows, n_clusters: int) -> str:
    """What an entry other than a mood is (plain text: no names in it)."""
    if source.kind == "unanalysed":
        line = result.unanalysed_line() if result is not None else ""
        return line or "Tracks without audio features: they are in no mood cluster."
    if source.kind == "selection":
        return "The tracks you selected on the mood map (m)."
    if source.kind == "playlist":
        return "One of your playlists. e adds recommendations to its end."
    if rows is None:
        return ""
    text = f"{len(rows):,} tracks"
    if n_clusters:
        text += f" in {n_clusters} mood clusters; highlight one for what makes it."
    return text


def _options(
    total: int,
    clusters: list,
    unanalysed: int,
    selection: int | None,
    playlists: list,
    news: dict[int, int],
) -> list[Option]:
    """The list's entries, in order: all, the moods, unanalysed, the selection, playlists."""
    options = [Option(_row("◆", "bold", "All tracks", total), id=ALL.key())]
    for c in clusters:
        row = _row("██", c.color or "white", c.label, c.size, news.get(c.id, 0))
        options.append(Option(row, id=Source.cluster(c.id).key()))
    if unanalysed:
        options.append(Option(_row("░░", "dim", "Unanalysed", unanalysed), id=UNANALYSED.key()))
    if selection is not None:
        options.append(Option(_row("▚▚", "bold", "Map selection", selection), id=SELECTION.key()))
    if playlists:
        options.append(Option(Text("Playlists", style="dim italic"), disabled=True))
        for p, size in playlists:
            row = _row("♫ ", "bold", p.name, size)
            options.append(Option(row, id=Source.playlist(p.id).key()))
    return options


def _wanted_width(
    total: int,
    clusters: list,
    unanalysed: int,
    selection: int | None,
    playlists: list,
    news: dict[int, int],
) -> int:
    """The pane width the longest entry needs: swatch, label, size, "+N", borders, gap."""
    labels = ["All tracks", "Unanalysed", "Map selection", *(c.label for c in clusters)]
    labels += [p.name for p, _ in playlists]
    sizes = [total, unanalysed, selection or 0, *(c.size for c in clusters)]
    badge = len(f"+{max(news.values()):,} ") if news else 0
    return max(len(x) for x in labels) + len(f"{max(sizes):,}") + badge + 3 + 2 + 2


def _spans(lines) -> dict[int, tuple[int, int]]:
    """Option index -> its first and last line in the list."""
    spans: dict[int, tuple[int, int]] = {}
    for y, (index, _) in enumerate(lines):
        first = spans.get(index, (y, y))[0]
        spans[index] = (first, y)
    return spans


def _hidden(
    spans: dict[int, tuple[int, int]], top: int, bottom: int, kind_of: Callable[[int], str | None]
) -> tuple[int, int, bool]:
    """Moods out of view above and below the lines ``top``..``bottom``, and whether a
    playlist is below (``kind_of``: an option index's source kind)."""
    above = below = 0
    playlists_below = False
    for index, (first, last) in spans.items():
        if top <= first and last < bottom:
            continue
        kind = kind_of(index)
        if kind == "cluster":
            if first < top:
                above += 1
            else:
                below += 1
        elif kind == "playlist" and last >= bottom:
            playlists_below = True
    return above, below, playlists_below

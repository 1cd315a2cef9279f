"""The clusters pane: "All tracks", each mood cluster with its colour and size,
"Unanalysed", the map selection when there is one, and under them the playlists the
user owns (to look at, continue in their own mood and add to)."""

from __future__ import annotations

import contextlib

from rich.table import Table
from rich.text import Text
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from spotui.core.text import count
from spotui.core.untrusted import inert
from spotui.tui import messages
from spotui.tui.actions import bindings_for
from spotui.tui.rows import (
    ALL,
    SELECTION,
    UNANALYSED,
    cluster_source,
    playlist_source,
    source_cluster,
    source_playlist,
)


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

    BINDINGS = bindings_for("lists")
    #: The pane never takes more than this share of the screen's width.
    MAX_SHARE = 0.34
    MIN_WIDTH = 20

    def show(
        self,
        total: int,
        clusters: list,
        unanalysed: int,
        selection: int | None = None,
        keep: str | None = None,
        playlists: list | None = None,
        news: dict[int, int] | None = None,
    ) -> None:
        """Replace the entries; keep the highlight on ``keep`` (a source id) if present.
        ``playlists``: ``(Playlist, track count)`` of the user's own playlists; ``news``:
        cluster id -> tracks new in it (shown "+N" until the user has looked)."""
        keep = keep or self.current
        news = news or {}
        self._clusters = list(clusters)
        options = [Option(_row("◆", "bold", "All tracks", total), id=ALL)]
        for c in clusters:
            row = _row("██", c.color or "white", c.label, c.size, news.get(c.id, 0))
            options.append(Option(row, id=cluster_source(c.id)))
        if unanalysed:
            options.append(Option(_row("░░", "dim", "Unanalysed", unanalysed), id=UNANALYSED))
        if selection is not None:
            options.append(Option(_row("▚▚", "bold", "Map selection", selection), id=SELECTION))
        if playlists:
            options.append(Option(Text("Playlists", style="dim italic"), disabled=True))
            for p, count in playlists:
                options.append(Option(_row("♫ ", "bold", p.name, count), id=playlist_source(p.id)))
        self.set_options(options)
        owned = playlists or []
        labels = ["All tracks", "Unanalysed", "Map selection", *(c.label for c in clusters)]
        labels += [p.name for p, _ in owned]
        sizes = [total, unanalysed, selection or 0, *(c.size for c in clusters)]
        badge = len(f"+{max(news.values()):,} ") if news else 0
        self._wanted = max(len(x) for x in labels) + len(f"{max(sizes):,}") + badge + 3 + 2 + 2
        self.fit_width()
        ids = [o.id for o in options]
        index = ids.index(keep) if keep in ids else 0
        self.highlighted = index
        self.call_after_refresh(self.show_hidden)

    def show_news(self, news: dict[int, int]) -> None:
        """Only the "+N" marks changed (the user looked at a mood): redraw those entries in
        place, keeping the highlight and scroll."""
        for c in getattr(self, "_clusters", []):
            with contextlib.suppress(OptionDoesNotExist):
                self.replace_option_prompt(
                    cluster_source(c.id),
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
        spans: dict[int, list[int]] = {}
        for y, (index, _) in enumerate(lines):
            spans.setdefault(index, []).append(y)
        above = below = 0
        playlists_below = False
        for index, ys in spans.items():
            option = self.get_option_at_index(index)
            if ys[0] >= top and ys[-1] < bottom:
                continue
            if source_cluster(option.id or "") is not None:
                if ys[0] < top:
                    above += 1
                else:
                    below += 1
            elif source_playlist(option.id or "") is not None and ys[-1] >= bottom:
                playlists_below = True
        return above, below, playlists_below

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
        if self.app.ui.clusters_width:
            return
        screen_width = self.app.size.width or 120
        cap = max(self.MIN_WIDTH, int(screen_width * self.MAX_SHARE))
        self.parent.styles.width = min(max(self._wanted, self.MIN_WIDTH), cap)

    @property
    def current(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None else None

    def select_source(self, source: str) -> None:
        with contextlib.suppress(OptionDoesNotExist):
            self.highlighted = self.get_option_index(source)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id:
            self.post_message(messages.SourceHighlighted(event.option.id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.screen.focus_next()


class ClusterAbout(Static):
    """Under the cluster list, in the room it leaves: what the highlighted entry is."""

    def show(self, source: str, result, rows) -> None:
        about = Text()
        cid = source_cluster(source)
        clusters = result.clusters if result is not None else []
        cluster = next((c for c in clusters if c.id == cid), None)
        if cluster is not None:
            about.append(inert(cluster.label) + "\n", style="bold")
            about.append("\n".join(f"• {inert(r)}" for r in cluster.reasons))
        elif source == UNANALYSED:
            line = result.unanalysed_line() if result is not None else ""
            about.append(line or "Tracks without audio features: they are in no mood cluster.")
        elif source == SELECTION:
            about.append("The tracks you selected on the mood map (m).")
        elif source_playlist(source) is not None:
            about.append("One of your playlists. e adds recommendations to its end.")
        elif rows is not None:
            about.append(f"{len(rows):,} tracks")
            if clusters:
                about.append(f" in {len(clusters)} mood clusters; highlight one for what makes it.")
        self.update(about)

"""The clusters pane: "All tracks", each mood cluster with its colour and size,
"Unanalysed", the map selection when there is one, and under them the playlists the
user owns (to look at, continue in their own mood and add to)."""

from __future__ import annotations

import contextlib

from rich.table import Table
from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from spotui.tui import messages
from spotui.tui.rows import ALL, SELECTION, UNANALYSED, cluster_source, playlist_source


def _row(swatch: str, color: str, label: str, size: int) -> Table:
    grid = Table.grid(expand=True, padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(Text(swatch, style=color), Text(label), Text(f"{size:,}", style="dim"))
    return grid


class ClusterList(OptionList):
    """Highlighting an entry posts :class:`~spotui.tui.messages.SourceHighlighted`."""

    def show(
        self,
        total: int,
        clusters: list,
        unanalysed: int,
        selection: int | None = None,
        keep: str | None = None,
        playlists: list | None = None,
    ) -> None:
        """Replace the entries; keep the highlight on ``keep`` (a source id) if present.
        ``playlists``: ``(Playlist, track count)`` of the user's own playlists."""
        keep = keep or self.current
        options = [Option(_row("◆", "bold", "All tracks", total), id=ALL)]
        for c in clusters:
            options.append(
                Option(_row("██", c.color or "white", c.label, c.size), id=cluster_source(c.id))
            )
        if unanalysed:
            options.append(Option(_row("░░", "dim", "Unanalysed", unanalysed), id=UNANALYSED))
        if selection is not None:
            options.append(Option(_row("▚▚", "bold", "Map selection", selection), id=SELECTION))
        if playlists:
            options.append(Option(Text("Playlists", style="dim italic"), disabled=True))
            for p, count in playlists:
                options.append(Option(_row("♫ ", "bold", p.name, count), id=playlist_source(p.id)))
        self.set_options(options)
        ids = [o.id for o in options]
        index = ids.index(keep) if keep in ids else 0
        self.highlighted = index

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

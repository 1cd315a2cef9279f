"""``m``: the mood map, with a legend, what is under the cursor and the selection."""

from __future__ import annotations

from collections import Counter

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from spotui.core.text import count
from spotui.core.untrusted import inert
from spotui.tui import messages
from spotui.tui.actions import bindings_for
from spotui.tui.typed import spotui_app
from spotui.tui.widgets.key_bar import KeyBar
from spotui.tui.widgets.mood_map import MoodMap
from spotui.tui.widgets.title_bar import TitleBar


class MapScreen(Screen):
    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("map",)
    BINDINGS = bindings_for(*SCOPES)
    spotui_app = property(spotui_app)

    def __init__(self, highlight: str | None = None) -> None:
        super().__init__()
        self.highlight = highlight

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="map-body"):
            with Vertical(id="map-column"):
                yield Static(id="axis-top", classes="axis")
                yield MoodMap(
                    self.spotui_app.result, self.highlight, self.spotui_app.map_selection, id="map"
                )
                yield Static(id="axis-bottom", classes="axis")
            with VerticalScroll(id="map-side"):
                yield Static(id="map-info")
        yield KeyBar()

    def on_mount(self) -> None:
        mood_map = self.query_one(MoodMap)
        mood_map.border_subtitle = "◆ highlighted track"
        self._label_axes()
        mood_map.focus()
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        self.query_one(MoodMap).center_cursor()
        self.update_info()

    @property
    def map(self) -> MoodMap:
        return self.query_one(MoodMap)

    def _label_axes(self) -> None:
        """Axis words on screen: what up, down, left and right mean in this view."""
        m = self.map
        if m.mode == "mood":
            m.border_title = "Mood map: valence × energy"
            top, bottom = "↑ energetic", "↓ calm    ← sad · valence · happy →"
        else:
            m.border_title = "Texture map (PCA)"
            top, bottom = "↑ 2nd principal component", "→ 1st principal component"
        self.query_one("#axis-top", Static).update(top)
        self.query_one("#axis-bottom", Static).update(bottom)

    def update_info(self) -> None:
        m = self.map
        result = self.spotui_app.result
        parts: list = [Text("Clusters", style="bold")]
        # a grid, not one cut line each: at 80 columns the side is 26 wide and "Intense
        # Electric 234" was "Intense Electric 2…"; a long label wraps under itself instead
        legend = Table.grid(padding=(0, 1, 0, 0))
        legend.add_column(width=2, no_wrap=True)
        legend.add_column(ratio=1)
        legend.add_column(justify="right", no_wrap=True)
        for i, c in enumerate(result.clusters):
            legend.add_row(
                Text("██", style=c.color or "white"),
                Text(inert(c.label), style="bold" if m.zoomed == i else ""),
                Text(f"{c.size:,}", style="dim"),
            )
        parts.append(legend)
        parts.append(Text(""))
        zoom = result.clusters[m.zoomed].label if m.zoomed is not None else "whole library"
        parts.append(Text.assemble(("View: ", "bold"), zoom))
        under = m.under_cursor()
        parts.append(Text.assemble(("Under cursor: ", "bold"), _describe(under, result)))
        if m.corner is not None:
            parts.append(Text("Corner marked: move, then space to select.", style="italic"))
        if m.selected:
            parts.append(Text.assemble(("Selection: ", "bold"), _describe(m.selected, result)))
            parts.append(Text("l lists it on the main screen.", style="dim"))
        self.query_one("#map-info", Static).update(Group(*parts))

    def on_map_cursor_moved(self, event: messages.MapCursorMoved) -> None:
        self.update_info()

    def on_region_selected(self, event: messages.RegionSelected) -> None:
        self.spotui_app.map_selection = list(event.track_ids)
        self.update_info()
        if not event.track_ids:
            self.notify("No tracks inside that rectangle.", severity="warning", timeout=3)

    # ------------------------------------------------------------------ actions
    def action_move(self, dx: int, dy: int) -> None:
        self.map.move(dx, dy)

    def action_mark(self) -> None:
        self.map.mark()

    def action_zoom_next(self) -> None:
        self.map.zoom_next()
        self.update_info()

    def action_toggle_view(self) -> None:
        if self.map.mode == "texture":
            self.map.set_coords(self.spotui_app.result.coords, "mood")
            self._label_axes()
            self.update_info()
        else:
            self.notify("Computing the texture view…", timeout=2)
            self._load_texture()

    @work(thread=True, exclusive=True, group="map-texture", exit_on_error=False)
    def _load_texture(self) -> None:
        coords = self.spotui_app.session.moods.texture_coords()  # the PCA view: in this worker
        self.app.call_from_thread(self._show_texture, coords)

    def _show_texture(self, coords: dict) -> None:
        self.map.set_coords(coords, "texture")
        self._label_axes()
        self.update_info()

    def action_zoom_reset(self) -> None:
        self.map.zoom_reset()
        self.update_info()

    def action_export(self) -> None:
        if self._need_selection():
            self.post_message(messages.SelectionExportRequested(self.map.selected))

    def action_queue_selection(self) -> None:
        if self._need_selection():
            ids = list(self.map.selected)
            self.post_message(messages.QueueRequested(ids, what="the map selection"))

    def _need_selection(self) -> bool:
        if not self.map.selected:
            self.notify(
                "Select a rectangle first: space at one corner, space at the other.",
                severity="warning",
                timeout=4,
            )
        return bool(self.map.selected)

    def action_list_selection(self) -> None:
        if self._need_selection():
            self.dismiss(list(self.map.selected))

    def action_close(self) -> None:
        self.dismiss(None)


def _describe(track_ids: list[str], result) -> str:
    if not track_ids:
        return "no tracks"
    counts = Counter(result.assignments.get(t) for t in track_ids)
    cid, _ = counts.most_common(1)[0]
    label = next((c.label for c in result.clusters if c.id == cid), "?")
    n = len(track_ids)
    return f"{count(n, 'track')}, mostly {label}"

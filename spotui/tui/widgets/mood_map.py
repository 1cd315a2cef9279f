"""The mood map: every analysed track at its 2-D map position, coloured by cluster.

Two views of the same tracks: **mood** (the default: x = valence, sad to happy; y = energy,
calm to energetic, on Spotify's fixed 0..1 scales so the axes mean the same in every
library) and **texture** (the first two principal components of the analysis matrix, where
acoustic/instrumental/spoken differences show). The selection is kept across views.

Each terminal cell shows the cluster most of its tracks belong to, with a denser glyph
for more tracks. A keyboard cursor moves over the cells; marking two corners selects the
tracks inside the rectangle (mouse: drag). Binning is one numpy pass, so a 100k-track
map redraws in milliseconds.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from rich.text import Text
from textual.events import Click, MouseDown, MouseUp
from textual.reactive import reactive
from textual.widget import Widget

from spotui.tui import messages

_GLYPHS = " ·•●"
_DENSITY = (1, 3)  # counts from which the 2nd / 3rd glyph is used


class _Marks(NamedTuple):
    """What the map draws over its dots, in cells."""

    highlight: tuple[int, int] | None  # the track highlighted on the main screen
    selected: set[tuple[int, int]]  # cells holding a selected track
    box: tuple[int, int, int, int] | None  # the rectangle being drawn: c0, c1, r0, r1


class MoodMap(Widget, can_focus=True):
    cursor: reactive[tuple[int, int]] = reactive((0, 0))
    corner: reactive[tuple[int, int] | None] = reactive(None)

    #: The mood view's fixed extent: Spotify's 0..1 valence (x) and energy (y).
    MOOD_BOUNDS = (-0.02, 1.02, -0.02, 1.02)

    def __init__(
        self,
        result,
        highlight: str | None = None,
        selected: list[str] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.result = result
        self.highlight = highlight
        self.ids = list(result.coords)
        order = {c.id: i for i, c in enumerate(result.clusters)}
        self.cluster_index = np.array(
            [order.get(result.assignments.get(t, -1), -1) for t in self.ids], dtype=np.int64
        )
        self.palette_colors = [c.color or "white" for c in result.clusters]
        self.zoomed: int | None = None  # index into result.clusters
        self.selected: list[str] = list(selected or [])
        self.mode = "mood"
        self.set_coords(result.coords, "mood")

    def set_coords(self, coords: dict[str, tuple[float, float]], mode: str) -> None:
        """Show the tracks at ``coords`` ("mood": valence x energy; "texture": PCA)."""
        xy = np.array([coords.get(t, (np.nan, np.nan)) for t in self.ids], dtype=np.float64)
        xy = xy.reshape(-1, 2)
        self.xs, self.ys = xy[:, 0], xy[:, 1]
        self.mode = mode
        self.full_view = self.MOOD_BOUNDS if mode == "mood" else self._bounds(np.isfinite(self.xs))
        self.view = self.full_view
        self.zoomed = None
        self.refresh()

    # ------------------------------------------------------------------ geometry
    def _bounds(self, mask: np.ndarray) -> tuple[float, float, float, float]:
        mask = mask & np.isfinite(self.xs)
        if not mask.any():
            return (-1.0, 1.0, -1.0, 1.0)
        xs, ys = self.xs[mask], self.ys[mask]
        x0, x1 = float(xs.min()), float(xs.max())
        y0, y1 = float(ys.min()), float(ys.max())
        dx, dy = max(x1 - x0, 1e-6) * 0.04, max(y1 - y0, 1e-6) * 0.04
        return (x0 - dx, x1 + dx, y0 - dy, y1 + dy)

    def _cells(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cell column, row and an in-view mask for every track at the current size."""
        w, h = max(1, self.size.width), max(1, self.size.height)
        x0, x1, y0, y1 = self.view
        with np.errstate(invalid="ignore"):
            fx = np.nan_to_num((self.xs - x0) / (x1 - x0) * w, nan=-1.0)
            fy = np.nan_to_num((y1 - self.ys) / (y1 - y0) * h, nan=-1.0)  # screen rows go down
        cx, cy = np.floor(fx).astype(np.int64), np.floor(fy).astype(np.int64)
        inside = (cx >= 0) & (cx < w) & (cy >= 0) & (cy < h) & np.isfinite(self.xs)
        return cx, cy, inside

    def tracks_in_cells(self, c0: int, r0: int, c1: int, r1: int) -> list[str]:
        """Track ids whose cell lies in the rectangle (corners inclusive, any order)."""
        cx, cy, inside = self._cells()
        lo_c, hi_c = sorted((c0, c1))
        lo_r, hi_r = sorted((r0, r1))
        mask = inside & (cx >= lo_c) & (cx <= hi_c) & (cy >= lo_r) & (cy <= hi_r)
        return [self.ids[i] for i in np.flatnonzero(mask)]

    def under_cursor(self) -> list[str]:
        c, r = self.cursor
        return self.tracks_in_cells(c, r, c, r)

    # ------------------------------------------------------------------ drawing
    def render(self) -> Text:
        w, h = max(1, self.size.width), max(1, self.size.height)
        cx, cy, inside = self._cells()
        total, dominant = self._density(cx, cy, inside, w, h)
        marks = self._marks(cx, cy, inside)
        text = Text(no_wrap=True, overflow="crop")
        for r in range(h):
            for c in range(w):
                glyph, style = self._cell(
                    c, r, int(total[r * w + c]), int(dominant[r * w + c]), marks
                )
                text.append(glyph, style=style.strip() or None)
            if r < h - 1:
                text.append("\n")
        return text

    def _density(self, cx, cy, inside, w: int, h: int):
        """Per cell: how many tracks fall in it, and the palette index of the mood most of
        them are in."""
        k = max(1, len(self.palette_colors))
        counts = np.zeros((h * w, k + 1), dtype=np.int32)
        cell = cy[inside] * w + cx[inside]
        np.add.at(counts, (cell, self.cluster_index[inside] + 1), 1)  # column 0: unknown
        return counts.sum(axis=1), counts[:, 1:].argmax(axis=1)

    def _marks(self, cx, cy, inside) -> _Marks:
        """What is drawn over the dots: the highlighted track, the selection, the rectangle."""
        mark = None
        if self.highlight in self.result.coords:
            i = self.ids.index(self.highlight)
            if inside[i]:
                mark = (int(cx[i]), int(cy[i]))
        selected: set[tuple[int, int]] = set()
        if self.selected:
            chosen = set(self.selected)
            selected = {
                (int(cx[i]), int(cy[i])) for i in np.flatnonzero(inside) if self.ids[i] in chosen
            }
        box = None
        if self.corner is not None:
            (a_c, a_r), (b_c, b_r) = self.corner, self.cursor
            box = (min(a_c, b_c), max(a_c, b_c), min(a_r, b_r), max(a_r, b_r))
        return _Marks(mark, selected, box)

    def _cell(self, c: int, r: int, n: int, dominant: int, marks: _Marks) -> tuple[str, str]:
        """One cell's glyph (denser: a fuller block) and style (its mood's colour, then the
        marks over it, the cursor last)."""
        glyph, style = " ", ""
        if n:
            glyph = _GLYPHS[1 + (n >= _DENSITY[0] + 1) + (n >= _DENSITY[1] + 1)]
            style = self.palette_colors[dominant]
        if (c, r) in marks.selected:
            style += " on #3a3a3a"
        box = marks.box
        if box is not None and box[0] <= c <= box[1] and box[2] <= r <= box[3]:
            style += " on #444466"
        if marks.highlight == (c, r):
            glyph, style = "◆", "bold white on red"
        if (c, r) == self.cursor:
            glyph = "┼" if glyph == " " else glyph
            style += " reverse"
        return glyph, style

    def watch_cursor(self) -> None:
        self.post_message(messages.MapCursorMoved())

    def watch_corner(self) -> None:
        self.post_message(messages.MapCursorMoved())

    # ------------------------------------------------------------------ control
    def move(self, dx: int, dy: int) -> None:
        c, r = self.cursor
        w, h = max(1, self.size.width), max(1, self.size.height)
        self.cursor = (min(max(c + dx, 0), w - 1), min(max(r + dy, 0), h - 1))

    def center_cursor(self) -> None:
        self.cursor = (max(0, self.size.width // 2), max(0, self.size.height // 2))

    def mark(self) -> list[str] | None:
        """First call anchors a corner; the second selects the rectangle and returns it."""
        if self.corner is None:
            self.corner = self.cursor
            return None
        (c0, r0), (c1, r1) = self.corner, self.cursor
        self.corner = None
        return self.select_cells(c0, r0, c1, r1)

    def select_cells(self, c0: int, r0: int, c1: int, r1: int) -> list[str]:
        self.selected = self.tracks_in_cells(c0, r0, c1, r1)
        self.refresh()
        self.post_message(messages.RegionSelected(list(self.selected)))
        return self.selected

    def zoom_next(self) -> str:
        """Zoom to the next cluster (cycling); returns its label."""
        if not self.result.clusters:
            return ""
        self.zoomed = 0 if self.zoomed is None else (self.zoomed + 1) % len(self.result.clusters)
        self.view = self._bounds(self.cluster_index == self.zoomed)
        self.refresh()
        return self.result.clusters[self.zoomed].label

    def zoom_reset(self) -> None:
        self.zoomed = None
        self.view = self.full_view
        self.refresh()

    def on_mouse_down(self, event: MouseDown) -> None:
        self.focus()
        self.cursor = (event.x, event.y)
        self.corner = (event.x, event.y)

    def on_mouse_up(self, event: MouseUp) -> None:
        if self.corner is None:
            return
        self.cursor = (
            min(max(event.x, 0), self.size.width - 1),
            min(max(event.y, 0), self.size.height - 1),
        )
        if self.corner != self.cursor:
            self.mark()
        else:
            self.corner = None

    def on_click(self, event: Click) -> None:
        event.stop()

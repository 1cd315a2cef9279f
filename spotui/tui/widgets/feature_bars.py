"""The detail pane: one track, in the order a listener reads it.

First where the track sits, in words (spotui.analysis.moods.membership), so that at 80x24 it is on screen
without focusing or scrolling; then its mood features as bars with its cluster's centre marked
on each; then the rest of the words (what decides between its mood and the next nearest, where
it is unlike its mood's words, where its features came from); then, dimmer, the numbers behind
the words (distances, deciding values: there for whoever wants them, scrolled to or seen on a
taller terminal); then the reasons the segmentation gave for the mood itself."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from spotui.core.feature_spec import MOOD_FEATURES, SHORT_LABELS, format_value, unit_value
from spotui.core.records import Cluster, Features, Track
from spotui.core.untrusted import inert

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(fraction: float, width: int, marker: float | None, color: str) -> Text:
    """A horizontal bar filled to ``fraction`` with a ``┃`` at ``marker`` (both 0..1)."""
    fraction = min(max(fraction, 0.0), 1.0)
    cells = fraction * width
    full = int(cells)
    part = _EIGHTHS[int((cells - full) * 8)].strip() if full < width else ""
    chars = list("█" * full + part)
    chars += ["·"] * (width - len(chars))
    text = Text()
    mark_at = None if marker is None else min(width - 1, int(min(max(marker, 0.0), 1.0) * width))
    for i, ch in enumerate(chars):
        if i == mark_at:
            text.append("┃", style="bold reverse" if ch != "·" else "bold")
        elif ch == "·":
            text.append(ch, style="dim")
        else:
            text.append(ch, style=color)
    return text


def fmt(feature: str, value: float | None) -> str:
    if value is None:
        return "–"
    return format_value(feature, value)


def feature_table(
    values: dict[str, float | None], reference: dict[str, float], color: str, avail: int
) -> Table:
    """One bar per mood feature for ``values``, with ``reference`` (a cluster centre, a
    seed track) marked ``┃`` on each bar and its value beside the track's when there is room
    (``avail`` cells)."""
    both = avail >= 50  # room for the reference's value next to the track's
    width = max(8, avail - 9 - 2 - (19 if both else 8))
    table = Table.grid(padding=(0, 1))
    table.add_column(width=8, no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, justify="right")
    for name in MOOD_FEATURES:
        value = values.get(name)
        mine = unit_value(name, value)
        centre = unit_value(name, reference.get(name)) if name in reference else None
        cell = bar(mine or 0.0, width, centre, color) if mine is not None else Text("–")
        nums = Text(fmt(name, value))
        if centre is not None and both:
            nums.append(f" / {fmt(name, reference[name])}", style="dim")
        table.add_row(Text(SHORT_LABELS[name], style="dim"), cell, nums)
    return table


def key_cell(features: Features) -> Text:
    """The key in Camelot notation with its name ("8B · C major"), under the bars; "–" when
    the key or the mode is missing (never guessed: a wrong key would be mixed on)."""
    from spotui.analysis.order.camelot import key_label

    label = key_label(features.key, features.mode)
    return Text("–", style="dim") if label is None else Text(label)


def bullets(lines, style: str = "") -> Table:
    """Bulleted lines whose wrapped lines stay indented under their text (a hanging indent),
    so one reason does not run into the next at 40 columns."""
    table = Table.grid(padding=(0, 1, 0, 0))
    table.add_column(no_wrap=True, width=2, justify="right")
    table.add_column(ratio=1)
    for line in lines:
        table.add_row(Text("•", style=style or "dim"), Text(inert(line), style=style))
    return table


class FeatureBars(Static):
    """Shows a track (or a hint when nothing is selected)."""

    def show(
        self,
        track: Track | None,
        features: Features | None,
        cluster: Cluster | None,
        note: str = "",
        why: tuple[str, ...] | list[str] | None = None,
        numbers: tuple[str, ...] | list[str] | None = None,
    ) -> None:
        """``why``: the plain sentences on why the track is in its cluster, shown first;
        ``numbers``: the numbers behind them, shown dimmer after the bars."""
        self._data = (track, features, cluster, note, why or [], numbers or [])
        self.update(self._render_detail())

    def on_resize(self) -> None:
        if getattr(self, "_data", None) is not None:
            self.update(self._render_detail())

    def _render_detail(self):
        track, features, cluster, note, why, numbers = self._data
        if track is None:
            return Text(inert(note) or "No track selected.", style="dim")
        parts = [_head(track), *_mood_line(cluster, note)]
        if features is None:
            parts.append(
                Text("No audio features for this track, so it is not in a cluster.", style="italic")
            )
            return Group(*parts)
        if why:  # where it sits, first: on screen at 80x24 without scrolling
            parts.append(bullets(why[:1]))
        color = (cluster.color if cluster else "") or "cyan"
        centroid = cluster.centroid if cluster else {}
        table = feature_table(features.as_dict(), centroid, color, self.size.width or 60)
        table.add_row(Text("key", style="dim"), key_cell(features))
        parts.append(table)
        parts += _below_bars(why, numbers, cluster)
        return Group(*parts)


def _head(track) -> Text:
    """Title — artists (names made inert: they are other people's text, spotui.core.untrusted)."""
    head = Text()
    head.append(inert(track.name), style="bold")
    if track.artists:
        head.append(" — " + inert(track.artist_line))
    return head


def _mood_line(cluster, note: str) -> list[Text]:
    """The track's mood (swatch, label, size) or, outside any, the note on why."""
    if cluster is not None:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("██ ", style=cluster.color or "white")
        line.append(inert(cluster.label), style="bold")
        line.append(f" · {cluster.size:,} tracks", style="dim")
        return [line]
    return [Text(inert(note), style="dim")] if note else []


def _below_bars(why, numbers, cluster) -> list:
    """Under the bars: what decides, where it is unlike its mood, where the features came
    from; the numbers behind it; what the mood is about."""
    parts: list = []
    if len(why) > 1:
        parts.append(bullets(why[1:]))
    if numbers:
        parts.append(Text("In numbers:", style="dim bold"))
        parts.append(bullets(numbers, style="dim"))
    if cluster is not None and cluster.reasons:
        parts.append(Text("About this mood:", style="bold"))
        parts.append(bullets(cluster.reasons))
    return parts

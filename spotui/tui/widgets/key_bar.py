"""A one-line footer of the keys that work right now (from the focused widget up).

Textual's Footer mounts one widget per key; with a dozen keys that is most of the cost of
the first paint. This renders the same active bindings as one line of text, follows focus
through the screen's ``bindings_updated_signal``, and still runs a key when clicked.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.events import Click
from textual.widget import Widget


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar { height: 1; dock: bottom; background: $footer-background; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._spans: list[tuple[int, int, str]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _changed(self, _screen) -> None:
        self.refresh()

    def render(self) -> Text:
        """``?`` first, then the keys that work here while they fit, always ending with
        ``^p palette`` (at 80 columns the palette hint used to be pushed off the line)."""
        tail = Text.assemble((" ^p ", "bold reverse"), (" palette ", ""))
        room = self.size.width - tail.cell_len
        text = Text(no_wrap=True, overflow="crop")
        self._spans = []
        seen: set[str] = set()
        active = sorted(self.screen.active_bindings.values(), key=lambda b: b[1].action != "help")
        for _node, binding, enabled, _tip in active:  # "? Help" first: it leads to the rest
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            key = f" {self.app.get_key_display(binding)} "
            label = f" {binding.description} "
            if text.cell_len + cell_len(key) + cell_len(label) > room:
                break
            start = text.cell_len
            text.append(key, style="bold reverse" if enabled else "dim reverse")
            text.append(label, style="" if enabled else "dim")
            self._spans.append((start, text.cell_len, binding.key))
        if room >= 0:
            text.append(" " * (room - text.cell_len))
            self._spans.append((text.cell_len, text.cell_len + tail.cell_len, "ctrl+p"))
            text.append_text(tail)
        return text

    def on_click(self, event: Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key.split(",")[0])
                return

"""The top line: app name, which library, and what is running in the background."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class TitleBar(Widget):
    DEFAULT_CSS = """
    TitleBar { height: 1; dock: top; background: $panel; }
    """

    def render(self) -> Text:
        app = self.app
        text = Text(no_wrap=True, overflow="ellipsis", justify="center")
        text.append("♫ spotui", style="bold")
        if app.sub_title:
            text.append(f" — {app.sub_title}")
        return text

"""The one-line bar at the top of every booth screen: where, who, direction, reader, link."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class StatusBar(Widget):
    DEFAULT_CSS = """
    StatusBar { height: 1; dock: top; background: $primary; color: $text; }
    """

    def render(self) -> Text:
        app = self.app
        info = getattr(app, "status_line", None)
        if info is None:
            return Text("IMDMS")
        line: Text = info()
        return line

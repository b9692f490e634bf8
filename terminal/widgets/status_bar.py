"""The one-line bar at the top of every booth screen: where, who, direction, reader, link."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class StatusBar(Widget):
    DEFAULT_CSS = """
    StatusBar { height: 1; dock: top; background: $primary; color: $text; }
    """

    def render(self) -> Text:
        from terminal.booth import BoothApp

        app = self.app
        return app.status_line() if isinstance(app, BoothApp) else Text("IMDMS")

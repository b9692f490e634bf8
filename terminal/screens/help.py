"""F1: the keys of the screen underneath, in words, and the keys every screen shares."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from terminal.widgets.keybar import key_label

COMMON = [
    ("Tab / Shift+Tab", "next / previous field"),
    ("Left/Right, a letter", "change a choice"),
    ("Space", "tick or untick a box"),
    ("F1", "this help (Esc closes it)"),
]
EXTRA: dict[str, list[tuple[str, str]]] = {
    "ScanScreen": [("present a document", "to the reader: it opens by itself")],
    "ManualMrzScreen": [("Enter", "next line, or continue when the MRZ is complete")],
    "CategoriseScreen": [("Enter", "save (on a choice or a text field)")],
    "WatchlistAlertScreen": [("Enter", "confirm the decision")],
}


def help_text(screen: Screen[Any]) -> Text:
    rows: list[tuple[str, str]] = []
    for binding in getattr(screen, "BINDINGS", []):
        if not isinstance(binding, Binding) or not binding.description:
            continue
        if screen.check_action(binding.action, ()) is False:
            continue
        keys = " / ".join(key_label(k) for k in binding.key.split(","))
        rows.append((keys, binding.description))
    rows += EXTRA.get(type(screen).__name__, []) + COMMON
    width = max(len(k) for k, _ in rows)
    text = Text()
    for i, (keys, what) in enumerate(rows):
        if i:
            text.append("\n")
        text.append(keys.ljust(width), style="bold")
        text.append(f"  {what}")
    return text


class HelpModal(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,enter", "close", "Close")]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("Keys on this screen", classes="title")
            yield Static(help_text(self.under), id="help-keys")

    def action_close(self) -> None:
        self.dismiss(None)

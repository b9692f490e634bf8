"""F1: the keys of the screen underneath, in words, and the keys every screen shares."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from terminal.i18n import N_, _
from terminal.widgets.keybar import key_label

COMMON = [
    ("Tab / Shift+Tab", N_("next / previous field")),
    (N_("Left/Right, a letter"), N_("change a choice")),
    ("Space", N_("tick or untick a box")),
    ("F1", N_("this help (Esc closes it)")),
    ("F9", N_("information for the traveller, in Sesotho and English")),
]
EXTRA: dict[str, list[tuple[str, str]]] = {
    "ScanScreen": [(N_("present a document"), N_("to the reader: it opens by itself"))],
    "ManualMrzScreen": [("Enter", N_("next line, or continue when the MRZ is complete"))],
    "CategoriseScreen": [("Enter", N_("save (on a choice or a text field)"))],
    "WatchlistAlertScreen": [("Enter", N_("confirm the decision"))],
    "TravellerScreen": [(N_("Right / Left"), N_("next / previous page"))],
}


def help_text(screen: Screen[Any]) -> Text:
    rows: list[tuple[str, str]] = []
    for binding in getattr(screen, "BINDINGS", []):
        if not isinstance(binding, Binding) or not binding.description:
            continue
        if screen.check_action(binding.action, ()) is False:
            continue
        keys = " / ".join(key_label(k) for k in binding.key.split(","))
        rows.append((keys, _(binding.description)))
    rows += [(_(k), _(w)) for k, w in EXTRA.get(type(screen).__name__, []) + COMMON]
    width = max(len(k) for k, _ in rows)
    text = Text()
    for i, (keys, what) in enumerate(rows):
        if i:
            text.append("\n")
        text.append(keys.ljust(width), style="bold")
        text.append(f"  {what}")
    return text


class HelpModal(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,enter", "close", N_("Close"))]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(_("Keys on this screen"), classes="title")
            yield Static(help_text(self.under), id="help-keys")

    def action_close(self) -> None:
        self.dismiss(None)

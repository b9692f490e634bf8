"""The key hints at the bottom of a screen, from its BINDINGS (show=True).

Rendered once per screen as plain text: Textual's Footer rebuilds its key widgets every time a
screen comes back, and kept the old ones (RSS grew ~0.4 MB per crossing), and its layout wraps
badly at 80 columns."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from terminal.i18n import _

KEY_NAMES = {"enter": "Enter", "escape": "Esc", "space": "Space", "tab": "Tab"}


def key_label(key: str) -> str:
    first = key.split(",")[0].strip()
    return KEY_NAMES.get(first, first.upper() if len(first) <= 3 else first.capitalize())


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; color: $text; }
    """

    def on_mount(self) -> None:
        # one space between entries (the key itself is in reverse video): the scan screen's
        # keys with F1 Help fit 80 columns even in the demo (F2)
        text = Text("", no_wrap=True, overflow="ellipsis")
        screen = self.screen
        for binding in getattr(screen, "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.show or not binding.description:
                continue
            if screen.check_action(binding.action, ()) is False:
                continue
            if len(text):
                text.append(" ")
            text.append(key_label(binding.key), style="bold reverse")
            text.append(f" {_(binding.description)}")  # N_() where it is bound
        text.append(" " if len(text) else "")
        text.append("F1", style="bold reverse")
        text.append(" " + _("Help"))
        self.update(text)

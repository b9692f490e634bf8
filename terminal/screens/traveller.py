"""F9: what the traveller reads, or has read to them: the steps, their data and consent, help
against trafficking, their rights (terminal/traveller_texts.py). Sesotho above English on every
page, whatever language the officer works in; short lines with space between them, since the
booth's console cannot make the letters bigger. No personal data on this screen."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from terminal.i18n import N_, gettext_in
from terminal.screens.base import BoothScreen
from terminal.traveller_texts import PAGES
from terminal.widgets.keybar import KeyBar

SHOWN = ("st", "en")  # the traveller's languages, in this order


def page_text(index: int, code: str) -> Text:
    page = PAGES[index]
    text = Text()
    text.append(f" {gettext_in(code, page.title)} ", style="bold reverse")
    text.append("\n")
    for line in page.lines:  # one sentence a line: 80x24 holds a page in both languages
        text.append("\n")
        text.append(gettext_in(code, line), style="bold")
    return text


class TravellerScreen(BoothScreen[None]):
    BINDINGS = [
        Binding("1", "page(0)", N_("Steps")),
        Binding("2", "page(1)", N_("Consent")),
        Binding("3", "page(2)", N_("Trafficking")),
        Binding("4", "page(3)", N_("Rights")),
        Binding("right,space", "step(1)", N_("Next"), show=False),
        Binding("left", "step(-1)", N_("Previous"), show=False),
        Binding("escape,f9", "back", N_("Back")),
    ]

    def __init__(self, page: int = 0) -> None:
        super().__init__()
        self.page = page

    def compose(self) -> ComposeResult:
        with Vertical(id="traveller-box"):
            yield Static(id="traveller-page", classes="keys")
            for code in SHOWN:
                yield Static(id=f"traveller-{code}", classes="traveller-text")
        yield KeyBar()

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        self.query_one("#traveller-page", Static).update(
            f"{self.page + 1} / {len(PAGES)}   Sesotho - English")
        for code in SHOWN:
            self.query_one(f"#traveller-{code}", Static).update(page_text(self.page, code))

    def action_page(self, index: int) -> None:
        self.page = index
        self._show()

    def action_step(self, delta: int) -> None:
        self.page = (self.page + delta) % len(PAGES)
        self._show()

    def action_back(self) -> None:
        self.app.pop_screen()

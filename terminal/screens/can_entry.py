"""The card access number (CAN) of an ID card whose chip opens only with it (PACE with the
CAN): six digits printed on the card's front. Dismisses with the CAN, or None (Esc)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from terminal.i18n import N_, _


def can_problem(value: str) -> str:
    """"" when `value` is a CAN, else what is wrong, in words."""
    if len(value) != 6 or not value.isdigit():
        return _("the card access number has 6 digits: type all 6, as printed on the card")
    return ""


class CanEntryModal(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "back", N_("Back"))]
    AUTO_FOCUS = "#can"

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(_("Card access number (CAN)"), classes="title")
            yield Static(_("Type the 6 digits printed on the front of the ID card (often beside "
                           "the photo or at the bottom right), then Enter."),
                         id="confirm-question")
            yield Input(id="can", max_length=6, restrict=r"[0-9]*", placeholder=_("6 digits"))
            yield Static("", id="can-problem")
            yield Static(_("Enter read the chip with it  Esc back"), classes="keys")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        problem = can_problem(event.value)
        if problem:
            self.query_one("#can-problem", Static).update(problem)
            return
        self.dismiss(event.value)

    def action_back(self) -> None:
        self.dismiss(None)

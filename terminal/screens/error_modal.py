"""An error as the officer sees it: what happened and what to do. Never a traceback."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from terminal.i18n import N_, _


class ErrorModal(ModalScreen[None]):
    BINDINGS = [
        Binding("enter,escape", "dismiss_modal", N_("OK")),
    ]

    def __init__(self, title: str, message: str, hint: str) -> None:
        super().__init__()
        self.title_text = title
        self.message_text = message
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="error-box"):
            yield Static(self.title_text, classes="title", markup=False)
            yield Static(self.message_text, id="error-message", markup=False)
            yield Static(_("What to do: ") + (self.hint or _("try again")), id="error-hint",
                         markup=False)
            yield Static(_("Enter: OK"), classes="keys")

    def action_dismiss_modal(self) -> None:
        self.dismiss(None)

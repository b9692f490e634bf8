"""A yes/no question before the booth drops or ends something. Esc or N keeps things as they
are; only Y goes ahead, so a second Esc typed out of habit never discards."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from terminal.i18n import N_, _


class ConfirmModal(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", N_("Yes")),
        Binding("n,escape", "answer(False)", N_("No")),
    ]

    def __init__(self, title: str, question: str, yes: str, no: str) -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.title_text, classes="title", markup=False)
            yield Static(self.question, id="confirm-question", markup=False)
            keys = _("Y: {yes}    N or Esc: {no}").format(yes=self.yes, no=self.no)
            yield Static(keys, classes="keys", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

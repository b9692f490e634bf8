"""A minor about to be saved with no adult linked at this booth: the officer says how the
minor travels (one key) before the record is saved, and the record keeps it (`minor_travel`).
Alone and referred minors count as unaccompanied in the shift summary and the central report;
a minor whose adult is processed at another booth does not. Esc goes back to link an adult."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from records.codes import MinorTravel
from terminal.i18n import N_, _

CHOICES = [
    ("1", MinorTravel.ALONE_WITH_CONSENT, N_("travelling alone, consent letter seen")),
    ("2", MinorTravel.REFERRED, N_("referred (decision REFERRED)")),
    ("3", MinorTravel.ADULT_AT_OTHER_BOOTH, N_("the adult is at another booth")),
]


class MinorAloneModal(ModalScreen[MinorTravel | None]):
    BINDINGS = [
        *[Binding(key, f"choose('{travel.value}')", text, show=False)
          for key, travel, text in CHOICES],
        Binding("escape", "choose('')", N_("Back")),
    ]

    def compose(self) -> ComposeResult:
        lines = "\n".join(f"{key}: {_(text)}" for key, _travel, text in CHOICES)
        with Vertical(id="minor-box"):
            yield Static(_("A MINOR with no adult linked"), classes="title", markup=False)
            yield Static(_("How does this minor travel?") + "\n" + lines, id="minor-question",
                         markup=False)
            yield Static(_("1/2/3: choose    Esc: back, link the adult"), classes="keys",
                         markup=False)

    def action_choose(self, value: str) -> None:
        self.dismiss(MinorTravel(value) if value else None)

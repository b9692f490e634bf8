"""Trafficking and smuggling indicators: the officer's checklist, a note and a referral.

There is no score and no automatic consequence: the officer flags what they observed and
decides on a referral; a trained officer follows up."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, SelectionList, Static

from records.codes import TipIndicator, TipReferral
from terminal.booking import Case
from terminal.i18n import N_, _
from terminal.labels import options, tip_label
from terminal.widgets.choice import Choice
from terminal.widgets.tick import TickList


class IndicatorsScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("f2", "done", N_("Done")),
        Binding("escape", "cancel", N_("Cancel")),
    ]
    AUTO_FOCUS = "#tip-list"

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case

    def compose(self) -> ComposeResult:
        f = self.case.form
        with Vertical(id="tip-box"):
            yield Static(_("Trafficking / smuggling indicators (what you observed)"),
                         classes="title")
            yield TickList(
                *[
                    (tip_label(i), i, i in f.tip_indicators)
                    for i in TipIndicator
                ],
                id="tip-list",
            )
            yield Label(_("Note"))
            yield Input(f.tip_note or "", placeholder=_("what you saw (optional)"), compact=True,
                        id="tip-note")
            yield Label(_("Referral"))
            yield Choice(options(TipReferral), f.tip_referral, id="tip-referral")
            yield Static(
                _("No score: you decide.  Space tick  Tab next  F2 done  Esc cancel"),
                classes="keys",
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#tip-referral", Choice).focus()

    def apply(self) -> None:
        """Copy what is ticked and typed into the case's form."""
        f = self.case.form
        chosen = set(self.query_one("#tip-list", SelectionList).selected)
        f.tip_indicators = tuple(i for i in TipIndicator if i in chosen)
        f.tip_note = self.query_one("#tip-note", Input).value.strip() or None
        f.tip_referral = self.query_one("#tip-referral", Choice).value

    def action_done(self) -> None:
        self.apply()
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


def open_indicators(screen: Screen[Any], case: Case) -> None:
    def done(changed: bool | None) -> None:
        refresh = getattr(screen, "on_screen_resume", None)
        if refresh is not None:
            refresh()

    screen.app.push_screen(IndicatorsScreen(case), callback=done)

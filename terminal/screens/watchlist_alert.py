"""A watchlist hit blocks the traveller until the officer acknowledges it and decides.

The hit is a prompt to check, never a decision: the officer ticks the acknowledgement and picks
referred / refused / admitted. Escape does not close it. The entry's category (`label`) and
the centre's instruction for it are shown (messaging/watchlist.WatchlistCheck)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Static

from messaging.watchlist import WatchlistCheck
from records.codes import Decision, WatchlistJudgement, WatchlistResult
from terminal.i18n import N_, _
from terminal.widgets.choice import Choice
from terminal.widgets.tick import TickBox

JUDGEMENTS = [
    (N_("Refer to second line"), WatchlistJudgement.REFERRED),
    (N_("Refuse"), WatchlistJudgement.REFUSED),
    (N_("Not this person (admit)"), WatchlistJudgement.NOT_THIS_PERSON),
]
DECISION_OF = {
    WatchlistJudgement.REFERRED: Decision.REFERRED,
    WatchlistJudgement.REFUSED: Decision.REFUSED,
    WatchlistJudgement.NOT_THIS_PERSON: Decision.ADMITTED,
}


class WatchlistAlertScreen(ModalScreen[WatchlistJudgement]):
    BINDINGS = [
        Binding("escape", "refuse_escape", "", show=False),
        Binding("f2", "confirm", N_("Confirm")),
    ]
    AUTO_FOCUS = "#hit-ack"

    def __init__(self, check: tuple[WatchlistResult, str | None]) -> None:
        super().__init__()
        self.version = check[1]
        hit = check if isinstance(check, WatchlistCheck) else None
        self.label = hit.label if hit else None
        self.instruction = hit.instruction if hit else None
        self.by_name = hit is not None and hit.match == "name"

    def compose(self) -> ComposeResult:
        what = (_("This name and date of birth match the national watchlist (list {version}).")
                if self.by_name else
                _("This document matches the national watchlist (list {version})."))
        with Vertical(id="hit-box"):
            yield Static(_("WATCHLIST HIT: {label}").format(label=self.label) if self.label
                         else _("WATCHLIST HIT"),
                         classes="title", markup=False)
            yield Static(
                what.format(version=self.version or _("unknown")) + "\n"
                + _("Instruction: {instruction}").format(instruction=self.instruction or _(
                    "follow the standing instruction for hits."))
                + "\n" + _("The list is a prompt to check: you decide."),
                markup=False, id="hit-instruction",
            )
            yield TickBox(_("I have seen this alert and checked the traveller"), compact=True,
                           id="hit-ack")
            yield Static(_("Decision:"))
            yield Choice([(_(text), j) for text, j in JUDGEMENTS],
                         blank=_("-- choose (Left/Right) --"), id="hit-decision")
            yield Static("", id="hit-msg")
            yield Static(_("Space: tick   Tab: next   Enter/F2: confirm"), classes="keys")

    def on_key(self, event: object) -> None:
        key = getattr(event, "key", "")
        if key == "enter":
            self.action_confirm()
            stop = getattr(event, "stop", None)
            if stop:
                stop()

    def action_refuse_escape(self) -> None:
        self.query_one("#hit-msg", Static).update(
            _("A watchlist hit cannot be skipped: tick the box and choose a decision.")
        )

    def action_confirm(self) -> None:
        ack = self.query_one("#hit-ack", Checkbox).value
        decision = self.query_one("#hit-decision", Choice).value
        if not ack or decision is None:
            self.query_one("#hit-msg", Static).update(
                _("Tick the acknowledgement (Space) and choose a decision (Left/Right) first.")
            )
            return
        self.dismiss(decision)

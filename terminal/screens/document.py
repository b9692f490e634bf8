"""The document as read: fields with their check status, corrections, expiry, age and MINOR,
chip status with the chip-vs-print alert, the chip photo, and the watchlist alert.

The texts are in `document_text`, the chip line in `document_chip`."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from drivers.base import DocumentRead
from records.codes import Decision, RefusalReason, WatchlistJudgement, WatchlistResult
from terminal.booking import (
    Case,
    Form,
    case_for_read,
)
from terminal.history_panel import HistoryPanel
from terminal.i18n import N_, _
from terminal.screens import document_chip, document_text
from terminal.screens.base import BoothScreen
from terminal.screens.document_text import (
    CHECK_ROWS,
    fields_table,
    judgement_label,
    read_by,
)
from terminal.watchlist_hits import report_hit
from terminal.widgets.chip_panel import chip_text
from terminal.widgets.face import face_widget
from terminal.widgets.keybar import KeyBar
from terminal.widgets.status_bar import StatusBar

__all__ = ["BANNER_SLOTS", "CHECK_ROWS", "DocumentScreen", "fields_table", "judgement_label",
           "read_by"]

BANNER_SLOTS = 7  # watchlist, chip, MRZ check, expired, minor, repeat scan, last time


class DocumentScreen(BoothScreen[None]):
    BINDINGS = [
        Binding("enter", "continue", N_("Continue")),
        Binding("f7", "indicators", N_("Indicators")),
        Binding("f4", "same", N_("Same as last time")),
        Binding("escape", "discard", N_("Discard")),
        # shown in the chip line when a chip read fails in a way the CAN may cure
        Binding("f6", "can", N_("Card access number (CAN)"), show=False),
    ]

    def __init__(
        self, read: DocumentRead, *, chip_pending: bool = False, case: Case | None = None
    ) -> None:
        super().__init__()
        self.read = read
        self.case: Case | None = case  # given: a draft kept over an idle sign-out
        self._pristine: Form | None = None  # the form as preselected: what counts as entered
        self.chip_pending = chip_pending  # the MRZ went to a chip reader: its read may follow
        self.chip_problem = ""  # a chip read that failed: what happened and what to do
        self.chip_progress = ""  # "DG2 8 of 17 KB" while a slow chip is read
        self._alert_due = True  # a watchlist hit shows its alert when the screen is shown

    def compose(self) -> ComposeResult:
        """A fixed skeleton (banner slots, fields, issues, chip, face): the booth mounts this
        screen once and `load()`s each read into it, so a read repaints a few Statics instead
        of composing and styling a dozen new widgets."""
        self._new_case()
        parts = self._parts()
        yield StatusBar()
        for i in range(BANNER_SLOTS):
            text, classes = parts["banners"][i] if i < len(parts["banners"]) else ("", "")
            slot = Static(text, classes=f"banner {classes}".strip(), id=f"banner-{i}")
            slot.display = bool(text)
            yield slot
        with Horizontal(id="doc-body"):
            with Vertical(id="doc-fields"):
                yield Static(parts["fields"], id="fields")
                issues = Static(parts["issues"], id="issues")
                issues.display = bool(parts["issues"].plain)
                yield issues
                yield Static(self._chip_text(), id="chip")
                yield HistoryPanel(id="history")  # the centre's answer (terminal/history_panel)
            if self.read.chip is not None:
                yield face_widget(self.read.chip.face_image, id="face")
        yield Static(parts["hint"], id="doc-hint")
        yield KeyBar()

    def _new_case(self) -> None:
        if self.case is not None and self._pristine is None:  # a restored draft
            self._pristine = dataclasses.replace(
                case_for_read(self.app.booth(), self.read, None).form)
            self._alert_due = self.case.watchlist[0] is WatchlistResult.HIT and \
                self.case.judgement is None
            return
        self.case = case_for_read(self.app.booth(), self.read, self.app.watchlist())
        report_hit(self.app, self.case)  # at once, before the officer decides
        self.app.crossers.propose(self.case)  # a frequent crosser: last time's category
        self.app.groups.join(self.case)  # the open group, and a minor's adult in it
        self._pristine = dataclasses.replace(self.case.form)
        self._alert_due = True

    def _parts(self) -> dict[str, Any]:
        return document_text.parts(self)

    async def load(self, read: DocumentRead, *, chip_pending: bool = False) -> None:
        """Show another traveller's read in this (mounted, not current) screen."""
        self.read = read
        self.chip_pending = chip_pending
        self.chip_problem = ""
        self.chip_progress = ""
        self.case = None
        self._pristine = None
        self._new_case()
        await self.query("#face").remove()
        if read.chip is not None:
            await self.query_one("#doc-body", Horizontal).mount(
                face_widget(read.chip.face_image, id="face")
            )
        parts = self._parts()
        self._fill_banners(parts["banners"])
        self.query_one("#fields", Static).update(parts["fields"])
        box = self.query_one("#issues", Static)
        box.update(parts["issues"])
        box.display = bool(parts["issues"].plain)
        self.query_one("#chip", Static).update(self._chip_text())
        self.query_one("#doc-hint", Static).update(parts["hint"])
        self._ask_history()

    def on_mount(self) -> None:
        self._ask_history()

    def _ask_history(self) -> None:
        self.query_one(HistoryPanel).look_up(
            self.case, lambda: self.case is not None and self.case.form == self._pristine,
            self._centre_proposed)

    def _centre_proposed(self) -> None:
        """The centre's answer brought a proposal: show it, F4 applies (not "entered")."""
        assert self.case is not None
        if self._pristine is not None:
            self._pristine = dataclasses.replace(
                self._pristine, traveller_category=self.case.form.traveller_category,
                purpose=self.case.form.purpose)
        self._fill_banners(self._banners(self.app.booth().clock().date()))
        self.refresh_bindings()

    def _fill_banners(self, banners: list[tuple[str, str]]) -> None:
        for i in range(BANNER_SLOTS):
            slot = self.query_one(f"#banner-{i}", Static)
            if i < len(banners):
                text, classes = banners[i]
                slot.update(text)
                slot.set_classes(f"banner {classes}")
                slot.display = True
            else:
                slot.display = False

    def _chip_text(self) -> Text:
        return chip_text(self.read, pending=self.chip_pending, problem=self.chip_problem,
                         progress=self.chip_progress)

    def show_chip_progress(self, file: str, done: int, total: int | None) -> None:
        """A slow chip is being read: how far (sizes only; no chip data)."""
        document_chip.show_chip_progress(self, file, done, total)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "can":  # only where a chip reader can take it (and in F1 help then)
            return bool(self.app.chip.readers())
        if action == "same":  # only for a document crossed before
            return self.case is not None and self.case.proposed is not None
        return True

    def action_can(self) -> None:
        """Type the ID card's card access number: the chip reader retries with it."""
        from terminal.screens.can_entry import CanEntryModal

        if not self.app.chip.readers():
            self.app.notify(_("No chip reader at this booth."), severity="warning")
            return
        self.app.push_screen(CanEntryModal(), callback=self._can_typed)

    def _can_typed(self, can: str | None) -> None:
        document_chip.can_typed(self, can)

    async def chip_arrived(self, chip_read: DocumentRead) -> None:
        """A chip read for this traveller: attached to the open document, or why it failed
        shown (terminal/screens/document_chip.py); saving is never blocked by the chip."""
        await document_chip.chip_arrived(self, chip_read)

    async def _show_banners(self) -> None:
        self._fill_banners(self._banners(self.app.booth().clock().date()))

    def _banners(self, today: date) -> list[tuple[str, str]]:
        return document_text.banners(self, today)

    def on_screen_resume(self) -> None:
        from terminal.screens.watchlist_alert import WatchlistAlertScreen

        for bar in self.query(StatusBar):  # mounted once and reused: never show old status
            bar.refresh()
        if self.case is None or not self._alert_due:
            return
        self._alert_due = False
        if self.case.watchlist[0] is WatchlistResult.HIT:
            self.app.push_screen(
                WatchlistAlertScreen(self.case.watchlist), callback=self._hit_decided
            )

    def _hit_decided(self, judgement: WatchlistJudgement | None) -> None:
        """The officer acknowledged the hit and judged it: preselect the decision, record the
        judgement (it goes into the crossing record, and now into the audit trail, so a hit
        leaves a trace even if the traveller leaves), and clear the banner for "not this
        person"."""
        from terminal.screens.watchlist_alert import DECISION_OF

        if self.case is None or judgement is None:
            return
        self.case.judgement = judgement
        self.case.decision_chosen = True  # chosen in the alert, knowing the banners
        form = self.case.form
        form.decision = DECISION_OF[judgement]
        if form.decision is Decision.REFUSED and form.refusal_reason is None:
            form.refusal_reason = RefusalReason.G_ENTRY_BAN
        self.app.audit("alert_decision", detail={
            "judgement": judgement.value, "watchlist_version": self.case.watchlist[1]})
        self._fill_banners(self._banners(self.app.booth().clock().date()))

    def action_continue(self) -> None:
        from terminal.screens.categorise import CategoriseScreen

        assert self.case is not None
        self.app.push_screen(CategoriseScreen(self.case))

    def action_indicators(self) -> None:
        from terminal.screens.indicators import open_indicators

        assert self.case is not None
        open_indicators(self, self.case)

    def action_same(self) -> None:
        """F4: save as last time (the categorisation form opens and saves at once; it stays
        open when something is missing)."""
        from terminal.screens.categorise import CategoriseScreen

        if self.case is None or self.case.proposed is None:
            return
        form = CategoriseScreen(self.case)
        self.app.push_screen(form)
        self.app.call_after_refresh(form.action_save)

    def entered(self) -> list[str]:
        """What the officer entered for this traveller (lost by a discard), in words."""
        return document_text.entered(self)

    def action_discard(self) -> None:
        from terminal.screens.confirm import ConfirmModal

        assert self.case is not None
        hit = self.case.watchlist[0] is WatchlistResult.HIT
        entered = self.entered()
        if not hit and not entered:
            self._discard(False)
            return
        if hit:
            question = _(
                "This traveller is a WATCHLIST HIT. Save the crossing instead: press N, then "
                "Enter.\nOnly if the traveller has left the booth: Y closes it without a "
                "crossing record; the alert and your decision stay recorded."
            )
        else:
            question = _("Discard this traveller? Lost: {what}.").format(what=", ".join(entered))
        self.app.push_screen(
            ConfirmModal(_("Discard this traveller?"), question, _("discard"), _("keep it")),
            callback=lambda yes: self._discard(hit) if yes else None,
        )

    def _discard(self, hit: bool) -> None:
        assert self.case is not None
        self.app.audit("discard", detail={
            "watchlist_hit": hit,
            "judgement": self.case.judgement.value if self.case.judgement else None,
            "indicators": len(self.case.form.tip_indicators),
        })
        note = (_("Closed: no crossing saved; the watchlist alert and decision are recorded.")
                if hit else _("Discarded: nothing was saved for that document."))
        self.app.back_to_scan(note)

"""The document as read: fields with their check status, corrections, expiry, age and MINOR,
chip status with the chip-vs-print alert, the chip photo, and the watchlist alert."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from drivers.base import DocumentRead, ReadFailure
from records.codes import Decision, RefusalReason, WatchlistJudgement, WatchlistResult
from records.rules import is_expired, partial_iso
from terminal.booking import (
    Case,
    Form,
    case_for_read,
    local_hhmm,
)
from terminal.chip_checks import (
    CLONE_BANNER,
    possible_clone,
)
from terminal.chip_status import DG1_MISMATCH, PASSED, chip_refers, chip_status
from terminal.crossers import proposal_banner
from terminal.history_panel import HistoryPanel
from terminal.i18n import N_, _
from terminal.labels import issue_text
from terminal.screens.base import BoothScreen
from terminal.watchlist_hits import report_hit
from terminal.widgets.chip_panel import CAN_KINDS, chip_text, merge_chip
from terminal.widgets.choice import Choice
from terminal.widgets.face import face_widget
from terminal.widgets.keybar import KeyBar
from terminal.widgets.status_bar import StatusBar

# MRZ check name -> the field row it belongs to
CHECK_ROWS = {
    "document_number": N_("Number"),
    "date_of_birth": N_("Born"),
    "date_of_expiry": N_("Expires"),
    "optional_data": N_("Optional"),
    "personal_number": N_("Optional"),
    "composite": N_("Composite"),
}


def _check_cell(ok: bool | None, corrected: list[Any]) -> Text:
    if ok is None:
        return Text("")
    if not ok:
        return Text(_("CHECK FAILED"), style="bold red")
    if corrected:
        fixes = ", ".join(f"{c.found}>{c.corrected}@{c.column}" for c in corrected)
        return Text(_("ok, CORRECTED {fixes}").format(fixes=fixes), style="bold yellow")
    return Text(_("ok"), style="green")


def fields_table(read: DocumentRead, today: date, age: int | None) -> Text:
    """Name, value and check status in three columns. Laid out as one Text (not a rich Table,
    which measures every cell on every paint: a third of the document screen's paint time)."""
    mrz = read.mrz
    assert mrz is not None
    checks: dict[str, bool] = dict(mrz.checks)
    corrections: dict[str, list[Any]] = {}
    for c in mrz.corrections:
        corrections.setdefault(CHECK_ROWS.get(c.field, c.field), []).append(c)
    rows: list[tuple[str, Text, Text]] = []

    def row(name: str, value: str | Text, check: str | None = None) -> None:
        ok = checks.get(check) if check else None
        cell = value if isinstance(value, Text) else Text(value)
        rows.append((name, cell, _check_cell(ok, corrections.get(name, []))))

    row(N_("Document"), _("{doc_type} {code}  issued by {state}").format(
        doc_type=mrz.doc_type, code=mrz.document_code, state=mrz.issuing_state))
    row(N_("Number"), mrz.document_number, "document_number")
    row(N_("Surname"), mrz.surname)
    row(N_("Given"), mrz.given_names)
    row(N_("Nationality"), mrz.nationality)
    born = partial_iso(mrz.date_of_birth) or _("unknown")
    row(N_("Born"), _("{born}   age {age}").format(born=born, age=age if age is not None else '?'),
        "date_of_birth")
    row(N_("Sex"), {"M": _("M male"), "F": _("F female")}.get(
        mrz.sex, _("{sex} unspecified").format(sex=mrz.sex)))
    expiry = partial_iso(mrz.date_of_expiry) or _("unknown")
    expired = is_expired(mrz, today)
    row(N_("Expires"), Text(_("{expiry}  EXPIRED").format(expiry=expiry), style="bold red")
        if expired else expiry,
        "date_of_expiry")
    for key in ("optional_data", "personal_number"):
        if key in checks:
            row(N_("Optional"), mrz.optional_data or "", key)
            break
    if "composite" in checks:
        row(N_("Composite"), "", "composite")
    width = max(v.cell_len for _, v, _ in rows)
    out = Text(no_wrap=True, overflow="ellipsis", end="")
    for i, (name, value, cell) in enumerate(rows):
        if i:
            out.append("\n")
        out.append(_(name)[:11].ljust(11), style="bold")
        out.append(" ")
        out.append_text(value)
        if cell.plain:
            out.append(" " * (width - value.cell_len + 1))
            out.append_text(cell)
    return out


def read_by(read: DocumentRead) -> str:
    if read.source == "manual":
        return _("Typed by hand.")
    if read.source == "chip":
        return _("Read from the chip.")
    return _("Read by the reader '{name}'.").format(name=read.reader_name)


def judgement_label(judgement: WatchlistJudgement | None) -> str:
    return {
        WatchlistJudgement.REFERRED: _("referred to second line"),
        WatchlistJudgement.REFUSED: _("refused"),
        WatchlistJudgement.NOT_THIS_PERSON: _("not this person"),
    }.get(judgement, _("not yet judged")) if judgement is not None else _("not yet judged")


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
        assert self.case is not None
        mrz = self.read.mrz
        assert mrz is not None
        today = self.app.booth().clock().date()
        issues = Text("\n".join(issue_text(e.field, e.message) for e in mrz.errors),
                      style="bold red")
        for warning in mrz.warnings:  # shown, never a failure (a non-ICAO code as printed)
            issues.append("\n" if issues.plain else "")
            issues.append(issue_text(warning.field, warning.message), style="bold yellow")
        return {
            "banners": self._banners(today),
            "fields": fields_table(self.read, today, self.case.age),
            "issues": issues,
            "hint": read_by(self.read) + "  " + _("Enter: categorise and save."),
        }

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
        if self.read.chip is not None or self.chip_problem:
            return
        if total:
            self.chip_progress = _("{file} {done} of {total} KB").format(
                file=file, done=done // 1024, total=max(1, total // 1024))
        else:
            self.chip_progress = _("{file} {done} KB").format(file=file, done=done // 1024)
        self.chip_pending = True
        self.query_one("#chip", Static).update(self._chip_text())

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
        if not can or not self.app.chip.hand_can(can):
            return
        self.chip_problem = ""
        self.chip_progress = ""
        self.chip_pending = True
        self.query_one("#chip", Static).update(self._chip_text())

    async def chip_arrived(self, chip_read: DocumentRead) -> None:
        """A chip read for this traveller (the chip reader got the keys from this MRZ): attach
        it to the open document, or show why it failed; saving is never blocked by the chip."""
        if self.case is None or self.read.mrz is None:
            return
        if not chip_read.ok or chip_read.chip is None:
            failure = chip_read.failure or ReadFailure("")
            if failure.kind == "no_keys" and self.chip_pending:
                return  # the card was there before the keys: the reader reads it again
            error = chip_read.error or _("the chip could not be read")
            self.chip_problem = f"{error}: {failure.hint}" if failure.hint else error
            if failure.kind in CAN_KINDS:
                self.chip_problem += ". " + _("An ID card? F6: type its card access number (CAN)")
            self.chip_pending = failure.resumable
            self.query_one("#chip", Static).update(self._chip_text())
            return
        self.chip_pending = False
        self.chip_problem = ""
        self.chip_progress = ""
        merged = merge_chip(self.read, chip_read)
        self.read = merged
        self.case.read = merged
        if chip_refers(merged):
            self.case.form.decision = Decision.REFERRED
            self._preselect_referred()
        self.query_one("#chip", Static).update(self._chip_text())
        await self._show_banners()
        chip = merged.chip
        assert chip is not None
        await self.query("#face").remove()
        await self.query_one("#doc-body", Horizontal).mount(
            face_widget(chip.face_image, id="face")
        )

    async def _show_banners(self) -> None:
        self._fill_banners(self._banners(self.app.booth().clock().date()))

    def _preselect_referred(self) -> None:
        """The officer may already be on the categorisation form: preselect there too."""
        from terminal.screens.categorise import CategoriseScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, CategoriseScreen) and screen.case is self.case:
                screen.query_one("#decision", Choice).value = Decision.REFERRED
        what = (_("POSSIBLE CLONED CHIP") if possible_clone(self.read)
                else _("CHIP DATA DIFFERS FROM THE PRINTED PAGE"))
        self.app.notify(_("{what}: decision set to REFERRED").format(what=what), severity="error")

    def _banners(self, today: date) -> list[tuple[str, str]]:
        assert self.case is not None and self.read.mrz is not None
        out = []
        judgement = self.case.judgement
        if self.case.watchlist[0] is WatchlistResult.HIT and judgement is None:
            out.append((_("WATCHLIST HIT: keep the document, follow the hit procedure"), "alert"))
        elif self.case.watchlist[0] is WatchlistResult.HIT and \
                judgement is not WatchlistJudgement.NOT_THIS_PERSON:
            out.append((_("WATCHLIST HIT checked: {judgement}").format(
                judgement=judgement_label(judgement)), "alert"))
        status = chip_status(self.read.chip)
        if status == DG1_MISMATCH:
            out.append((_("CHIP DATA DIFFERS FROM THE PRINTED PAGE: examine the document"),
                        "alert"))
        elif possible_clone(self.read) and status == PASSED:
            out.append((_(CLONE_BANNER), "alert"))
        elif self.read.chip is not None and status.failed:
            out.append((_("CHIP AUTHENTICATION FAILED: examine the document"), "alert"))
        if not self.read.mrz.valid:
            out.append((_("MRZ CHECK FAILED: compare every field with the printed page"), "warn"))
        if is_expired(self.read.mrz, today):
            out.append((_("DOCUMENT EXPIRED"), "alert"))
        if self.case.minor:
            out.append((_("MINOR  -  {age} years old").format(age=self.case.age), "minor"))
        if self.case.proposed is not None:
            out.append((proposal_banner(self.case), "warn"))
        repeat = self.app.repeat_of(self.read)
        if repeat is not None:
            out.append((_("SCANNED BEFORE at {time} (ref {ref}): same person? Esc, do not save "
                          "twice").format(time=local_hhmm(repeat.recorded_at),
                                          ref=repeat.record_id[-6:]), "warn"))
        return out

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
        out: list[str] = []
        if self.case is None:
            return out
        f, before = self.case.form, self._pristine
        if f.tip_indicators:
            out.append(_("{n} indicator(s) ticked").format(n=len(f.tip_indicators)))
        if f.tip_note or f.notes:
            out.append(_("a note"))
        if before is not None and dataclasses.replace(
            f, tip_indicators=(), tip_note=None, notes=None
        ) != dataclasses.replace(before, tip_indicators=(), tip_note=None, notes=None):
            out.append(_("changes to the form"))
        return out

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

"""What the document screen says: the field table with its check cells, who read the
document, the banners above it, and what the officer entered (lost by a discard)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text

from drivers.base import DocumentRead
from records.codes import WatchlistJudgement, WatchlistResult
from records.rules import is_expired, partial_iso
from terminal.booking import local_hhmm
from terminal.chip_checks import (
    CLONE_BANNER,
    possible_clone,
)
from terminal.chip_status import DG1_MISMATCH, PASSED, chip_status
from terminal.crossers import proposal_banner
from terminal.i18n import N_, _
from terminal.labels import issue_text

if TYPE_CHECKING:
    from terminal.screens.document import DocumentScreen

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


def banners(screen: DocumentScreen, today: date) -> list[tuple[str, str]]:
    assert screen.case is not None and screen.read.mrz is not None
    out = []
    judgement = screen.case.judgement
    if screen.case.watchlist[0] is WatchlistResult.HIT and judgement is None:
        out.append((_("WATCHLIST HIT: keep the document, follow the hit procedure"), "alert"))
    elif screen.case.watchlist[0] is WatchlistResult.HIT and \
            judgement is not WatchlistJudgement.NOT_THIS_PERSON:
        out.append((_("WATCHLIST HIT checked: {judgement}").format(
            judgement=judgement_label(judgement)), "alert"))
    status = chip_status(screen.read.chip)
    if status == DG1_MISMATCH:
        out.append((_("CHIP DATA DIFFERS FROM THE PRINTED PAGE: examine the document"),
                    "alert"))
    elif possible_clone(screen.read) and status == PASSED:
        out.append((_(CLONE_BANNER), "alert"))
    elif screen.read.chip is not None and status.failed:
        out.append((_("CHIP AUTHENTICATION FAILED: examine the document"), "alert"))
    if not screen.read.mrz.valid:
        out.append((_("MRZ CHECK FAILED: compare every field with the printed page"), "warn"))
    if is_expired(screen.read.mrz, today):
        out.append((_("DOCUMENT EXPIRED"), "alert"))
    if screen.case.minor:
        out.append((_("MINOR  -  {age} years old").format(age=screen.case.age), "minor"))
    if screen.case.proposed is not None:
        out.append((proposal_banner(screen.case), "warn"))
    repeat = screen.app.repeat_of(screen.read)
    if repeat is not None:
        out.append((_("SCANNED BEFORE at {time} (ref {ref}): same person? Esc, do not save "
                      "twice").format(time=local_hhmm(repeat.recorded_at),
                                      ref=repeat.record_id[-6:]), "warn"))
    return out


def parts(screen: DocumentScreen) -> dict[str, Any]:
    assert screen.case is not None
    mrz = screen.read.mrz
    assert mrz is not None
    today = screen.app.booth().clock().date()
    issues = Text("\n".join(issue_text(e.field, e.message) for e in mrz.errors),
                  style="bold red")
    for warning in mrz.warnings:  # shown, never a failure (a non-ICAO code as printed)
        issues.append("\n" if issues.plain else "")
        issues.append(issue_text(warning.field, warning.message), style="bold yellow")
    return {
        "banners": banners(screen, today),
        "fields": fields_table(screen.read, today, screen.case.age),
        "issues": issues,
        "hint": read_by(screen.read) + "  " + _("Enter: categorise and save."),
    }


def entered(screen: DocumentScreen) -> list[str]:
    """What the officer entered for this traveller (lost by a discard), in words."""
    out: list[str] = []
    if screen.case is None:
        return out
    f, before = screen.case.form, screen._pristine
    if f.tip_indicators:
        out.append(_("{n} indicator(s) ticked").format(n=len(f.tip_indicators)))
    if f.tip_note or f.notes:
        out.append(_("a note"))
    if before is not None and dataclasses.replace(
        f, tip_indicators=(), tip_note=None, notes=None
    ) != dataclasses.replace(before, tip_indicators=(), tip_note=None, notes=None):
        out.append(_("changes to the form"))
    return out

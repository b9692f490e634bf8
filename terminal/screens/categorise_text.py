"""What the categorisation screen says about a case: its heading, the indicators line, and
labels telling apart the adults a minor may be linked to."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from records.record import CrossingRecord
from terminal.booking import Case, local_hhmm
from terminal.i18n import _
from terminal.labels import SEX_SHORT, doc_tail, initials, label, tip_label


def adult_label(record: CrossingRecord) -> str:
    """Enough to tell two adults apart: time, direction, initials, document's last digits."""
    who = initials(record.surname, record.given_names) or "?"
    return (
        f"{local_hhmm(record.recorded_at)} {record.direction.value} {who} "
        f"{doc_tail(record.document_number)} {record.nationality or '?'} "
        f"{SEX_SHORT.get(record.sex, '?')}{record.age_band or '?'}"
    )


def adults_for(records: list[CrossingRecord], direction: Any) -> list[tuple[str, str]]:
    """The adults a minor may be linked to: saved this shift, going the same way."""
    return [(adult_label(r), r.record_id) for r in records
            if not r.minor and r.direction == direction and r.void is None]


def case_heading(case: Case) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    for alert in case.alerts:  # repeated here: the decision must be made knowing it
        text.append(f"{alert}", style="bold reverse red")
        text.append(" ")
    if case.proposed is not None:  # marked (first: always visible): confirm it, or change it
        text.append(_("PROPOSED as last time"), style="bold reverse yellow")
        text.append(" ")
    if case.group_id is not None:
        text.append(_("GROUP {code}").format(code=case.group_id[-4:]), style="bold reverse cyan")
        text.append(" ")
    if case.original is not None:
        text.append(_("CORRECTION of .."), style="bold yellow")
        text.append(case.original.record_id[-6:] + "  ", style="bold yellow")
    if case.read is not None and case.read.mrz is not None:
        m = case.read.mrz
        text.append(f"{m.document_code} {m.issuing_state}  {m.surname}, {m.given_names}  ")
    elif case.original is not None:
        o = case.original
        text.append(f"{initials(o.surname, o.given_names) or '?'} "
                    f"{doc_tail(o.document_number)}  ")
    else:
        text.append(_("NO DOCUMENT") + "  ", style="bold yellow")
    text.append(_("nat {nat}  age {age}").format(
        nat=case.nationality or '?', age=case.age if case.age is not None else '?'))
    if case.minor:
        text.append("  " + _("MINOR"), style="bold reverse red")
    return text


def indicator_text(case: Case) -> Text:
    f = case.form
    if not f.tip_indicators and not f.tip_note:
        if case.minor and not f.accompanying_adult_ref:
            return Text(_("MINOR with no adult linked: link the adult, or flag indicators (F7)"),
                        style="bold yellow")
        return Text(_("Indicators: none flagged (F7 to flag)"), style="dim")
    names = "; ".join(tip_label(i) for i in f.tip_indicators)
    text = Text(_("{n} flagged: {names}").format(n=len(f.tip_indicators), names=names),
                style="bold yellow")
    text.append("  " + _("referral: {referral}").format(referral=label(f.tip_referral)))
    return text

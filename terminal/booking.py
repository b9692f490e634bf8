"""From a document read and the officer's form to a CrossingRecord. No textual import.

Pure functions, so the rules (defaults, capture method, chip status, amendments) are tested
without a screen. Dates come from an injected clock so tests and snapshots are deterministic.

The form and its defaults are in `booking_form`, the record builders in `booking_records`; this
module holds the `Case` being processed and re-exports every name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from records.codes import (
    Decision,
    Purpose,
    TravellerCategory,
    VoidReason,
    WatchlistJudgement,
    WatchlistResult,
)
from records.record import CrossingRecord
from records.rules import (
    is_expired,
    mrz_age,
    partial_iso,
)
from terminal.booking_form import (
    Booth,
    Clock,
    Form,
    Problem,
    WatchlistLike,
    capture_method,
    check_watchlist,
    default_form,
    local_hhmm,
)
from terminal.booking_records import (
    PersonWithoutDocument,
    amendment,
    form_from_record,
    record_from_read,
    record_without_document,
)
from terminal.chip_status import chip_refers
from terminal.i18n import _
from terminal.photo import DEFAULT_RECORD_LIMIT, PhotoStep, with_faces

if TYPE_CHECKING:
    from drivers.base import DocumentRead

__all__ = [
    "Booth",
    "Case",
    "Clock",
    "Form",
    "PersonWithoutDocument",
    "Problem",
    "WatchlistLike",
    "amendment",
    "capture_method",
    "case_for_read",
    "check_watchlist",
    "default_form",
    "form_from_record",
    "local_hhmm",
    "record_from_read",
    "record_without_document",
]


@dataclass(slots=True)
class Case:
    """One traveller being processed: what was read (or not), and the officer's form."""

    form: Form
    read: DocumentRead | None = None
    person: PersonWithoutDocument | None = None
    original: CrossingRecord | None = None  # set when correcting a saved record
    watchlist: tuple[WatchlistResult, str | None] = (WatchlistResult.NOT_CHECKED, None)
    age: int | None = None
    nationality: str | None = None
    amend_reason: str = ""
    judgement: WatchlistJudgement | None = None  # a hit, acknowledged and judged
    void: VoidReason | None = None  # a correction that cancels the crossing
    alerts: tuple[str, ...] = ()  # "EXPIRED", "CHECK FAILED": the decision is not preselected
    decision_chosen: bool = True  # False until the officer picks one (when there are alerts)
    record_id: str | None = None  # a hit's: reserved at the read, named by the hit event
    # proposed from the document's last crossing (terminal/crossers.py), and when that was
    proposed: tuple[TravellerCategory, Purpose | None] | None = None
    proposed_at: str | None = None
    group_id: str | None = None  # the booth's open group it joined (terminal/groups.py)
    photo: PhotoStep | None = None  # the photo step, once answered (terminal/photo.py)
    record_limit: int = DEFAULT_RECORD_LIMIT  # [outbox] max_record_bytes: bounds the photos

    @property
    def minor(self) -> bool:
        return self.age is not None and self.age < 18

    def problems(self) -> list[Problem]:
        out = self.form.problems(minor=self.minor)
        if self.alerts and not self.decision_chosen:
            # TRANSLATORS: {alerts} is "EXPIRED", or "EXPIRED and CHECK FAILED"
            out.insert(0, Problem("decision", _("the document is {alerts}: choose the decision")
                                  .format(alerts=_(" and ").join(self.alerts))))
        if self.original is not None and not self.amend_reason.strip():
            out.append(Problem("amend_reason", _("say why the record is corrected")))
        return out

    def build(self, booth: Booth) -> CrossingRecord:
        if self.proposed is not None:  # confirmed as proposed, or chosen otherwise
            f = self.form
            f.category_proposed = (f.traveller_category, f.purpose) == self.proposed
        if self.original is not None:
            return amendment(booth, self.original, self.form, self.amend_reason, void=self.void)
        if self.read is not None:
            record = record_from_read(booth, self.read, self.form, watchlist=self.watchlist,
                                      judgement=self.judgement, record_id=self.record_id)
        else:
            record = record_without_document(booth, self.person or PersonWithoutDocument(),
                                             self.form)
        return with_faces(record, self, self.record_limit)


def case_for_read(
    booth: Booth, read: DocumentRead, watchlist: WatchlistLike | None = None
) -> Case:
    mrz = read.mrz
    if mrz is None:
        raise ValueError("a read without an MRZ cannot make a case")
    today = booth.clock().date()
    age = mrz_age(mrz, today)
    result = check_watchlist(
        watchlist, mrz.document_number, mrz.nationality, partial_iso(mrz.date_of_birth),
        issuing_state=mrz.issuing_state or None, surname=mrz.surname or None,
        given_names=mrz.given_names or None,
    )
    form = default_form(booth, nationality=mrz.nationality, age=age)
    if result[0] is WatchlistResult.HIT or chip_refers(read):
        form.decision = Decision.REFERRED
    alerts = tuple(name for name, on in ((_("EXPIRED"), is_expired(mrz, today)),
                                         (_("CHECK FAILED"), not mrz.valid)) if on)
    hit = result.result is WatchlistResult.HIT
    return Case(form=form, read=read, watchlist=result, age=age, nationality=mrz.nationality,
                alerts=alerts, decision_chosen=not alerts,
                record_id=booth.new_id() if hit else None)

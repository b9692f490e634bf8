"""CrossingRecords from a form: from a document read, for a person without a document, and
as an amendment of a saved record (and back to a form). No textual import.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from records.clock import iso_z
from records.codes import (
    MRZ_SEX,
    CaptureMethod,
    Decision,
    DocumentType,
    Sex,
    VoidReason,
    WatchlistJudgement,
    WatchlistResult,
)
from records.record import CrossingRecord, age_on
from records.rules import (
    document_type,
    partial_iso,
)
from terminal.booking_form import (
    Booth,
    Form,
    capture_method,
)
from terminal.chip_checks import record_fields
from terminal.chip_status import read_chip_status

if TYPE_CHECKING:
    from drivers.base import DocumentRead


def _common(booth: Booth, form: Form, capture: CaptureMethod,
            record_id: str | None = None) -> dict[str, Any]:
    return dict(
        record_id=record_id or booth.new_id(),
        recorded_at=iso_z(booth.clock()),
        terminal_id=booth.terminal_id,
        border_post=booth.border_post,
        officer_id=booth.officer_id,
        software_version=booth.software_version,
        capture_method=capture,
        direction=form.direction,
        country_of_residence=form.country_of_residence,
        traveller_category=form.traveller_category,
        purpose=form.purpose,
        intended_stay_days=form.intended_stay_days,
        transport_mode=form.transport_mode,
        transport_role=form.transport_role,
        group_id=form.group_id,
        accompanying_adult_ref=form.accompanying_adult_ref,
        relationship_to_adult=form.relationship_to_adult,
        consent_letter_seen=form.consent_letter_seen,
        minor_travel=form.minor_travel,
        category_proposed=form.category_proposed,
        decision=form.decision,
        refusal_reason=form.refusal_reason if form.decision is Decision.REFUSED else None,
        tip_indicators=tuple(form.tip_indicators),
        tip_note=form.tip_note or None,
        tip_referral=form.tip_referral,
        notes=form.notes or None,
    )


def record_from_read(
    booth: Booth,
    read: DocumentRead,
    form: Form,
    *,
    watchlist: tuple[WatchlistResult, str | None] = (WatchlistResult.NOT_CHECKED, None),
    judgement: WatchlistJudgement | None = None,
    record_id: str | None = None,
) -> CrossingRecord:
    """The record for a document that was read (reader, camera, chip or typed MRZ); for a
    watchlist hit, `judgement` is the officer's, given after acknowledging the alert, and
    `record_id` the id the hit event already named."""
    mrz = read.mrz
    if mrz is None:
        raise ValueError("a read without an MRZ cannot make a record")
    return CrossingRecord(
        **_common(booth, form, capture_method(read), record_id),
        document_type=document_type(mrz.document_code),
        document_code=mrz.document_code or None,
        document_number=mrz.document_number or None,
        issuing_state=mrz.issuing_state or None,
        date_of_expiry=partial_iso(mrz.date_of_expiry),
        mrz_valid=bool(mrz.valid),
        mrz_corrections=len(mrz.corrections),
        chip_status=read_chip_status(read).wire,
        surname=mrz.surname or None,
        given_names=mrz.given_names or None,
        nationality=mrz.nationality or None,
        sex=MRZ_SEX.get(mrz.sex, Sex.UNKNOWN),
        date_of_birth=partial_iso(mrz.date_of_birth),
        watchlist_result=watchlist[0],
        watchlist_version=watchlist[1],
        watchlist_acknowledged=True if judgement is not None else None,
        watchlist_judgement=judgement,
        mrz_nonstandard=tuple(mrz.nonstandard_codes),
        **record_fields(read),
    ).with_derived()


@dataclass(slots=True)
class PersonWithoutDocument:
    """A person in an irregular situation: counted, never turned away by the software."""

    sex: Sex = Sex.UNKNOWN
    birth_year: int | None = None
    approx_age: int | None = None
    nationality: str | None = None  # claimed, alpha-3 or XXX
    notes: str | None = field(default=None, repr=False)
    stated_name: str | None = field(default=None, repr=False)  # as the person says it


def record_without_document(
    booth: Booth, person: PersonWithoutDocument, form: Form
) -> CrossingRecord:
    today = booth.clock().date()
    estimated = person.birth_year is None
    age = person.approx_age
    dob = None
    if person.birth_year is not None:
        dob = f"{person.birth_year:04d}"
        age = age_on(dob, today)
    common = _common(booth, form, CaptureMethod.NO_DOCUMENT)
    if person.notes:
        common["notes"] = "\n".join(x for x in (form.notes, person.notes) if x)
    return CrossingRecord(
        **common,
        document_type=DocumentType.NONE,
        sex=person.sex,
        nationality=person.nationality or "XXX",
        date_of_birth=dob,
        age_estimated=estimated and age is not None,
        age_at_crossing=age,
        stated_name=person.stated_name or None,
    ).with_derived()


def amendment(
    booth: Booth, original: CrossingRecord, form: Form, reason: str,
    *, void: VoidReason | None = None,
) -> CrossingRecord:
    """A new record that replaces `original` (which is never edited): same person and document,
    the corrected categorisation, `amends` = the original's id. With `void` it cancels the
    crossing instead (a duplicate or a mistake): the statistics then count it nowhere."""
    common = _common(booth, form, original.capture_method)
    common["software_version"] = booth.software_version
    fresh = CrossingRecord(**common)
    carried = {
        f.name: getattr(original, f.name)
        for f in dataclasses.fields(CrossingRecord)
        if f.name
        in {
            "document_type", "document_code", "document_number", "issuing_state",
            "date_of_expiry", "mrz_valid", "mrz_corrections", "chip_status", "surname",
            "given_names", "nationality", "sex", "date_of_birth", "age_estimated",
            "watchlist_result", "watchlist_version", "recorded_at", "clock_synced",
            "watchlist_acknowledged", "watchlist_judgement", "stated_name",
        }
    }
    if original.age_estimated:
        carried["age_at_crossing"] = original.age_at_crossing
    if original.category_proposed and (form.traveller_category, form.purpose) != (
            original.traveller_category, original.purpose):
        carried["category_proposed"] = False  # corrected: no longer as proposed
    return dataclasses.replace(
        fresh,
        **carried,
        # the crossing happened when the original says (its statistics day and the age); when
        # the correction was made is in the new record_id (UUIDv7) and monotonic_ns
        amends=original.record_id,
        amend_reason=reason.strip() or None,
        void=void,
    ).with_derived()


def form_from_record(record: CrossingRecord) -> Form:
    """The form as it was filled for a saved record (start of a correction)."""
    return Form(
        direction=record.direction,
        traveller_category=record.traveller_category,
        purpose=record.purpose,
        intended_stay_days=record.intended_stay_days,
        transport_mode=record.transport_mode,
        transport_role=record.transport_role,
        country_of_residence=record.country_of_residence,
        decision=record.decision,
        refusal_reason=record.refusal_reason,
        accompanying_adult_ref=record.accompanying_adult_ref,
        group_id=record.group_id,
        relationship_to_adult=record.relationship_to_adult,
        consent_letter_seen=record.consent_letter_seen,
        minor_travel=record.minor_travel,
        category_proposed=record.category_proposed,
        tip_indicators=record.tip_indicators,
        tip_note=record.tip_note,
        tip_referral=record.tip_referral,
        notes=record.notes,
    )

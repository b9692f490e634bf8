"""From a document read and the officer's form to a CrossingRecord. No textual import.

Pure functions, so the rules (defaults, capture method, chip status, amendments) are tested
without a screen. Dates come from an injected clock so tests and snapshots are deterministic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ocr.country_codes import is_known_code
from records.clock import iso_z, parse_iso, utc_now
from records.codes import (
    MRZ_SEX,
    CaptureMethod,
    Decision,
    Direction,
    DocumentType,
    MinorTravel,
    Purpose,
    RefusalReason,
    Relationship,
    Sex,
    TipIndicator,
    TipReferral,
    TransportMode,
    TransportRole,
    TravellerCategory,
    VoidReason,
    WatchlistJudgement,
    WatchlistResult,
)
from records.record import CrossingRecord, age_on, new_record_id
from records.rules import (
    PURPOSE_REQUIRED,
    default_purpose,
    document_type,
    is_expired,
    mrz_age,
    partial_iso,
)
from terminal.chip_checks import record_fields
from terminal.chip_status import PASSED, chip_refers, read_chip_status
from terminal.i18n import _
from terminal.photo import DEFAULT_RECORD_LIMIT, PhotoStep, with_faces

if TYPE_CHECKING:
    from drivers.base import DocumentRead
    from messaging.watchlist import WatchlistCheck

Clock = Callable[[], datetime]



def local_hhmm(recorded_at: str) -> str:
    """HH:MM in the booth's local time zone (records are UTC; officers read local time)."""
    try:
        moment = parse_iso(recorded_at)
    except ValueError:
        return "--:--"
    return moment.astimezone().strftime("%H:%M")


@runtime_checkable
class WatchlistLike(Protocol):
    """messaging.watchlist.Watchlist, or a test's list (`version` None: no list loaded)."""

    @property
    def version(self) -> str | None: ...

    def check(
        self, document_number: str | None, nationality: str | None, date_of_birth: str | None
    ) -> WatchlistResult: ...


@dataclass(frozen=True, slots=True)
class Booth:
    """Who and where: fixed for a signed-in shift."""

    terminal_id: str
    border_post: str
    officer_id: str
    default_direction: Direction = Direction.ENTRY
    home_country: str = "LSO"
    software_version: str = ""
    clock: Clock = utc_now
    new_id: Callable[[], str] = new_record_id


@dataclass(frozen=True, slots=True)
class Problem:
    """What must be fixed before saving: `field` names the Form (or Case) field, `text` says it
    in the officer's words."""

    field: str
    text: str


@dataclass(slots=True)
class Form:
    """What the officer decides on the categorisation and indicator screens."""

    direction: Direction = Direction.ENTRY
    traveller_category: TravellerCategory | None = None
    purpose: Purpose | None = None
    intended_stay_days: int | None = None
    transport_mode: TransportMode | None = TransportMode.PEDESTRIAN
    transport_role: TransportRole | None = None
    country_of_residence: str | None = None
    decision: Decision = Decision.ADMITTED
    refusal_reason: RefusalReason | None = None
    accompanying_adult_ref: str | None = None
    group_id: str | None = None
    relationship_to_adult: Relationship | None = None
    consent_letter_seen: bool | None = None
    minor_travel: MinorTravel | None = None  # a minor with no adult linked: how they travel
    category_proposed: bool | None = None  # from the document's last crossing, confirmed
    tip_indicators: tuple[TipIndicator, ...] = ()
    tip_note: str | None = None
    tip_referral: TipReferral = TipReferral.NONE
    notes: str | None = None

    def needs_minor_travel(self, *, minor: bool) -> bool:
        """A minor with no adult linked and in no group: the officer must say how they
        travel before saving (terminal/screens/minor_alone.py)."""
        return minor and not self.accompanying_adult_ref and not self.group_id \
            and self.minor_travel is None

    def problems(self, *, minor: bool) -> list[Problem]:
        """What must be fixed before saving, in screen order (empty: ready)."""
        out: list[Problem] = []
        if self.traveller_category is None:
            out.append(Problem("traveller_category", _("choose a traveller category")))
        if self.decision is Decision.REFUSED and self.refusal_reason is None:
            out.append(Problem("refusal_reason", _("a refusal needs a reason")))
        if self.accompanying_adult_ref and self.relationship_to_adult is None:
            out.append(Problem("relationship_to_adult",
                               _("say how the minor is related to the adult")))
        if self.traveller_category in PURPOSE_REQUIRED and self.purpose is None:
            out.append(Problem("purpose", _("choose the purpose of the visit")))
        if self.intended_stay_days is not None and not 0 <= self.intended_stay_days <= 36500:
            out.append(Problem("intended_stay_days", _("intended stay is a number of days")))
        return out


def capture_method(read: DocumentRead) -> CaptureMethod:
    if read.source == "manual":
        return CaptureMethod.MANUAL
    if read.chip is not None and read_chip_status(read) == PASSED:
        return CaptureMethod.CHIP_VERIFIED
    if read.source == "camera":
        return CaptureMethod.MRZ_CAMERA
    return CaptureMethod.MRZ_READER


def default_form(
    booth: Booth,
    *,
    nationality: str | None,
    age: int | None,
    direction: Direction | None = None,
) -> Form:
    """Preselections: a citizen of the home country is CITIZEN, resident at home and (entering)
    returning; anyone else is a VISITOR resident in their country of nationality, purpose left
    for the officer to ask (a silent default would bias the statistics)."""
    d = direction or booth.default_direction
    form = Form(direction=d)
    if nationality == booth.home_country:
        form.traveller_category = TravellerCategory.CITIZEN
        form.country_of_residence = booth.home_country
        form.purpose = default_purpose(form.traveller_category, d)
    else:
        form.traveller_category = TravellerCategory.VISITOR
        # a non-ICAO nationality as printed (`132`) is no country of residence: ask
        known = nationality is not None and len(nationality) == 3 and is_known_code(nationality)
        form.country_of_residence = nationality if known else None
    if age is not None and age < 18:
        form.transport_role = TransportRole.PASSENGER
    return form


def check_watchlist(
    watchlist: WatchlistLike | None,
    document_number: str | None,
    nationality: str | None,
    date_of_birth: str | None,
    *,
    issuing_state: str | None = None,
    surname: str | None = None,
    given_names: str | None = None,
) -> WatchlistCheck:
    """messaging.watchlist.check_watchlist: (result, version), and on a hit the category and
    the officer's instruction. A broken list gives NOT_CHECKED, never a crash."""
    from messaging.watchlist import check_watchlist as check  # nacl: loaded on first read

    return check(watchlist, document_number, nationality, date_of_birth,
                 issuing_state=issuing_state, surname=surname, given_names=given_names)


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

"""The crossing record: one frozen dataclass, the payload every later stage publishes.

The JSON form is versioned by `records/schema/crossing-v1.json` (built from this module and the
code lists by `records.schema.build_schema`; a test keeps the two equal). A saved record is never
edited: a correction is a new record whose `amends` holds the corrected record's id.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import uuid6

from records.clock import utc_now_iso
from records.codes import (
    CaptureMethod,
    ChipCheck,
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
    age_band,
    stay_band,
)

SCHEMA_VERSION = 1
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def new_record_id() -> str:
    """A UUIDv7: unique without coordination, and sortable by creation time."""
    return str(uuid6.uuid7())


def boot_id() -> str:
    """The kernel's boot id: with monotonic_ns it orders records made before the clock synced."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return "unknown"


def age_on(date_of_birth: str | None, on: date) -> int | None:
    """Whole years from a (possibly partial) ISO date of birth to `on`.

    Unknown parts count as the middle of the period (month 7, day 15) so a year-only birth date
    is off by at most six months either way.
    """
    if not date_of_birth:
        return None
    m = PARTIAL_DATE.match(date_of_birth)
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else 7
    day = int(m.group(3)) if m.group(3) else 15
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    age = on.year - year - ((on.month, on.day) < (month, day))
    return age if age >= 0 else None


@dataclass(frozen=True, slots=True)
class CrossingRecord:
    """One person crossing one border post in one direction.

    Personal fields use repr=False so a record that reaches a log or traceback shows no names,
    numbers or birth dates.
    """

    terminal_id: str
    border_post: str
    officer_id: str
    direction: Direction
    capture_method: CaptureMethod
    record_id: str = field(default_factory=new_record_id)
    schema_version: int = SCHEMA_VERSION
    recorded_at: str = field(default_factory=utc_now_iso)
    clock_synced: bool = False
    boot_id: str = field(default_factory=boot_id)
    monotonic_ns: int = field(default_factory=time.monotonic_ns)
    software_version: str = ""
    # document (all None for NO_DOCUMENT)
    document_type: DocumentType = DocumentType.NONE
    document_code: str | None = None
    document_number: str | None = field(default=None, repr=False)
    issuing_state: str | None = None
    date_of_expiry: str | None = field(default=None, repr=False)
    mrz_valid: bool | None = None
    mrz_corrections: int = 0
    chip_status: str | None = None  # e.g. "PASSED", "FAILED:<step>", "NOT_READ"
    # person
    surname: str | None = field(default=None, repr=False)
    given_names: str | None = field(default=None, repr=False)
    nationality: str | None = None
    sex: Sex = Sex.UNKNOWN
    date_of_birth: str | None = field(default=None, repr=False)
    age_estimated: bool = False
    age_at_crossing: int | None = None
    age_band: str | None = None
    minor: bool | None = None
    country_of_residence: str | None = None
    # categorisation
    traveller_category: TravellerCategory | None = None
    purpose: Purpose | None = None
    intended_stay_days: int | None = None
    stay_band: str | None = None
    transport_mode: TransportMode | None = None
    transport_role: TransportRole | None = None
    group_id: str | None = None
    accompanying_adult_ref: str | None = None
    relationship_to_adult: Relationship | None = None
    consent_letter_seen: bool | None = None
    decision: Decision = Decision.ADMITTED
    refusal_reason: RefusalReason | None = None
    # trafficking and smuggling: officer's flags, never a score
    tip_indicators: tuple[TipIndicator, ...] = ()
    tip_note: str | None = field(default=None, repr=False)
    tip_referral: TipReferral = TipReferral.NONE
    watchlist_result: WatchlistResult = WatchlistResult.NOT_CHECKED
    watchlist_version: str | None = None
    notes: str | None = field(default=None, repr=False)
    amends: str | None = None
    amend_reason: str | None = field(default=None, repr=False)
    # optional (added after v1 shipped: a record without them is still valid)
    watchlist_acknowledged: bool | None = None  # the officer ticked "I have seen this alert"
    watchlist_judgement: WatchlistJudgement | None = None
    void: VoidReason | None = None  # an amendment that cancels the crossing it amends
    chip_authentication: ChipCheck | None = None  # None: no chip read
    active_authentication: ChipCheck | None = None
    chip_clone_suspected: bool | None = None  # PA passed but CA or AA failed
    mrz_nonstandard: tuple[str, ...] = ()  # MRZ fields printed with a non-ICAO code, as printed
    minor_travel: MinorTravel | None = None  # a minor with no adult linked here: how
    category_proposed: bool | None = None  # True: category and purpose proposed, confirmed
    # faces (issue 21 item 4): sealed with the personal fields, never in the statistics
    stated_name: str | None = field(default=None, repr=False)  # no document: as the person says
    photo_consent: bool | None = None  # True agreed, False refused, None not asked
    photo_jpeg: str | None = field(default=None, repr=False)  # base64 JPEG from the booth camera
    document_face_jpeg: str | None = field(default=None, repr=False)  # the chip's DG2, as JPEG

    def with_derived(self) -> CrossingRecord:
        """Fill age_at_crossing, age_band, minor and stay_band from the primary fields."""
        on = datetime.fromisoformat(self.recorded_at.replace("Z", "+00:00")).date()
        age = self.age_at_crossing
        if self.date_of_birth and not self.age_estimated:
            age = age_on(self.date_of_birth, on)
        band = stay_band(self.intended_stay_days)
        return dataclasses.replace(
            self,
            age_at_crossing=age,
            age_band=age_band(age),
            minor=None if age is None else age < 18,
            stay_band=band.value if band else None,
        )

    def to_dict(self) -> dict[str, Any]:
        """The wire form: plain JSON types, enums as their values, every key present."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = [_plain(v) for v in value]
            out[f.name] = _plain(value)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CrossingRecord:
        """Inverse of to_dict. Validate with records.schema first: this does not."""
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            conv = _CONVERTERS.get(f.name)
            if conv is not None and value is not None:
                value = conv(value)
            kwargs[f.name] = value
        return cls(**kwargs)


def _plain(value: Any) -> Any:
    if isinstance(value, Sex):
        return int(value)
    if isinstance(value, str):  # StrEnum values are str
        return str(value)
    return value


_CONVERTERS: dict[str, Any] = {
    "direction": Direction,
    "capture_method": CaptureMethod,
    "document_type": DocumentType,
    "sex": Sex,
    "traveller_category": TravellerCategory,
    "purpose": Purpose,
    "transport_mode": TransportMode,
    "transport_role": TransportRole,
    "relationship_to_adult": Relationship,
    "decision": Decision,
    "refusal_reason": RefusalReason,
    "tip_indicators": lambda v: tuple(TipIndicator(x) for x in v),
    "tip_referral": TipReferral,
    "watchlist_result": WatchlistResult,
    "watchlist_judgement": WatchlistJudgement,
    "void": VoidReason,
    "chip_authentication": ChipCheck,
    "active_authentication": ChipCheck,
    "mrz_nonstandard": tuple,
    "minor_travel": MinorTravel,
}

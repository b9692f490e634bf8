"""Every code list of the crossing record, in one place. Standard library only.

Values are the wire format (JSON Schema enums are generated from these), so never rename a
member's value: add a new one and bump the schema version instead.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Direction(StrEnum):
    ENTRY = "ENTRY"
    EXIT = "EXIT"


class CaptureMethod(StrEnum):
    CHIP_VERIFIED = "CHIP_VERIFIED"
    MRZ_READER = "MRZ_READER"
    MRZ_CAMERA = "MRZ_CAMERA"
    MANUAL = "MANUAL"
    NO_DOCUMENT = "NO_DOCUMENT"


class DocumentType(StrEnum):
    """ICAO document families plus the booth's own cases."""

    PASSPORT = "P"
    ID_CARD = "I"
    CREW = "A"
    CREW_OR_OTHER = "C"
    VISA = "V"
    NATIONAL_ID = "NATIONAL_ID"
    EMERGENCY_TRAVEL = "EMERGENCY_TRAVEL"
    NONE = "NONE"


class Sex(IntEnum):
    """ISO/IEC 5218."""

    UNKNOWN = 0
    MALE = 1
    FEMALE = 2
    NOT_APPLICABLE = 9


MRZ_SEX = {"M": Sex.MALE, "F": Sex.FEMALE, "X": Sex.UNKNOWN, "<": Sex.UNKNOWN}


class TravellerCategory(StrEnum):
    CITIZEN = "CITIZEN"
    RESIDENT = "RESIDENT"
    VISITOR = "VISITOR"
    TRANSIT = "TRANSIT"
    CROSS_BORDER_WORKER = "CROSS_BORDER_WORKER"
    MINEWORKER = "MINEWORKER"
    STUDENT = "STUDENT"
    TRADER = "TRADER"
    DRIVER_CREW = "DRIVER_CREW"
    DIPLOMAT = "DIPLOMAT"
    ASYLUM_SEEKER_REFUGEE = "ASYLUM_SEEKER_REFUGEE"
    DEPORTEE_RETURNED = "DEPORTEE_RETURNED"


class Purpose(StrEnum):
    """UN tourism statistics purposes plus migration purposes."""

    HOLIDAY = "HOLIDAY"
    VISITING_FRIENDS_RELATIVES = "VISITING_FRIENDS_RELATIVES"
    EDUCATION = "EDUCATION"
    HEALTH = "HEALTH"
    RELIGION = "RELIGION"
    SHOPPING = "SHOPPING"
    TRANSIT = "TRANSIT"
    BUSINESS = "BUSINESS"
    EMPLOYMENT = "EMPLOYMENT"
    SETTLEMENT = "SETTLEMENT"
    RETURNING_RESIDENT = "RETURNING_RESIDENT"
    OTHER = "OTHER"


class StayBand(StrEnum):
    """UN bands of intended stay."""

    UNDER_3_MONTHS = "UNDER_3_MONTHS"
    MONTHS_3_TO_12 = "MONTHS_3_TO_12"
    MONTHS_12_PLUS = "MONTHS_12_PLUS"


class TransportMode(StrEnum):
    PEDESTRIAN = "PEDESTRIAN"
    PRIVATE_CAR = "PRIVATE_CAR"
    MINIBUS_TAXI = "MINIBUS_TAXI"
    BUS = "BUS"
    TRUCK = "TRUCK"
    AIR = "AIR"
    OTHER = "OTHER"


class TransportRole(StrEnum):
    DRIVER = "DRIVER"
    PASSENGER = "PASSENGER"
    CREW = "CREW"


class Decision(StrEnum):
    ADMITTED = "ADMITTED"
    REFUSED = "REFUSED"
    REFERRED = "REFERRED"


class RefusalReason(StrEnum):
    """Refusal reasons after the EU Entry/Exit System's A-I list."""

    A_NO_VALID_DOCUMENT = "A_NO_VALID_DOCUMENT"
    B_FALSE_DOCUMENT = "B_FALSE_DOCUMENT"
    C_NO_VALID_VISA = "C_NO_VALID_VISA"
    D_FALSE_VISA = "D_FALSE_VISA"
    E_NO_JUSTIFICATION = "E_NO_JUSTIFICATION"
    F_OVERSTAY = "F_OVERSTAY"
    G_ENTRY_BAN = "G_ENTRY_BAN"
    H_THREAT = "H_THREAT"
    I_OTHER = "I_OTHER"


class TipIndicator(StrEnum):
    """Trafficking-in-persons and smuggling indicators: an officer's checklist, never a score."""

    DOCUMENTS_HELD_BY_COMPANION = "DOCUMENTS_HELD_BY_COMPANION"
    COMPANION_ANSWERS = "COMPANION_ANSWERS"
    DOCUMENT_NOT_THEIRS_OR_ALTERED = "DOCUMENT_NOT_THEIRS_OR_ALTERED"
    MINOR_UNACCOMPANIED_OR_NO_CONSENT = "MINOR_UNACCOMPANIED_OR_NO_CONSENT"
    SCHOOL_AGE_CHILD_FOR_WORK = "SCHOOL_AGE_CHILD_FOR_WORK"
    GROUP_WITH_UNRELATED_ESCORT = "GROUP_WITH_UNRELATED_ESCORT"
    VAGUE_JOB_OR_STUDY_OFFER = "VAGUE_JOB_OR_STUDY_OFFER"
    TRAVEL_PAID_BY_THIRD_PARTY_OR_DEBT = "TRAVEL_PAID_BY_THIRD_PARTY_OR_DEBT"
    STORY_REHEARSED_OR_INCONSISTENT = "STORY_REHEARSED_OR_INCONSISTENT"
    FEARFUL_COACHED_INJURED = "FEARFUL_COACHED_INJURED"
    PREVIOUS_IRREGULAR_CROSSING = "PREVIOUS_IRREGULAR_CROSSING"


TIP_INDICATOR_LABELS: dict[TipIndicator, str] = {
    TipIndicator.DOCUMENTS_HELD_BY_COMPANION: "Travel documents held by a companion",
    TipIndicator.COMPANION_ANSWERS: "Companion answers for the traveller",
    TipIndicator.DOCUMENT_NOT_THEIRS_OR_ALTERED: "Document forged, altered or not theirs",
    TipIndicator.MINOR_UNACCOMPANIED_OR_NO_CONSENT: "Minor alone / non-parent / no consent",
    TipIndicator.SCHOOL_AGE_CHILD_FOR_WORK: "School-age child leaving 'for work'",
    TipIndicator.GROUP_WITH_UNRELATED_ESCORT: "Group of young women/children, unrelated escort",
    TipIndicator.VAGUE_JOB_OR_STUDY_OFFER: "Vague job or study offer abroad",
    TipIndicator.TRAVEL_PAID_BY_THIRD_PARTY_OR_DEBT: "Travel paid by third party, or debt",
    TipIndicator.STORY_REHEARSED_OR_INCONSISTENT: "Story rehearsed or inconsistent",
    TipIndicator.FEARFUL_COACHED_INJURED: "Fearful, coached, injured or neglected",
    TipIndicator.PREVIOUS_IRREGULAR_CROSSING: "Previous irregular crossing",
}


class TipReferral(StrEnum):
    NONE = "NONE"
    POLICE_ANTI_TRAFFICKING = "POLICE_ANTI_TRAFFICKING"
    POLICE_CHILD_GENDER_PROTECTION = "POLICE_CHILD_GENDER_PROTECTION"
    SOCIAL_WELFARE = "SOCIAL_WELFARE"


class ReceivingUnit(StrEnum):
    """Who takes over a referral (central/cases). Not a record field: the three police and
    welfare units are the record's TipReferral values; a second-line referral with indicators
    but no TipReferral goes to immigration's second line (records/case_id.py)."""

    POLICE_ANTI_TRAFFICKING = "POLICE_ANTI_TRAFFICKING"
    POLICE_CHILD_GENDER_PROTECTION = "POLICE_CHILD_GENDER_PROTECTION"
    SOCIAL_WELFARE = "SOCIAL_WELFARE"
    IMMIGRATION_SECOND_LINE = "IMMIGRATION_SECOND_LINE"


RECEIVING_UNIT_LABELS: dict[ReceivingUnit, str] = {
    ReceivingUnit.POLICE_ANTI_TRAFFICKING: "Police anti-trafficking unit",
    ReceivingUnit.POLICE_CHILD_GENDER_PROTECTION: "Police child and gender protection unit",
    ReceivingUnit.SOCIAL_WELFARE: "Social welfare",
    ReceivingUnit.IMMIGRATION_SECOND_LINE: "Immigration second line",
}


class WatchlistResult(StrEnum):
    HIT = "HIT"
    NO_HIT = "NO_HIT"
    NOT_CHECKED = "NOT_CHECKED"


class WatchlistJudgement(StrEnum):
    """The officer's judgement of a watchlist hit, after checking the traveller."""

    NOT_THIS_PERSON = "NOT_THIS_PERSON"
    REFUSED = "REFUSED"
    REFERRED = "REFERRED"


class VoidReason(StrEnum):
    """Why an amendment cancels a crossing (it is then counted nowhere)."""

    DUPLICATE = "DUPLICATE"  # the same crossing was saved twice
    MISTAKE = "MISTAKE"  # nobody crossed (a wrong document, a test, a slip)


class ChipCheck(StrEnum):
    """The outcome of one chip check (Chip or Active Authentication) as recorded."""

    PASSED = "PASSED"
    FAILED = "FAILED"
    NOT_OFFERED = "NOT_OFFERED"  # the chip has no key for it (no DG14 / DG15)
    NOT_CHECKED = "NOT_CHECKED"  # offered, but it could not be run (or the chip was not read)


class MinorTravel(StrEnum):
    """A minor saved with no adult linked at this booth: the officer's explicit choice."""

    ALONE_WITH_CONSENT = "ALONE_WITH_CONSENT"  # travelling alone, consent letter seen
    REFERRED = "REFERRED"  # referred (second line / welfare)
    ADULT_AT_OTHER_BOOTH = "ADULT_AT_OTHER_BOOTH"  # the adult is processed at another booth


class Relationship(StrEnum):
    """A minor's relationship to the accompanying adult."""

    PARENT = "PARENT"
    GUARDIAN = "GUARDIAN"
    RELATIVE = "RELATIVE"
    OTHER = "OTHER"



UNDER_18 = 18
AGE_BAND_WIDTH = 5
TOP_AGE_BAND = 85  # 85+ is the last band, as in UN tables


def age_band(age: int | None) -> str | None:
    """Five-year age band label ("0-4", "5-9", ..., "85+"); None when the age is unknown."""
    if age is None or age < 0:
        return None
    if age >= TOP_AGE_BAND:
        return f"{TOP_AGE_BAND}+"
    low = age - age % AGE_BAND_WIDTH
    return f"{low}-{low + AGE_BAND_WIDTH - 1}"


AGE_BANDS: tuple[str, ...] = tuple(
    [f"{a}-{a + AGE_BAND_WIDTH - 1}" for a in range(0, TOP_AGE_BAND, AGE_BAND_WIDTH)]
    + [f"{TOP_AGE_BAND}+"]
)


def stay_band(days: int | None) -> StayBand | None:
    """UN intended-stay band for a stay in days."""
    if days is None:
        return None
    if days < 90:
        return StayBand.UNDER_3_MONTHS
    if days < 365:
        return StayBand.MONTHS_3_TO_12
    return StayBand.MONTHS_12_PLUS

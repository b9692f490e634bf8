"""Every code list of the crossing record, in one place. Standard library only.

Values are the wire format (JSON Schema enums are generated from these). A _Code member's value
is its name, so never rename a member: add a new one and bump the schema version instead.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum, auto


class _Code(StrEnum):
    """A code list whose wire value is each member's name (auto() below)."""

    @staticmethod
    def _generate_next_value_(name: str, start: int, count: int, last_values: list[str]) -> str:
        return name


class Direction(_Code):
    ENTRY = auto()
    EXIT = auto()


class CaptureMethod(_Code):
    CHIP_VERIFIED = auto()
    MRZ_READER = auto()
    MRZ_CAMERA = auto()
    MANUAL = auto()
    NO_DOCUMENT = auto()


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


class TravellerCategory(_Code):
    CITIZEN = auto()
    RESIDENT = auto()
    VISITOR = auto()
    TRANSIT = auto()
    CROSS_BORDER_WORKER = auto()
    MINEWORKER = auto()
    STUDENT = auto()
    TRADER = auto()
    DRIVER_CREW = auto()
    DIPLOMAT = auto()
    ASYLUM_SEEKER_REFUGEE = auto()
    DEPORTEE_RETURNED = auto()


class Purpose(_Code):
    """UN tourism statistics purposes plus migration purposes."""

    HOLIDAY = auto()
    VISITING_FRIENDS_RELATIVES = auto()
    EDUCATION = auto()
    HEALTH = auto()
    RELIGION = auto()
    SHOPPING = auto()
    TRANSIT = auto()
    BUSINESS = auto()
    EMPLOYMENT = auto()
    SETTLEMENT = auto()
    RETURNING_RESIDENT = auto()
    OTHER = auto()


class StayBand(_Code):
    """UN bands of intended stay."""

    UNDER_3_MONTHS = auto()
    MONTHS_3_TO_12 = auto()
    MONTHS_12_PLUS = auto()


class TransportMode(_Code):
    PEDESTRIAN = auto()
    PRIVATE_CAR = auto()
    MINIBUS_TAXI = auto()
    BUS = auto()
    TRUCK = auto()
    AIR = auto()
    OTHER = auto()


class TransportRole(_Code):
    DRIVER = auto()
    PASSENGER = auto()
    CREW = auto()


class Decision(_Code):
    ADMITTED = auto()
    REFUSED = auto()
    REFERRED = auto()


class RefusalReason(_Code):
    """Refusal reasons after the EU Entry/Exit System's A-I list."""

    A_NO_VALID_DOCUMENT = auto()
    B_FALSE_DOCUMENT = auto()
    C_NO_VALID_VISA = auto()
    D_FALSE_VISA = auto()
    E_NO_JUSTIFICATION = auto()
    F_OVERSTAY = auto()
    G_ENTRY_BAN = auto()
    H_THREAT = auto()
    I_OTHER = auto()


class TipIndicator(_Code):
    """Trafficking-in-persons and smuggling indicators: an officer's checklist, never a score."""

    DOCUMENTS_HELD_BY_COMPANION = auto()
    COMPANION_ANSWERS = auto()
    DOCUMENT_NOT_THEIRS_OR_ALTERED = auto()
    MINOR_UNACCOMPANIED_OR_NO_CONSENT = auto()
    SCHOOL_AGE_CHILD_FOR_WORK = auto()
    GROUP_WITH_UNRELATED_ESCORT = auto()
    VAGUE_JOB_OR_STUDY_OFFER = auto()
    TRAVEL_PAID_BY_THIRD_PARTY_OR_DEBT = auto()
    STORY_REHEARSED_OR_INCONSISTENT = auto()
    FEARFUL_COACHED_INJURED = auto()
    PREVIOUS_IRREGULAR_CROSSING = auto()


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


class TipReferral(_Code):
    NONE = auto()
    POLICE_ANTI_TRAFFICKING = auto()
    POLICE_CHILD_GENDER_PROTECTION = auto()
    SOCIAL_WELFARE = auto()


class ReceivingUnit(_Code):
    """Who takes over a referral (central/cases). Not a record field: the three police and
    welfare units are the record's TipReferral values; a second-line referral with indicators
    but no TipReferral goes to immigration's second line (records/case_id.py)."""

    POLICE_ANTI_TRAFFICKING = auto()
    POLICE_CHILD_GENDER_PROTECTION = auto()
    SOCIAL_WELFARE = auto()
    IMMIGRATION_SECOND_LINE = auto()


RECEIVING_UNIT_LABELS: dict[ReceivingUnit, str] = {
    ReceivingUnit.POLICE_ANTI_TRAFFICKING: "Police anti-trafficking unit",
    ReceivingUnit.POLICE_CHILD_GENDER_PROTECTION: "Police child and gender protection unit",
    ReceivingUnit.SOCIAL_WELFARE: "Social welfare",
    ReceivingUnit.IMMIGRATION_SECOND_LINE: "Immigration second line",
}


class WatchlistResult(_Code):
    HIT = auto()
    NO_HIT = auto()
    NOT_CHECKED = auto()


class WatchlistJudgement(_Code):
    """The officer's judgement of a watchlist hit, after checking the traveller."""

    NOT_THIS_PERSON = auto()
    REFUSED = auto()
    REFERRED = auto()


class VoidReason(_Code):
    """Why an amendment cancels a crossing (it is then counted nowhere)."""

    DUPLICATE = auto()  # the same crossing was saved twice
    MISTAKE = auto()  # nobody crossed (a wrong document, a test, a slip)


class ChipCheck(_Code):
    """The outcome of one chip check (Chip or Active Authentication) as recorded."""

    PASSED = auto()
    FAILED = auto()
    NOT_OFFERED = auto()  # the chip has no key for it (no DG14 / DG15)
    NOT_CHECKED = auto()  # offered, but it could not be run (or the chip was not read)


class MinorTravel(_Code):
    """A minor saved with no adult linked at this booth: the officer's explicit choice."""

    ALONE_WITH_CONSENT = auto()  # travelling alone, consent letter seen
    REFERRED = auto()  # referred (second line / welfare)
    ADULT_AT_OTHER_BOOTH = auto()  # the adult is processed at another booth


class Relationship(_Code):
    """A minor's relationship to the accompanying adult."""

    PARENT = auto()
    GUARDIAN = auto()
    RELATIVE = auto()
    OTHER = auto()


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

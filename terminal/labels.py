"""Officer-facing labels for the code lists (the wire values stay in records/codes.py)."""

from __future__ import annotations

from enum import Enum

from records.codes import (
    TIP_INDICATOR_LABELS,
    Decision,
    Direction,
    Purpose,
    RefusalReason,
    Relationship,
    Sex,
    TipIndicator,
    TipReferral,
    TransportMode,
    TransportRole,
    TravellerCategory,
)
from terminal.i18n import N_, _

# Every member, so each label is extracted for the catalogs (N_) and translated where shown;
# a member added later without a label still shows, in English, from its name.
_LABELS: dict[Enum, str] = {
    TravellerCategory.CITIZEN: N_("Citizen"),
    TravellerCategory.RESIDENT: N_("Resident"),
    TravellerCategory.VISITOR: N_("Visitor"),
    TravellerCategory.TRANSIT: N_("Transit"),
    TravellerCategory.CROSS_BORDER_WORKER: N_("Cross-border worker"),
    TravellerCategory.MINEWORKER: N_("Mineworker"),
    TravellerCategory.STUDENT: N_("Student"),
    TravellerCategory.TRADER: N_("Trader"),
    TravellerCategory.DRIVER_CREW: N_("Driver / crew"),
    TravellerCategory.DIPLOMAT: N_("Diplomat"),
    TravellerCategory.ASYLUM_SEEKER_REFUGEE: N_("Asylum seeker / refugee"),
    TravellerCategory.DEPORTEE_RETURNED: N_("Deportee / returned"),
    Purpose.HOLIDAY: N_("Holiday"),
    Purpose.VISITING_FRIENDS_RELATIVES: N_("Visit friends/family"),
    Purpose.EDUCATION: N_("Education"),
    Purpose.HEALTH: N_("Health"),
    Purpose.RELIGION: N_("Religion"),
    Purpose.SHOPPING: N_("Shopping"),
    Purpose.TRANSIT: N_("Transit"),
    Purpose.BUSINESS: N_("Business"),
    Purpose.EMPLOYMENT: N_("Employment"),
    Purpose.SETTLEMENT: N_("Settlement"),
    Purpose.RETURNING_RESIDENT: N_("Returning resident"),
    Purpose.OTHER: N_("Other"),
    TransportMode.PEDESTRIAN: N_("Pedestrian"),
    TransportMode.PRIVATE_CAR: N_("Private car"),
    TransportMode.MINIBUS_TAXI: N_("Minibus taxi"),
    TransportMode.BUS: N_("Bus"),
    TransportMode.TRUCK: N_("Truck"),
    TransportMode.AIR: N_("Air"),
    TransportMode.OTHER: N_("Other"),
    TransportRole.DRIVER: N_("Driver"),
    TransportRole.PASSENGER: N_("Passenger"),
    TransportRole.CREW: N_("Crew"),
    Decision.ADMITTED: N_("Admitted"),
    Decision.REFUSED: N_("Refused"),
    Decision.REFERRED: N_("Referred (2nd line)"),
    RefusalReason.A_NO_VALID_DOCUMENT: N_("A no valid travel document"),
    RefusalReason.B_FALSE_DOCUMENT: N_("B false/altered document"),
    RefusalReason.C_NO_VALID_VISA: N_("C no valid visa/permit"),
    RefusalReason.D_FALSE_VISA: N_("D false visa/permit"),
    RefusalReason.E_NO_JUSTIFICATION: N_("E purpose not justified"),
    RefusalReason.F_OVERSTAY: N_("F already overstayed"),
    RefusalReason.G_ENTRY_BAN: N_("G entry ban / alert"),
    RefusalReason.H_THREAT: N_("H threat to public order"),
    RefusalReason.I_OTHER: N_("I other"),
    Relationship.PARENT: N_("Parent"),
    Relationship.GUARDIAN: N_("Guardian"),
    Relationship.RELATIVE: N_("Relative"),
    Relationship.OTHER: N_("Other"),
    TipReferral.NONE: N_("No referral"),
    TipReferral.POLICE_ANTI_TRAFFICKING: N_("Police anti-trafficking unit"),
    TipReferral.POLICE_CHILD_GENDER_PROTECTION: N_("Police child & gender protection"),
    TipReferral.SOCIAL_WELFARE: N_("Social welfare"),
    Sex.UNKNOWN: N_("Unknown"),
    Sex.MALE: N_("Male"),
    Sex.FEMALE: N_("Female"),
    Sex.NOT_APPLICABLE: N_("Not applicable"),
    Direction.ENTRY: N_("ENTRY"),
    Direction.EXIT: N_("EXIT"),
}


def label(value: Enum | None) -> str:
    if value is None:
        return "-"
    if value in _LABELS:
        return _(_LABELS[value])
    return str(value.name).replace("_", " ").capitalize()


def tip_label(indicator: TipIndicator) -> str:
    """records/codes.TIP_INDICATOR_LABELS in the booth's language (tools/catalogs.py extracts
    them from there)."""
    return _(TIP_INDICATOR_LABELS[indicator])


def options(enum: type[Enum]) -> list[tuple[str, Enum]]:
    return [(label(member), member) for member in enum]


FIELD_NAMES = {
    "document_number": N_("Document number"), "date_of_birth": N_("Birth date"),
    "date_of_expiry": N_("Expiry date"), "optional_data": N_("Optional data"),
    "personal_number": N_("Personal number"), "composite": N_("Overall check digit"),
    "nationality": N_("Nationality"), "issuing_state": N_("Issuing state"), "sex": N_("Sex"),
    "names": N_("Names"), "document_code": N_("Document code"),
}


def issue_text(field: str, message: str) -> str:
    """"Birth date: check digit does not match" (the parser's messages may start with the
    field's code name: never show that twice, nor at all)."""
    for prefix in (f"{field}: ", f"{field} "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    name = _(FIELD_NAMES[field]) if field in FIELD_NAMES else field.replace("_", " ").capitalize()
    return f"{name}: {message}"  # the parser's message stays English (ocr/ has no catalog)


SEX_SHORT = {Sex.UNKNOWN: "?", Sex.MALE: "M", Sex.FEMALE: "F", Sex.NOT_APPLICABLE: "-"}


def doc_tail(number: str | None) -> str:
    """The last digits of a document number: enough to tell two rows apart on screen."""
    return f"..{number[-3:]}" if number else _("no doc")


def initials(surname: str | None, given_names: str | None) -> str:
    """"A.E." from given names ANNA MARIA and surname ERIKSSON ("" when unknown)."""
    given = (given_names or "").split()
    first = given[0][:1] if given else ""
    last = (surname or "")[:1]
    return ".".join(x for x in (first, last) if x) + ("." if first or last else "")

__all__ = [
    "doc_tail",
    "issue_text",
    "initials",
    "label",
    "options",
    "SEX_SHORT",
    "Decision",
    "Direction",
    "Purpose",
    "RefusalReason",
    "Relationship",
    "Sex",
    "TipReferral",
    "TransportMode",
    "TransportRole",
    "TravellerCategory",
]

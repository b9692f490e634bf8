"""Officer-facing labels for the code lists (the wire values stay in records/codes.py)."""

from __future__ import annotations

from enum import Enum

from records.codes import (
    Decision,
    Direction,
    Purpose,
    RefusalReason,
    Relationship,
    Sex,
    TipReferral,
    TransportMode,
    TransportRole,
    TravellerCategory,
)

_SPECIAL: dict[Enum, str] = {
    TravellerCategory.CROSS_BORDER_WORKER: "Cross-border worker",
    TravellerCategory.DRIVER_CREW: "Driver / crew",
    TravellerCategory.ASYLUM_SEEKER_REFUGEE: "Asylum seeker / refugee",
    TravellerCategory.DEPORTEE_RETURNED: "Deportee / returned",
    Purpose.VISITING_FRIENDS_RELATIVES: "Visit friends/family",
    Purpose.RETURNING_RESIDENT: "Returning resident",
    TransportMode.MINIBUS_TAXI: "Minibus taxi",
    TransportMode.PRIVATE_CAR: "Private car",
    Decision.REFERRED: "Referred (2nd line)",
    RefusalReason.A_NO_VALID_DOCUMENT: "A no valid travel document",
    RefusalReason.B_FALSE_DOCUMENT: "B false/altered document",
    RefusalReason.C_NO_VALID_VISA: "C no valid visa/permit",
    RefusalReason.D_FALSE_VISA: "D false visa/permit",
    RefusalReason.E_NO_JUSTIFICATION: "E purpose not justified",
    RefusalReason.F_OVERSTAY: "F already overstayed",
    RefusalReason.G_ENTRY_BAN: "G entry ban / alert",
    RefusalReason.H_THREAT: "H threat to public order",
    RefusalReason.I_OTHER: "I other",
    TipReferral.NONE: "No referral",
    TipReferral.POLICE_ANTI_TRAFFICKING: "Police anti-trafficking unit",
    TipReferral.POLICE_CHILD_GENDER_PROTECTION: "Police child & gender protection",
    TipReferral.SOCIAL_WELFARE: "Social welfare",
    Sex.UNKNOWN: "Unknown",
    Sex.MALE: "Male",
    Sex.FEMALE: "Female",
    Sex.NOT_APPLICABLE: "Not applicable",
    Direction.ENTRY: "ENTRY",
    Direction.EXIT: "EXIT",
}


def label(value: Enum | None) -> str:
    if value is None:
        return "-"
    if value in _SPECIAL:
        return _SPECIAL[value]
    return str(value.name).replace("_", " ").capitalize()


def options(enum: type[Enum]) -> list[tuple[str, Enum]]:
    return [(label(member), member) for member in enum]


FIELD_NAMES = {
    "document_number": "Document number", "date_of_birth": "Birth date",
    "date_of_expiry": "Expiry date", "optional_data": "Optional data",
    "personal_number": "Personal number", "composite": "Overall check digit",
    "nationality": "Nationality", "issuing_state": "Issuing state", "sex": "Sex",
    "names": "Names", "document_code": "Document code",
}


def issue_text(field: str, message: str) -> str:
    """"Birth date: check digit does not match" (the parser's messages may start with the
    field's code name: never show that twice, nor at all)."""
    for prefix in (f"{field}: ", f"{field} "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    name = FIELD_NAMES.get(field, field.replace("_", " ").capitalize())
    return f"{name}: {message}"


SEX_SHORT = {Sex.UNKNOWN: "?", Sex.MALE: "M", Sex.FEMALE: "F", Sex.NOT_APPLICABLE: "-"}


def doc_tail(number: str | None) -> str:
    """The last digits of a document number: enough to tell two rows apart on screen."""
    return f"..{number[-3:]}" if number else "no doc"


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

"""Booking rules that need no screen: document type, ages, expiry, default purpose.

Shared by the booth (terminal/booking.py builds records with them) and anything else that must
agree with the booth (the centre's checks, tests). Stdlib, records and ocr only.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from records.codes import Direction, DocumentType, Purpose, TravellerCategory
from records.record import age_on

if TYPE_CHECKING:
    from ocr.mrz import MrzRecord

# visitors are what tourism statistics count by purpose: never let a default stand in
PURPOSE_REQUIRED = frozenset({TravellerCategory.VISITOR, TravellerCategory.TRANSIT})


def document_type(code: str) -> DocumentType:
    first = (code or " ")[0]
    return {
        "P": DocumentType.PASSPORT,
        "I": DocumentType.ID_CARD,
        "A": DocumentType.CREW,
        "C": DocumentType.CREW_OR_OTHER,
        "V": DocumentType.VISA,
    }.get(first, DocumentType.PASSPORT)


def partial_iso(value: Any) -> str | None:
    return None if value is None else str(value.iso())


def mrz_age(mrz: MrzRecord, today: date) -> int | None:
    return age_on(partial_iso(mrz.date_of_birth), today)


def is_expired(mrz: MrzRecord, today: date) -> bool:
    expiry = mrz.date_of_expiry
    if expiry is None:
        return False
    month = expiry.month or 12
    day = expiry.day or 28
    try:
        return date(expiry.year, month, day) < today
    except ValueError:
        return False


def default_purpose(category: TravellerCategory | None, direction: Direction) -> Purpose | None:
    """The purpose preselected for the form's current category and direction: a citizen
    entering is returning home; nothing else has a default (ask)."""
    if category is TravellerCategory.CITIZEN and direction is Direction.ENTRY:
        return Purpose.RETURNING_RESIDENT
    return None

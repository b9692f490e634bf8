"""Referred crossings for the case tests (synthetic people; the names are checked for in every
notice to prove that none leaks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from records.codes import Decision, TipIndicator, TipReferral
from tests.collector.records import BASE, make

SURNAME = "MOKOENAQX"  # unlikely strings, so a search of a mail for them means something
GIVEN = "PALESAQX"
DOC = "RA9988776"
DOB = "2011-04-05"
PERSONAL = (SURNAME, GIVEN, DOC, DOB, "FEARFUL", "DOCUMENTS_HELD")


def referred(referral: TipReferral = TipReferral.SOCIAL_WELFARE, *, at: datetime = BASE,
             post: str = "MSU-BRIDGE", terminal: str = "t1", **kw: Any) -> dict[str, Any]:
    data = make(referral=referral, at=at, post=post, terminal=terminal, date_of_birth=DOB,
                tips=(TipIndicator.FEARFUL_COACHED_INJURED,
                      TipIndicator.DOCUMENTS_HELD_BY_COMPANION),
                decision=Decision.REFERRED, **kw)
    data.update(surname=SURNAME, given_names=GIVEN, document_number=DOC,
                tip_note="escort held the passport")
    return data


def plain(**kw: Any) -> dict[str, Any]:
    return make(**kw)

"""The case id of a referral and the unit it goes to, computed the same way at the booth and
at the centre (standard library only, so terminal/ may import it).

The booth shows the case id when the officer saves a referral, before anything reached the
centre: the id is a pure function of the crossing's first record id (its root: an amendment
that adds a referral uses the id of the record it amends, as far back as the booth knows).

    case_id("0190f5d2-...")  ->  "TIP-7K3MQ-9XA2B"

Ten Crockford base32 characters (50 bits of SHA-256): no I, L, O or U to misread on a phone
call, and a collision is about one in a billion at 50,000 referrals; the centre's unique key
refuses one anyway (central/cases/store.py keeps the first).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from records.codes import Decision, ReceivingUnit, TipReferral

PREFIX = "TIP-"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
CHARS = 10
CASE_ID_RE = re.compile(r"^TIP-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")


def case_id(record_id: str) -> str:
    """The case id of the crossing whose first record is `record_id` (deterministic)."""
    if not record_id:
        raise ValueError("a case id needs a record id")
    number = int.from_bytes(hashlib.sha256(record_id.encode()).digest()[:8], "big") >> 14
    chars = []
    for _ in range(CHARS):
        number, digit = divmod(number, 32)
        chars.append(ALPHABET[digit])
    text = "".join(reversed(chars))
    return f"{PREFIX}{text[:5]}-{text[5:]}"


def normalise_case_id(text: str) -> str:
    """A case id as typed (lower case, O for 0, I/L for 1, no dashes) in its printed form.
    Raises ValueError when it cannot be one."""
    raw = text.strip().upper().replace("-", "").replace(" ", "").removeprefix("TIP")
    raw = raw.translate(str.maketrans("OIL", "011"))
    cid = f"{PREFIX}{raw[:5]}-{raw[5:]}"
    if not CASE_ID_RE.match(cid):
        raise ValueError("not a case id (TIP-XXXXX-XXXXX)")
    return cid


def receiving_unit(data: Mapping[str, Any]) -> ReceivingUnit | None:
    """The unit a record refers its traveller to (a wire dict), None when it refers nobody.

    The officer's TipReferral names a police or welfare unit; a record referred to the second
    line with trafficking indicators but no TipReferral goes to immigration's second line.
    """
    referral = data.get("tip_referral") or TipReferral.NONE
    if referral != TipReferral.NONE:
        return ReceivingUnit(str(referral))
    if data.get("decision") == Decision.REFERRED and data.get("tip_indicators"):
        return ReceivingUnit.IMMIGRATION_SECOND_LINE
    return None

"""The centre's answer to a referral, for the booth (docs/messaging.md, "Referral receipts").

After the centre opened the case and told the receiving unit (or gave up telling it), the
collector publishes, QoS 1, to the referring terminal:

    <prefix>/<border_post>/<terminal_id>/referral-receipt
    {"v": 1, "case_id": "TIP-...", "record_id": "...", "unit": "SOCIAL_WELFARE",
     "status": "received", "notified": true, "at": "2026-03-10T08:00:01.000Z"}

`notified` false means nobody could be reached (no roster entry, or every send failed): the
booth should tell the officer to phone the unit. No personal data: ids, codes and a time.
parse() is pure (no broker, no clock) so the booth's screen and its tests share it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from records.case_id import CASE_ID_RE
from records.codes import RECEIVING_UNIT_LABELS, ReceivingUnit

VERSION = 1
STATUSES = ("received", "contacted", "interviewed", "identified", "not_a_victim", "closed")
MAX_ID_CHARS = 128


@dataclass(frozen=True, slots=True)
class ReferralReceipt:
    case_id: str
    record_id: str
    unit: ReceivingUnit
    status: str
    notified: bool
    at: str

    def text(self) -> str:
        """The line the booth shows the officer."""
        label = RECEIVING_UNIT_LABELS[self.unit]
        if self.notified:
            return f"Referral received by {label} (case {self.case_id}, {self.status})"
        return f"Case {self.case_id} opened, but {label} could not be notified: phone them"


def encode(receipt: ReferralReceipt) -> bytes:
    return json.dumps(
        {"v": VERSION, "case_id": receipt.case_id, "record_id": receipt.record_id,
         "unit": receipt.unit.value, "status": receipt.status, "notified": receipt.notified,
         "at": receipt.at},
        separators=(",", ":"), sort_keys=True,
    ).encode()


def _text(data: dict[str, object], key: str, limit: int = MAX_ID_CHARS) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise ValueError(f"referral receipt: {key} missing or not text")
    return value


def parse(payload: bytes) -> ReferralReceipt:
    """The receipt in one message. Raises ValueError naming the field (never a value)."""
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as err:
        raise ValueError("referral receipt is not JSON") from err
    if not isinstance(data, dict):
        raise ValueError("referral receipt is not a JSON object")
    if data.get("v") != VERSION:
        raise ValueError("referral receipt: unknown version")
    case = _text(data, "case_id")
    if not CASE_ID_RE.match(case):
        raise ValueError("referral receipt: case_id is not a case id")
    try:
        unit = ReceivingUnit(_text(data, "unit"))
    except ValueError:
        raise ValueError("referral receipt: unknown unit") from None
    status = _text(data, "status")
    if status not in STATUSES:
        raise ValueError("referral receipt: unknown status")
    notified = data.get("notified")
    if not isinstance(notified, bool):
        raise ValueError("referral receipt: notified is not true/false")
    return ReferralReceipt(case, _text(data, "record_id"), unit, status, notified,
                           _text(data, "at", 40))

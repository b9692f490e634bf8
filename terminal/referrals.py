"""Referral cases at the booth: the case id shown when a referral is saved, and the centre's
receipt for it shown when it arrives (messaging/referral_receipt.py).

The case id is computed here as at the centre (records/case_id.py), from the crossing's first
record id: an amendment's root is followed through this shift's records as far as they go.
The receipt arrives on the forwarder's thread: `ReferralReceived` carries it to the UI thread
(post_message is thread-safe), where it becomes a notification. Ids and codes only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.message import Message

from records.case_id import case_id, receiving_unit
from records.record import CrossingRecord
from terminal.i18n import _

if TYPE_CHECKING:
    from messaging.referral_receipt import ReferralReceipt
    from terminal.booth import BoothApp

RECEIPT_SHOWN_S = 20  # long enough to read while with the next traveller


class ReferralReceived(Message):
    """The centre's receipt for a referral of this terminal (from any thread)."""

    def __init__(self, receipt: ReferralReceipt) -> None:
        super().__init__()
        self.receipt = receipt


def root_id(record: CrossingRecord, known: Sequence[CrossingRecord]) -> str:
    """The first record id of the crossing `record` belongs to, as far as `known` goes."""
    by_id = {r.record_id: r for r in known}
    root, seen = record, {record.record_id}
    while root.amends is not None:
        parent = by_id.get(root.amends)
        if parent is None or parent.record_id in seen:
            return root.amends
        seen.add(parent.record_id)
        root = parent
    return root.record_id


def case_note(record: CrossingRecord, known: Sequence[CrossingRecord]) -> str | None:
    """"case TIP-XXXXX-XXXXX" for a record that refers its traveller to a unit, else None."""
    if record.void is not None or receiving_unit(record.to_dict()) is None:
        return None
    return _("case {case_id}").format(case_id=case_id(root_id(record, known)))


def show_receipt(app: BoothApp, receipt: ReferralReceipt) -> None:
    """Tell the officer the unit has the referral (or that nobody could be told)."""
    app.notify(receipt.text(), title=_("Referral"), timeout=RECEIPT_SHOWN_S,
               severity="information" if receipt.notified else "warning")

"""What the forwarder receives for its booth over a real Mosquitto: the signed watchlist (full
list retained, then a delta on its own topic, applied in order) and the centre's referral
receipts, handed to the booth through <data_dir>/referral-receipts.jsonl."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nacl.signing import SigningKey

from messaging import referral_inbox
from messaging.export_file import verify_key_pem
from messaging.outbox import Outbox
from messaging.referral_receipt import ReferralReceipt, encode
from messaging.watchlist import Watchlist
from messaging.watchlist_entries import Category, Entry
from messaging.watchlist_sign import delta_document, full_document, sign
from records.codes import ReceivingUnit, WatchlistResult
from tests.helpers import wait_until
from tests.messaging.helpers import start_forwarder

AT = "2026-12-03T12:00:00Z"


def test_a_delta_after_the_full_list_is_applied(tmp_path: Path, broker: Any,
                                               collector_factory: Any) -> None:
    col = collector_factory(broker.port)
    col.start()
    assert col.client is not None
    key = SigningKey.generate()
    (tmp_path / "watchlist.pub").write_text(verify_key_pem(key.verify_key))
    first = Entry("wl-1", Category.LOST_STOLEN_DOCUMENT, "Retain it.", document_number="QX1")
    second = Entry("wl-2", Category.MISSING_CHILD_TIP, "Call the child protection unit.",
                   document_number="QX2")
    col.client.publish("imdms/v1/watchlist", sign(full_document(5, [first], AT), key), qos=1,
                       retain=True).wait_for_publish(5)
    box = Outbox(tmp_path / "o.sqlite3")
    run = start_forwarder(box, tmp_path, broker.port)
    try:
        assert wait_until(lambda: run.forwarder.watchlist.version == "5")
        delta = sign(delta_document(5, 6, [second], ["wl-1"], AT), key)
        col.client.publish("imdms/v1/watchlist/delta", delta, qos=1).wait_for_publish(5)
        assert wait_until(lambda: run.forwarder.watchlist.version == "6")
    finally:
        run.halt()
        box.close()
    stored = Watchlist.load(tmp_path / "watchlist.json")
    assert stored.check("QX2", None, None) is WatchlistResult.HIT
    assert stored.check("QX1", None, None) is not WatchlistResult.HIT


def test_a_referral_receipt_reaches_the_booths_inbox(tmp_path: Path, broker: Any,
                                                    collector_factory: Any) -> None:
    col = collector_factory(broker.port)
    col.start()
    assert col.client is not None
    box = Outbox(tmp_path / "o.sqlite3")
    run = start_forwarder(box, tmp_path, broker.port)
    receipt = ReferralReceipt("TIP-7K3MQ-9XA2B", "rec-1", ReceivingUnit.SOCIAL_WELFARE,
                              "received", True, AT)
    seen: set[str] = set()
    try:
        assert wait_until(lambda: run.forwarder.connected)
        got: list[ReferralReceipt] = []

        def arrived() -> bool:
            # sent again until it lands: the SUBACK may follow the CONNACK by a moment, and
            # the inbox shows a receipt once however often it comes
            topic = "imdms/v1/MSU-BRIDGE/t1/referral-receipt"
            col.client.publish(topic, b"not json", qos=1)
            col.client.publish(topic, encode(receipt), qos=1)
            got.extend(referral_inbox.read_new(tmp_path, seen))
            return bool(got)

        assert wait_until(arrived, step=0.5)
    finally:
        run.halt()
        box.close()
    assert got == [receipt]
    assert referral_inbox.read_new(tmp_path, seen) == []  # shown once
    assert (tmp_path / referral_inbox.INBOX_FILE).stat().st_mode & 0o077 == 0

"""The receipt state machine of the outbox (messaging/receipts.py), without a broker:
pending -> (PUBACK) awaiting receipt -> (receipt) tombstone, or -> (overdue) re-sent -> ... ->
quarantined 'never receipted' after the attempts; a late receipt still takes it back."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from messaging import receipts
from messaging.outbox import Outbox
from messaging.outbox_model import INDEXES_SQL, TABLES_SQL, statements
from messaging.receipts import NEVER_RECEIPTED, ReceiptPolicy
from tests.messaging.helpers import fill
from tests.messaging.records import make_record

POLICY = ReceiptPolicy(timeout_s=10.0, attempts=3)


def _seqs(box: Outbox) -> list[int]:
    return [r.seq for r in box.fetch(0, 1000)]


def test_forwarded_rows_await_their_receipt_then_become_tombstones(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3", disk_floor_mb=1)
    ids = fill(box, 5)
    seqs = _seqs(box)
    box.mark_forwarded(seqs[:3], POLICY)
    st = box.status()
    assert (st.pending, st.awaiting_receipt) == (5, 3)
    assert st.oldest_unreceipted_age_s is not None and st.oldest_unreceipted_age_s < 5
    assert st.to_dict()["awaiting_receipt"] == 3
    # the lanes no longer offer them: they are not published again before their time
    assert [r.record_id for r in box.fetch(0, 100)] == ids[3:]
    assert [r.record_id for r in box.fetch(0, 100, live=True)] == ids[3:]
    # a receipt for two of them (and one id this terminal never had: ignored)
    assert box.mark_receipted([ids[0], ids[1], "not-ours"]) == 2
    st = box.status()
    assert (st.pending, st.awaiting_receipt) == (3, 1)
    # tombstones: the same record added again is known, not queued
    again = dict(make_record().to_dict(), record_id=ids[0])
    assert box.add_dict(again) is False
    box.close()


def test_a_receipt_before_the_ack_is_recorded_still_counts(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3", disk_floor_mb=1)
    ids = fill(box, 2)
    seqs = _seqs(box)
    assert box.mark_receipted([ids[0]]) == 1  # the collector was faster than the committer
    box.mark_forwarded(seqs, POLICY)  # the row is gone: nothing to mark
    assert box.status().pending == 1 and box.status().awaiting_receipt == 1
    box.close()


def test_overdue_rows_are_resent_then_quarantined_never_dropped(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    box = Outbox(tmp_path / "o.sqlite3", disk_floor_mb=1)
    ids = fill(box, 2)
    seqs = _seqs(box)
    box.mark_forwarded(seqs, POLICY)
    assert box.claim_resends(time.time(), 100, POLICY) == []  # not due yet
    later = time.time() + 3600
    sends = 1
    while sends < POLICY.attempts:
        rows = box.claim_resends(later, 100, POLICY)
        assert [r.record_id for r in rows] == ids
        # claimed rows are not offered twice while their re-send is in flight
        assert box.claim_resends(later, 100, POLICY) == []
        box.mark_forwarded([r.seq for r in rows], POLICY)  # their PUBACK
        sends += 1
        later += 3600 * 2**sends
    # attempts used while receipts for other records kept coming: quarantined
    assert box.claim_resends(later, 100, POLICY, receipt_seen_at=time.time() + 1) == []
    assert "2 records quarantined: never receipted after 3 sends" in caplog.text
    st = box.status()
    assert (st.pending, st.quarantined, st.awaiting_receipt) == (0, 2, 0)
    assert box.quarantine_reasons() == {NEVER_RECEIPTED: 2}
    # the technician's requeue puts them back as fresh pending rows
    assert box.requeue() == 2
    assert [r.record_id for r in box.fetch(0, 100)] == ids
    box.close()


def test_a_silent_central_quarantines_nothing(tmp_path: Path) -> None:
    """The collector down for hours: no receipt for anything, so no attempt is held against a
    record; it is sent again (at most hourly) until central answers."""
    box = Outbox(tmp_path / "o.sqlite3", disk_floor_mb=1)
    ids = fill(box, 1)
    policy = ReceiptPolicy(timeout_s=1.0, attempts=1)
    box.mark_forwarded(_seqs(box), policy)
    sent_at = time.time()
    for hours in (1, 2, 3):
        rows = box.claim_resends(time.time() + hours * 7200, 10, policy,
                                 receipt_seen_at=sent_at - 60)  # the last receipt: before
        assert [r.record_id for r in rows] == ids
        box.mark_forwarded([r.seq for r in rows], policy)
    assert box.status().quarantined == 0 and box.status().awaiting_receipt == 1
    box.close()


def test_a_late_receipt_takes_a_never_receipted_record_back(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3", disk_floor_mb=1)
    ids = fill(box, 1)
    box.mark_forwarded(_seqs(box), ReceiptPolicy(timeout_s=1.0, attempts=1))
    box.claim_resends(time.time() + 100, 10, ReceiptPolicy(timeout_s=1.0, attempts=1),
                      receipt_seen_at=time.time() + 1)
    assert box.status().quarantined == 1
    assert box.mark_receipted(ids) == 1
    assert box.status().quarantined == 0
    box.close()


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    p = ReceiptPolicy(timeout_s=10.0, attempts=5, max_wait_s=100.0)
    waits = [p.wait_s(n) for n in (1, 2, 3)]
    assert 7.5 <= waits[0] <= 12.5 and 15 <= waits[1] <= 25 and 30 <= waits[2] <= 50
    assert p.wait_s(20) == 100.0
    assert len({p.wait_s(1) for _ in range(20)}) > 1  # jittered: terminals spread apart


def test_wire_format_round_trip_and_bad_receipts() -> None:
    ids = [f"id-{i}" for i in range(1200)]
    payloads = receipts.encode(ids)
    assert len(payloads) == 3
    assert [i for p in payloads for i in receipts.decode(p)] == ids
    for bad in (b"\xff", b"[]", b'{"ids": [1]}', b'{"ids": "x"}', b'{"ids": [""]}',
                b"not json"):
        with pytest.raises(ValueError):
            receipts.decode(bad)


def test_version_2_files_gain_the_receipt_columns(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    db = sqlite3.connect(path)
    old = TABLES_SQL
    for line in ("    receipt_due REAL,\n", "    sends INTEGER NOT NULL DEFAULT 0,\n",
                 "    forwarded_at REAL,\n", "    last_sent_at REAL\n"):
        old = old.replace(line, "")
    old = old.replace("DEFAULT 'crossing',\n);", "DEFAULT 'crossing'\n);", 1)
    for stmt in statements(old) + statements(INDEXES_SQL)[:-1]:
        db.execute(stmt)
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    box = Outbox(path, disk_floor_mb=1)
    ids = fill(box, 1)
    box.mark_forwarded(_seqs(box), POLICY)
    assert box.status().awaiting_receipt == 1
    assert box.mark_receipted(ids) == 1
    box.close()

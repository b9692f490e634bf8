"""The drain scheduler on its own: outbox rows, window, acks and time in, what to publish out
(messaging/drain.py). No broker, no threads, no sockets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from messaging.drain import DrainScheduler
from messaging.outbox import Outbox, Row
from tests.messaging.helpers import fill

TOPIC = "imdms/v1/MSU-BRIDGE/t1/crossing"


@pytest.fixture
def box(tmp_path: Path) -> Iterator[Outbox]:
    with Outbox(tmp_path / "o.sqlite3", quarantine_after=2) as outbox:
        yield outbox


def scheduler(box: Outbox, window: int = 3) -> DrainScheduler:
    return DrainScheduler(box, window=window, ack_batch=4, ack_flush_s=0.05, retry_base_s=0.0,
                          backoff_max_s=0.0, receipts=None)


def publish(d: DrainScheduler, rows: list[Row], first_mid: int = 1) -> list[int]:
    mids = list(range(first_mid, first_mid + len(rows)))
    for mid, row in zip(mids, rows, strict=True):
        d.sent(mid, row, probe=False)
    return mids


def test_window_lanes_and_ack_batches(box: Outbox) -> None:
    backlog = fill(box, 5)
    d = scheduler(box)
    d.link_up(2, None, resumed=False)  # the broker's Receive Maximum lowers the window
    assert d.room(0) == 2
    rows = d.next_rows(0.0, d.room(0))
    assert [r.record_id for r in rows] == backlog[:2]
    mids = publish(d, rows)
    assert d.room(0) == 0
    live = fill(box, 1)  # queued after the link came up: goes before the rest of the backlog
    assert d.ack(mids[0], 0, "", 1.0) is None
    assert d.next_rows(1.0, d.room(0))[0].record_id == live[0]
    assert not d.deletes_due(1.01) and d.deletes_due(1.06)  # ack_flush_s after the first ack
    assert d.take_acked() == [rows[0].seq] and d.acked == []
    assert d.room(2 * d.ack_batch) == 0  # deletes lag two batches: publishing pauses


def test_drop_redelivers_once_then_suspects(box: Outbox) -> None:
    fill(box, 3)
    d = scheduler(box)
    d.link_up(None, None, resumed=False)
    mids = publish(d, d.next_rows(0.0, 3))
    assert d.link_lost("connection lost") is True  # kept: paho redelivers them (DUP=1)
    assert d.link_lost("could not connect") is True  # no CONNACK since: nothing changes
    d.link_up(None, None, resumed=True)
    assert set(d.inflight) == set(mids) and d.next_rows(0.0, d.room(0)) == []  # not twice
    assert d.link_lost("connection lost") is False  # dropped again during the redelivery
    assert d.inflight == {} and box.status().pending == 3
    d.link_up(None, None, resumed=False)
    assert d.probe_due(9e18)
    probe = d.next_probe(9e18)
    assert probe is not None
    d.sent(7, probe, probe=True)
    assert d.room(0) == 0  # a suspect goes alone
    assert d.link_lost("connection lost") is False  # alone on the link: an attempt counted
    assert box.status().pending == 3


def test_refused_and_oversized_records_are_quarantined(box: Outbox) -> None:
    fill(box, 2)
    d = scheduler(box)
    d.link_up(None, 600, resumed=False)
    big, small = d.next_rows(0.0, 2)
    assert d.oversize(big, TOPIC)  # larger than the broker's Maximum Packet Size
    assert box.status().quarantined == 1
    d.max_packet = None
    (mid,) = publish(d, [small])
    assert d.ack(mid, 0x87, "Not authorized", 0.0) == \
        "broker refused the record: Not authorized (0x87)"
    assert d.suspect_due is not None and d.acked == []

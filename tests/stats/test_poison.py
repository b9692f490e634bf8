"""Poison messages between good ones, on each store: rejected and recorded, never an outage.

Before the fix, one NUL byte stopped the PostgreSQL collector for good: rejecting stored the
payload as text, psycopg raised DataError, and the batch was retried every second forever.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from central.collector import Collector
from central.db import MAX_MESSAGE_BYTES, MAX_REJECTED_PAYLOAD, Database
from central.values import payload_bytes
from config.models import BrokerConfig, CollectorConfig
from tests.stats.conftest import Broker, Store
from tests.stats.publish import publish_all
from tests.stats.records import make

TOPIC = "imdms/v1/MSU-BRIDGE/t1/crossing"
HEARTBEAT = "imdms/v1/MSU-BRIDGE/t1/heartbeat"
NUL = "a string holds a NUL character (U+0000), which the store cannot hold"
SURROGATE = "a string holds an unpaired UTF-16 surrogate (not valid Unicode)"


def _record(**fields: Any) -> bytes:
    rec = make()
    rec.update(fields)
    return json.dumps(rec).encode()


def poison() -> list[tuple[str, bytes, str]]:
    """(topic, payload, the reason it must be rejected with)."""
    huge = b'{"note": "' + b"x" * (MAX_MESSAGE_BYTES + 10) + b'"}'
    heartbeat = {
        "terminal_id": "t1",
        "boot_id": "boot\u0000",
        "monotonic_ns": 5,
        "clock_synced": True,
        "sent_at": "2026-03-01T06:00:00.000Z",
    }
    return [
        (TOPIC, b"\x00\x01 not json \x00", "not JSON"),
        (TOPIC, _record(boot_id="boot\u0000"), NUL),  # schema-valid: boot_id is any string
        (HEARTBEAT, json.dumps(heartbeat).encode(), NUL),
        (TOPIC, b'{"record_id": "\xff\xfe"}', "not JSON"),  # invalid UTF-8
        (TOPIC, _record(boot_id="boot\ud800"), SURROGATE),
        (TOPIC, _record(monotonic_ns=2**64), "a number is outside the 64-bit range"),
        (TOPIC, huge, f"too large: {len(huge)} bytes (limit {MAX_MESSAGE_BYTES})"),
    ]


def _rejected_payloads(db: Database) -> list[bytes]:
    return [payload_bytes(str(p)) for (p,) in db.query("SELECT payload FROM rejected ORDER BY id")]


def test_unstorable_values_are_rejected_by_the_database(store: Store) -> None:
    db = Database(store.url)
    bad = poison()
    try:
        for topic, payload, reason in bad:
            kind = topic.rsplit("/", 1)[1]
            if kind == "heartbeat":
                got = db.ingest_heartbeat(payload, topic=topic)
            else:
                got = db.ingest(payload, topic=topic)
            assert got.outcome == "rejected" and got.reason and got.reason.startswith(reason)
        assert db.ingest(_record()).outcome == "stored"
        db.commit()
        kept = _rejected_payloads(db)
        # kept byte for byte (the huge one: its first 64 KiB)
        assert kept == [p[:MAX_REJECTED_PAYLOAD] for _, p, _ in bad]
    finally:
        db.close()


@pytest.mark.peer
def test_poison_between_good_messages_through_the_collector(
    mosquitto: Broker, store: Store
) -> None:
    broker = BrokerConfig.model_validate(
        {"host": mosquitto.host, "port": mosquitto.port, "protocol": "5"}
    )
    ccfg = CollectorConfig.model_validate({"database": store.url, "share_group": "poison"})
    collector = Collector(broker, ccfg, client_id="poison-collector", batch_wait_s=0.01)
    collector.start()
    goods = [make(age=20 + i) for i in range(len(poison()) + 1)]
    messages: list[tuple[str, bytes, int]] = []
    for good, (topic, payload, _) in zip(goods, [*poison(), (TOPIC, b"", "")], strict=True):
        messages.append((TOPIC, json.dumps(good).encode(), 1))
        if payload:
            messages.append((topic, payload, 1))
    try:
        publish_all(broker, messages)
        n_bad = len(poison())
        done = collector.wait_for(
            lambda c: c["stored"] == len(goods) and c["rejected"] == n_bad, 30
        )
        assert done, dict(collector.counts)
    finally:
        collector.stop()
    db = Database(store.url)
    try:
        assert sorted(r["record_id"] for r in db.iter_records()) == sorted(
            g["record_id"] for g in goods
        )
        reasons = [r for _, r in db.rejected()]
        assert [r[: len(want)] for r, (_, _, want) in zip(reasons, poison(), strict=True)] == [
            want for _, _, want in poison()
        ]
        assert _rejected_payloads(db)[0] == b"\x00\x01 not json \x00"
    finally:
        db.close()

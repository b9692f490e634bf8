"""Poison messages between good ones, on each store: rejected and recorded, never an outage.

Before the fix, one NUL byte stopped the PostgreSQL collector for good: rejecting stored the
payload as text, psycopg raised DataError, and the batch was retried every second forever.
"""

from __future__ import annotations

import json

import pytest

from central.collector import Collector
from central.db import MAX_REJECTED_PAYLOAD, Database
from central.values import payload_bytes
from config.models import BrokerConfig, CollectorConfig
from tests.collector.peers import Broker, Store
from tests.collector.poison import TOPIC, good_record, poison
from tests.collector.publish import publish_all
from tests.collector.records import make


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
        assert db.ingest(good_record()).outcome == "stored"
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

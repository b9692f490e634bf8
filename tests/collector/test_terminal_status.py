"""The collector keeps each terminal's latest heartbeat (table terminal_status) for the
console's operations page: the last one wins, a malformed one changes nothing."""

from __future__ import annotations

import json

from central.db import Database
from messaging.heartbeat import Heartbeat
from tests.collector.peers import Store

TOPIC = "imdms/v1/MSU-BRIDGE/t1/heartbeat"


def beat(pending: int, sent_at: str) -> bytes:
    data = Heartbeat(sent_at=sent_at, boot_id="b-1", monotonic_ns=5_000_000_000,
                     terminal_id="t1", border_post="MSU-BRIDGE", clock_synced=True,
                     software_version="0.1.0", outbox_pending=pending,
                     readers={"mrz": "connected"}).to_dict()
    # the forwarder fills every field; the optional ones left out here are absent, not null
    return json.dumps({k: v for k, v in data.items() if v is not None}).encode()


def test_latest_heartbeat_per_terminal(store: Store) -> None:
    db = Database(store.url)
    try:
        for payload in (beat(4, "2026-12-03T10:00:00.000Z"), beat(1, "2026-12-03T10:01:00.000Z"),
                        b'{"sent_at": 3}'):
            db.ingest_heartbeat(payload, topic=TOPIC)
        db.commit()
        rows = db.query("SELECT terminal_id, border_post, payload FROM terminal_status")
    finally:
        db.close()
    assert len(rows) == 1
    tid, post, payload = rows[0]
    data = json.loads(payload)
    assert (tid, post, data["outbox_pending"], data["readers"]) == (
        "t1", "MSU-BRIDGE", 1, {"mrz": "connected"})

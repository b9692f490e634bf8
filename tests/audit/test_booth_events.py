"""Booth audit events stored in the chain by the collector: every kind, once each (by event
id), invalid ones rejected; and end to end: booth outbox -> `imdms forward` -> Mosquitto ->
`imdms collect` -> audit_log, each its own process."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from central.audit.verify import verify
from central.collector import Collector, _Message
from central.db import Database
from config.models import BrokerConfig, CollectorConfig
from messaging.audit import make_audit_event
from messaging.outbox import Outbox
from tests.collector.peers import Broker, Store
from tests.messaging.central_proc import collect_config, start_collect, stop
from tests.messaging.helpers import REPO, forward_cmd, write_config

TOPIC = "imdms/v1/MSU-BRIDGE/t1/audit"
KINDS: dict[str, dict[str, str | int | bool | None]] = {
    "sign_in": {"method": "pin"},
    "pin_failed": {"failures": 2},
    "lockout": {"minutes": 5},
    "alert_decision": {"record_id": "r-1", "decision": "referred"},
    "discard": {"reason": "wrong person"},
    "correction": {"record_id": "r-1"},
    "void": {"record_id": "r-2", "reason": "duplicate"},
    "sign_out": {"reason": "idle"},
}


def event(kind: str, terminal: str = "t1", **detail: str | int) -> dict[str, Any]:
    return make_audit_event(kind, terminal_id=terminal, border_post="MSU-BRIDGE",
                            officer_id="off7", detail=detail or KINDS[kind])


def process(store: Store, payloads: list[bytes], topic: str = TOPIC) -> dict[str, int]:
    collector = Collector(BrokerConfig(host="127.0.0.1"), CollectorConfig(database=store.url))
    db = Database(store.url)
    try:
        from central.audit.schema import ensure_schema

        ensure_schema(db)
        collector._process(db, [_Message(topic, p, i, 0) for i, p in enumerate(payloads)])
    finally:
        db.close()
    return dict(collector.counts)


def test_every_kind_is_chained_once(store: Store) -> None:
    events = [event(k) for k in KINDS]
    payloads = [json.dumps(e).encode() for e in events]
    assert process(store, payloads) == {"audit": len(KINDS)}
    assert process(store, payloads[:3]) == {"duplicate": 3}  # redelivered
    db = Database(store.url)
    try:
        rows = db.query("SELECT source, kind, event_id, terminal_id, border_post, operator,"
                        " detail FROM audit_log ORDER BY seq")
        v = verify(db)
    finally:
        db.close()
    assert v.ok and v.count == len(KINDS)
    assert [r[1] for r in rows] == list(KINDS)
    assert [r[2] for r in rows] == [e["event_id"] for e in events]
    assert {(r[0], r[3], r[4], r[5]) for r in rows} == {("booth", "t1", "MSU-BRIDGE", "off7")}
    detail = json.loads(rows[4][6])
    assert detail["detail"] == KINDS["discard"]
    assert detail["occurred_at"] == events[4]["occurred_at"]


def test_bad_events_are_rejected_not_chained(store: Store) -> None:
    good = event("sign_in")
    bad_kind = {**event("sign_in"), "kind": "coffee_break"}
    other_terminal = json.dumps(event("sign_in", terminal="t9")).encode()
    got = process(store, [b"not json", json.dumps(bad_kind).encode(), other_terminal,
                          json.dumps(good).encode()])
    assert got == {"rejected": 3, "audit": 1}
    db = Database(store.url)
    try:
        reasons = [r for _t, r in db.rejected()]
        assert verify(db).count == 1
    finally:
        db.close()
    assert reasons[0] == "not JSON" and "kind" in reasons[1] and "topic" in reasons[2]


def _chained(database: Path) -> list[str]:
    if not database.exists():
        return []
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        return [r[0] for r in conn.execute("SELECT event_id FROM audit_log ORDER BY seq")]
    except sqlite3.OperationalError:  # tables not made yet
        return []
    finally:
        conn.close()


@pytest.mark.peer
def test_booth_to_chain_end_to_end(tmp_path: Path, mosquitto: Broker) -> None:
    database = tmp_path / "central.sqlite3"
    central = collect_config(tmp_path / "central.toml", mosquitto.port, database)
    proc = start_collect(central, tmp_path / "collect.log")
    try:
        booth = tmp_path / "booth"
        booth.mkdir()
        config = write_config(booth, mosquitto.port)
        events = [event("sign_in"), event("pin_failed"), event("sign_out")]
        with Outbox(booth / "outbox.sqlite3", disk_floor_mb=1) as box:
            for e in events:
                box.add_audit(e)
        subprocess.run(forward_cmd(config, "--exit-when-empty"), cwd=REPO, timeout=60,
                       check=True, capture_output=True)
        deadline = time.monotonic() + 20
        while len(_chained(database)) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)  # another process's commit: nothing to await but the file
        assert _chained(database) == [e["event_id"] for e in events]
    finally:
        assert stop(proc) == 0, (tmp_path / "collect.log").read_text()[-800:]
    db = Database(str(database))
    try:
        assert verify(db).ok
    finally:
        db.close()

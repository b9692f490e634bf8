"""Booth audit events (issue 13 item 13, the outbox side): made by messaging.audit, stored by
Outbox.add_audit as durably as a crossing, and published by `imdms forward` (its own process)
to <prefix>/<post>/<terminal>/audit, which the central collector does not take for a crossing."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from config.models import BrokerConfig, CollectorConfig
from imdms.errors import SchemaError
from messaging.audit import AUDIT_SCHEMA_ID, AuditKind, make_audit_event, validate_audit
from messaging.outbox import Outbox
from messaging.topics import Topics
from tests.messaging.helpers import REPO, forward_cmd, write_config
from tests.messaging.records import make_record

UUID_LEN = 36


def _event(kind: str = "sign_out", **detail: Any) -> dict[str, Any]:
    return make_audit_event(kind, terminal_id="t1", border_post="MSU-BRIDGE", officer_id="off7",
                            detail=detail or {"reason": "idle"})


def test_make_audit_event_fields() -> None:
    event = _event("sign_out", reason="idle", idle_s=300)
    assert event["schema"] == AUDIT_SCHEMA_ID and event["kind"] == "sign_out"
    assert len(event["event_id"]) == UUID_LEN and event["event_id"][14] == "7"  # UUIDv7
    assert event["occurred_at"].endswith("Z") and event["monotonic_ns"] > 0
    assert event["boot_id"] and event["detail"] == {"reason": "idle", "idle_s": 300}
    for kind in AuditKind:
        made = make_audit_event(kind, terminal_id="t1", border_post="P", officer_id=None,
                                detail={"reason": "officer"})
        validate_audit(made)


def test_audit_event_is_checked() -> None:
    with pytest.raises(SchemaError, match="unknown audit event kind"):
        _event("coffee_break")
    with pytest.raises(SchemaError, match="reason: missing"):
        make_audit_event("sign_out", terminal_id="t1", border_post="P", officer_id="o",
                         detail={})
    with pytest.raises(SchemaError, match="cannot be carried"):
        _event("discard", note="a\x00b")
    with pytest.raises(SchemaError, match="detail"):
        _event("discard", **{"Bad-Key": 1})


def test_add_audit_is_durable_and_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    event = _event("lockout", failures=5)
    with Outbox(path) as box:
        box.add_audit(event)
        box.add_audit(event)  # same event_id: stored once
        box.add(make_record())
    with Outbox(path) as box:
        rows = box.fetch(0, 10)
        assert [r.kind for r in rows] == ["audit", "crossing"]
        assert rows[0].record_id == event["event_id"] and json.loads(rows[0].payload) == event
        box.mark_sent([rows[0].seq])
        box.add_audit(event)  # already sent: not queued again
        assert box.status().pending == 1
        bad = dict(event, event_id="not-a-uuid")
        with pytest.raises(SchemaError):
            box.add_audit(bad)


def test_audit_survives_export_and_import(tmp_path: Path) -> None:
    event = _event("void", record_id="01890a5d-ac96-774b-bcce-b302099a8057")
    with Outbox(tmp_path / "a.sqlite3") as a:
        a.add_audit(event)
        exported = [data for _state, data in a.iter_all()]
    with Outbox(tmp_path / "b.sqlite3") as b:
        assert b.import_records(exported) == (1, 0, 0)
        (row,) = b.fetch(0, 10)
        assert row.kind == "audit" and json.loads(row.payload) == event


def test_audit_old_file_gets_a_kind_column(tmp_path: Path) -> None:
    """A file made by the previous version (no kind, tombstones with payloads) is migrated."""
    import sqlite3

    path = tmp_path / "old.sqlite3"
    rec = make_record()
    sent = make_record()
    db = sqlite3.connect(path)
    db.executescript(OLD_SCHEMA)
    db.execute("INSERT INTO outbox (record_id, terminal_id, border_post, recorded_at, queued_at,"
               " payload) VALUES (?, 't1', 'MSU-BRIDGE', ?, 1.0, ?)",
               (rec.record_id, rec.recorded_at, rec.to_json()))
    db.execute("INSERT INTO sent VALUES (?, 1, ?, 2.0, ?)",
               (sent.record_id, sent.recorded_at, sent.to_json()))
    db.commit()
    db.close()
    with Outbox(path) as box:
        (row,) = box.fetch(0, 10)
        assert row.kind == "crossing" and row.record_id == rec.record_id
        assert box.add_dict(sent.to_dict()) is False  # the old tombstone still counts
        box.add_audit(_event())
        assert [r.kind for r in box.fetch(0, 10)] == ["crossing", "audit"]
    db = sqlite3.connect(path)
    assert [r[1] for r in db.execute("PRAGMA table_info(sent)")] == ["record_id", "sent_at"]
    assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental from now on
    db.close()


def test_forwarder_publishes_audit_to_its_topic(tmp_path: Path, broker: Any) -> None:
    topics = Topics("imdms/v1", "MSU-BRIDGE", "t1")
    got: list[tuple[str, bytes]] = []
    done = threading.Event()
    sub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="audit-sub", protocol=mqtt.MQTTv5)

    def on_message(_c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        got.append((msg.topic, bytes(msg.payload)))
        if len(got) >= 3:
            done.set()

    subscribed = threading.Event()
    sub.on_message = on_message
    sub.on_subscribe = lambda *_a: subscribed.set()
    sub.connect("127.0.0.1", broker.port)
    sub.subscribe([(topics.all_audit, 1), (topics.all_crossings, 1)])
    sub.loop_start()
    try:
        assert subscribed.wait(10)
        config = write_config(tmp_path, broker.port)
        events = [_event("sign_in", method="pin"), _event("pin_failed", failures=1)]
        rec = make_record()
        with Outbox(tmp_path / "outbox.sqlite3", disk_floor_mb=1) as box:
            box.add_audit(events[0])
            box.add(rec)
            box.add_audit(events[1])
        subprocess.run(forward_cmd(config, "--exit-when-empty"), cwd=REPO, timeout=60,
                       check=True, capture_output=True)
        assert done.wait(15), f"received {len(got)} of 3"
    finally:
        sub.disconnect()
        sub.loop_stop()
    audit = [(t, json.loads(p)) for t, p in got if t == topics.audit]
    assert [e["event_id"] for _t, e in audit] == [e["event_id"] for e in events]
    assert [t for t, _p in got if t == topics.crossing] == [topics.crossing]
    # the central collector subscribes to audit too and chains the events (central/audit/)
    central = _central_collector(broker.port)
    assert any(mqtt.topic_matches_sub(s.split("/", 2)[2], topics.audit)
                   for s in central.subscriptions())


def _central_collector(port: int) -> Any:
    from central.collector import Collector

    return Collector(BrokerConfig(host="127.0.0.1", port=port), CollectorConfig())


OLD_SCHEMA = """
CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT NOT NULL UNIQUE,
    terminal_id TEXT NOT NULL, border_post TEXT NOT NULL, recorded_at TEXT NOT NULL,
    queued_at REAL NOT NULL, imported INTEGER NOT NULL DEFAULT 0, payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, suspect INTEGER NOT NULL DEFAULT 0,
    retry_at REAL NOT NULL DEFAULT 0, last_error TEXT);
CREATE INDEX outbox_suspect ON outbox(retry_at) WHERE suspect = 1;
CREATE TABLE quarantine (record_id TEXT PRIMARY KEY, seq INTEGER NOT NULL,
    terminal_id TEXT NOT NULL, border_post TEXT NOT NULL, recorded_at TEXT NOT NULL,
    queued_at REAL NOT NULL, imported INTEGER NOT NULL DEFAULT 0, payload TEXT NOT NULL,
    attempts INTEGER NOT NULL, reason TEXT NOT NULL, quarantined_at REAL NOT NULL);
CREATE INDEX quarantine_seq ON quarantine(seq);
CREATE TABLE sent (record_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, recorded_at TEXT NOT NULL,
    sent_at REAL NOT NULL, payload TEXT);
CREATE INDEX sent_seq ON sent(seq);
CREATE INDEX sent_payload ON sent(seq) WHERE payload IS NOT NULL;
CREATE INDEX sent_time ON sent(sent_at);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
PRAGMA journal_mode = WAL;
"""

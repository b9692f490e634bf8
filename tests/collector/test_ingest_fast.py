"""The collector's fast path (central/ingest.py, the lone-original insert, a parsed record
handed on) stores and rejects exactly what the full checks do, on both stores."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from central.db import Database
from central.ingest import canonical_text, plainly_valid
from central.values import unstorable
from imdms.errors import SchemaError
from records.schema import validate_record
from tests.collector.peers import Store
from tests.collector.records import amend, make

TOPIC = "imdms/v1/MSU-BRIDGE/t1/crossing"


@pytest.fixture
def db(store: Store) -> Iterator[Database]:
    db = Database(store.url)
    yield db
    db.close()


def _full_verdict(data: dict[str, Any]) -> bool:
    if unstorable(data) is not None:
        return False
    try:
        validate_record(data)
    except SchemaError:
        return False
    return True


@pytest.mark.parametrize("change", [
    {},
    {"surname": "NUL\x00INSIDE"},
    {"surname": "\ud800"},
    {"surname": "MÜLLER ÅSA"},
    {"monotonic_ns": 2**64},
    {"monotonic_ns": -1},
    {"age_at_crossing": float("nan")},
    {"notes": {"nested": "object"}},
    {"tip_indicators": [["nested"]]},
    {"unknown_field": 1},
    {"bad\x00key": 1},
    {"sex": "F"},
])
def test_fast_verdict_never_accepts_what_the_full_checks_refuse(change: dict[str, Any]) -> None:
    data = {**make(), **change}
    if plainly_valid(data):
        assert _full_verdict(data)
    if not change or change == {"surname": "MÜLLER ÅSA"}:
        assert plainly_valid(data)


def test_parsed_record_stored_as_the_payload_would_be(db: Database) -> None:
    a, b = make(), make()
    assert db.ingest(json.dumps(a).encode(), topic=TOPIC).outcome == "stored"
    out = db.ingest(b"", topic=TOPIC, parsed=dict(b))
    assert (out.outcome, out.record) == ("stored", b)
    assert db.ingest(b"", topic=TOPIC, parsed=dict(b)).outcome == "duplicate"
    rows = dict(db.query("SELECT record_id, payload FROM records"))
    assert json.loads(rows[a["record_id"]]) == a and json.loads(rows[b["record_id"]]) == b
    assert rows[b["record_id"]] == canonical_text(b)


def test_parsed_record_rejected_with_its_reason(db: Database) -> None:
    bad = {**make(), "surname": "A\x00B"}
    out = db.ingest(b"", topic=TOPIC, parsed=bad)
    assert out.outcome == "rejected" and "NUL" in str(out.reason)
    (payload,) = db.query("SELECT payload FROM rejected")[0]
    assert json.loads(payload) == bad  # the canonical form (NUL escaped), as before


def test_lone_original_then_amendment_before_original(db: Database) -> None:
    """The insert that marks an original current at once must give what refresh_winner gave."""
    lone, late = make(), make()
    fix = amend(late, age_at_crossing=40)
    db.ingest(json.dumps(lone).encode())
    db.ingest(json.dumps(fix).encode())  # the amendment first
    db.ingest(json.dumps(late).encode())
    db.commit()
    rows = {r[0]: r[1:] for r in db.query(
        "SELECT record_id, is_current, crossing_ms, crossing_day, root_id FROM records")}
    assert rows[lone["record_id"]][0] == 1 and rows[lone["record_id"]][1] is not None
    assert rows[late["record_id"]][0] == 0 and rows[fix["record_id"]][0] == 1
    assert rows[fix["record_id"]][3] == late["record_id"]
    assert rows[fix["record_id"]][1] is not None and rows[late["record_id"]][1] is None


def test_a_batch_stores_runs_of_originals_as_one_by_one(store: Store) -> None:
    """Runs of plain originals (central/ingest_batch.py) between amendments, an unsynchronised
    record, a duplicate inside the run and one stored before: the same rows as db.ingest."""
    from tests.collector.test_collector_faults import _collector, _msg

    col, db, client = _collector(store)
    before, lone, late, unsynced = make(), make(), make(), {**make(), "clock_synced": False}
    fix = amend(late, age_at_crossing=40)
    db.ingest(json.dumps(before).encode())
    db.commit()
    batch = [before, lone, fix, late, lone, unsynced, make()]
    assert col._try_batch(db, [_msg(i + 1, r) for i, r in enumerate(batch)])
    assert col.counts == {"stored": 5, "duplicate": 2}
    assert client.acked == list(range(1, 8))
    assert db.counter("duplicates") == 2
    rows = {r[0]: r[1:] for r in db.query(
        "SELECT record_id, is_current, crossing_ms IS NOT NULL, root_id FROM records")}
    assert rows[lone["record_id"]] == (1, True, lone["record_id"])
    assert rows[late["record_id"]] == (0, False, late["record_id"])
    assert rows[fix["record_id"]] == (1, True, late["record_id"])
    assert rows[unsynced["record_id"]][0] == 1 and len(rows) == 6
    # every stored or duplicate crossing is receipted (a duplicate is a re-send)
    received = [i for _, p in client.published for i in json.loads(p)["ids"]]
    assert sorted(received) == sorted(r["record_id"] for r in batch)
    db.close()


def test_a_heartbeat_inside_a_batch_corrects_the_records_around_it(store: Store) -> None:
    """Unsynchronised originals before and after a synchronised heartbeat, in one batch: the
    earlier one corrected by the heartbeat, the later one by the offset it left."""
    from central.collector import _Message
    from tests.collector.records import BASE
    from tests.collector.test_collector_faults import _collector, _msg

    col, db, _ = _collector(store)
    early, late = (make(at=BASE.replace(year=2020), clock_synced=False, boot="b-9",
                        terminal="t1", monotonic_ns=ns) for ns in (10**10, 2 * 10**10))
    hb = {"terminal_id": "t1", "boot_id": "b-9", "monotonic_ns": 15_000_000_000,
          "clock_synced": True, "sent_at": "2026-03-02T10:00:05.000Z"}
    beat = _Message("imdms/v1/MSU-BRIDGE/t1/heartbeat", json.dumps(hb).encode(), 2, 1)
    assert col._try_batch(db, [_msg(1, early), beat, _msg(3, late)])
    times = sorted(r["recorded_at"] for r in db.iter_records())
    assert times == ["2026-03-02T10:00:00.000Z", "2026-03-02T10:00:10.000Z"]
    db.close()

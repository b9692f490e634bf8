"""Tracing on both stores: three posts with unsynchronised clocks, a changed passport,
companions, and an audit row for every trace that the same role cannot change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from central.db import Database
from central.trace.audit import audit_rows
from central.trace.index import refresh
from central.trace.search import Query, trace
from imdms.errors import ImdmsError
from records.codes import Direction, Sex
from tests.collector.peers import Store
from tests.trace.helpers import imdms
from tests.trace.people import T0, crossing, ingest, iso

ROOT = Path(__file__).resolve().parents[2]
MONO = 5_000 * 10**9  # the booth's monotonic clock at the crossing (ns since its boot)


@pytest.fixture
def db(store: Store) -> Iterator[Database]:
    d = Database(store.url)
    try:
        yield d
    finally:
        d.close()


def heartbeat(db: Database, terminal: str, boot: str, mono: int, true_wall: Any) -> None:
    payload = {
        "terminal_id": terminal,
        "boot_id": boot,
        "monotonic_ns": mono,
        "clock_synced": True,
        "sent_at": iso(true_wall),
    }
    assert db.ingest_heartbeat(json.dumps(payload).encode()).outcome == "heartbeat"
    db.commit()


def three_posts(db: Database) -> dict[str, dict[str, Any]]:
    """A woman enters at Maseru (synced), leaves two days later at Maputsoe (booth clock
    stuck in 2024), enters at Qachas's Nek on a new passport (booth clock a year ahead)."""
    r = {
        "msu": crossing(at=T0),
        "map": crossing(
            direction=Direction.EXIT,
            post="MAPUTSOE",
            terminal="t-map",
            at=T0.replace(year=2024),
            clock_synced=False,
            boot="b-map",
            monotonic_ns=MONO,
        ),
        "qn": crossing(
            doc="ZAF:M99887766",
            surname="Lerato",
            given="Mokoena",
            post="QACHAS-NEK",
            terminal="t-qn",
            at=T0.replace(year=2027),
            clock_synced=False,
            boot="b-qn",
            monotonic_ns=MONO,
        ),
        "other": crossing(doc="ZAF:A5", given="LINEO", at=T0),  # her sister, same birthday
    }
    ingest(db, *r.values())
    return r


def test_timeline_across_three_posts_in_corrected_time(db: Database) -> None:
    r = three_posts(db)
    refresh(db)  # indexed before the clocks are corrected: the trace reads the live time
    heartbeat(db, "t-map", "b-map", MONO + 60 * 10**9, T0 + timedelta(days=2, seconds=60))
    heartbeat(db, "t-qn", "b-qn", MONO + 60 * 10**9, T0 + timedelta(days=10, seconds=60))
    (person,) = trace(db, Query(doc="ZAF:A01234567"), operator="inv-3", reason="case 2026/114")
    assert [c.record_id for c in person.crossings] == [
        r["msu"]["record_id"],
        r["map"]["record_id"],
        r["qn"]["record_id"],
    ]
    assert [c.to_dict()["at"] for c in person.crossings] == [
        iso(T0),
        iso(T0 + timedelta(days=2)),
        iso(T0 + timedelta(days=10)),
    ]
    assert [c.clock for c in person.crossings] == ["synced", "corrected", "corrected"]
    assert [c.post for c in person.crossings] == ["MSU-BRIDGE", "MAPUTSOE", "QACHAS-NEK"]
    assert person.documents == ["ZAF:A01234567:1990-05-17", "ZAF:M99887766:1990-05-17"]
    # the other passport finds the same person; the name query finds both women
    (same,) = trace(db, Query(doc="ZAF:M99887766:1990-05-17"), operator="inv-3", reason="x")
    assert same.person_id == person.person_id
    both = trace(db, Query(name="Mokoena Lerato", dob="1990-05-17"), operator="inv-3", reason="x")
    assert [p.person_id for p in both] == [person.person_id]
    assert r["other"]["record_id"] not in [c.record_id for p in both for c in p.crossings]


def test_companions_group_and_accompanying_adult(db: Database) -> None:
    mother = crossing(doc="LSO:RA1", nationality="LSO", group="g-7")
    child = crossing(
        doc="LSO:RC1",
        given="TSEPO",
        sex=Sex.MALE,
        dob="2018-02-02",
        nationality="LSO",
        group="g-7",
        adult=None,
    )
    child["accompanying_adult_ref"] = mother["record_id"]
    child["relationship_to_adult"] = "PARENT"
    driver = crossing(doc="ZAF:D1", given="SIPHO", sex=Sex.MALE, dob="1970-01-01", group="g-7")
    ingest(db, mother, child, driver)
    (kid,) = trace(db, Query(record=child["record_id"]), operator="sw-1", reason="welfare check")
    rel = {c["record_id"]: c["relation"] for c in kid.crossings[0].companions}
    assert rel == {mother["record_id"]: "accompanying adult", driver["record_id"]: "same group"}
    group = trace(db, Query(group="g-7"), operator="sw-1", reason="welfare check")
    assert len(group) == 3
    mum = [p for p in group if p.crossings[0].record_id == mother["record_id"]][0]
    assert {c["relation"] for c in mum.crossings[0].companions} == {
        "minor in their care",
        "same group",
    }


def test_every_trace_is_audited_even_without_results(db: Database) -> None:
    three_posts(db)
    trace(db, Query(doc="ZAF:A01234567"), operator="inv-3", reason="case 2026/114")
    trace(db, Query(doc="LSO:NOBODY"), operator="inv-4", reason="tip-off 12")
    trace(db, Query(name="Lerato Mokoena", dob="1990"), operator="inv-4", reason="tip-off 12")
    rows = audit_rows(db)
    assert [(r["operator"], r["action"], r["params"], r["result_count"]) for r in rows] == [
        ("inv-3", "trace", {"doc": "ZAF:A01234567"}, 3),
        ("inv-4", "trace", {"doc": "LSO:NOBODY"}, 0),
        ("inv-4", "trace", {"name": "Lerato Mokoena", "dob": "1990"}, 3),
    ]
    assert rows[0]["reason"] == "case 2026/114"


@pytest.mark.parametrize(("operator", "reason"), [("", "why"), ("inv-1", "  "), (None, None)])
def test_no_trace_without_operator_and_reason(
    db: Database, operator: str | None, reason: str | None
) -> None:
    three_posts(db)
    with pytest.raises(ImdmsError):
        trace(db, Query(doc="ZAF:A01234567"), operator=operator, reason=reason)  # type: ignore[arg-type]
    assert audit_rows(db) == []


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_log SET reason = 'nothing to see'", "DELETE FROM audit_log"]
)
def test_the_audit_table_refuses_update_and_delete(db: Database, sql: str) -> None:
    three_posts(db)
    trace(db, Query(doc="ZAF:A01234567"), operator="inv-3", reason="case 2026/114")
    with pytest.raises(Exception) as err:
        db.execute(sql)
    assert db.is_db_error(err.value) and "append-only" in str(err.value)
    db.rollback()
    assert [r["reason"] for r in audit_rows(db)] == ["case 2026/114"]


def test_cli_traces_in_its_own_process_and_keeps_names_out_of_stderr(
    db: Database, store: Store
) -> None:
    r = three_posts(db)
    who = ("--reason", "case 2026/114", "--operator", "inv-3", "--database", store.url)
    done = imdms("trace", "--doc", "ZAF:A01234567", "--json", *who)
    assert done.returncode == 0, done.stderr
    (person,) = json.loads(done.stdout)
    assert [c["record_id"] for c in person["crossings"]] == [
        r["map"]["record_id"],
        r["msu"]["record_id"],
        r["qn"]["record_id"],
    ]  # no heartbeat yet: Maputsoe's exit sorts where its booth's clock put it (2024)
    assert [c["clock"] for c in person["crossings"]] == ["uncorrected", "synced", "uncorrected"]
    table = imdms("trace", "--name", "lerato mokoena", "--dob", "1990-05-17", *who)
    assert table.returncode == 0 and "QACHAS-NEK" in table.stdout
    for out in (done.stderr, table.stderr):
        assert "MOKOENA" not in out.upper() and "A01234567" not in out and "1990" not in out
    refused = imdms("trace", "--doc", "ZAF:A01234567", "--database", store.url)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "--operator" in refused.stderr
    assert len(audit_rows(db)) == 2


@pytest.mark.parametrize("dob", ["1990-13-45", "199x", "yesterday", ""])
def test_a_bad_date_of_birth_is_a_clear_error(db: Database, dob: str) -> None:
    with pytest.raises(ImdmsError) as err:
        trace(db, Query(name="Lerato Mokoena", dob=dob), operator="inv-1", reason="case 1")
    assert "--dob" in err.value.message and (not dob or dob not in err.value.message)

"""Cases in the central store, on SQLite and on a real PostgreSQL: opening from committed
records (once per crossing), listing, showing and changing them, each audited append-only."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from central.cases.audit import audit_rows
from central.cases.desk import CaseDesk, sweep
from central.cases.lifecycle import Status
from central.cases.schema import ensure_schema
from central.cases.store import list_cases, set_status, show
from central.db import Database
from config.models import CasesConfig
from imdms.errors import ImdmsError
from records.case_id import case_id
from records.codes import TipReferral
from tests.cases.records import DOC, SURNAME, plain, referred
from tests.collector.peers import Store
from tests.collector.records import amend

ROSTER = CasesConfig.model_validate(
    {"roster": {"SOCIAL_WELFARE": [{"email": ["duty@sw.example"]}]}})


@pytest.fixture
def db(store: Store) -> Iterator[Database]:
    database = Database(store.url)
    ensure_schema(database)
    try:
        yield database
    finally:
        database.close()


def _commit(db: Database, desk: CaseDesk, *records: dict[str, object]) -> int:
    for data in records:
        db.store(dict(data))
    db.commit()
    return desk.after_commit(db, [json.dumps(d).encode() for d in records])


@pytest.fixture
def desk(store: Store) -> Iterator[CaseDesk]:
    yield CaseDesk(ROSTER, store.url, "imdms/v1", None, dispatch=False)


def test_a_case_per_referred_crossing(db: Database, desk: CaseDesk) -> None:
    rec = referred()
    assert _commit(db, desk, rec, plain()) == 1
    assert _commit(db, desk, rec) == 0  # a re-send
    fix = amend(rec, tip_referral=TipReferral.SOCIAL_WELFARE, notes="typo")
    assert _commit(db, desk, fix) == 0  # the crossing has its case
    cases = list_cases(db, "sup-1")
    assert [c["case_id"] for c in cases] == [case_id(rec["record_id"])]
    c = cases[0]
    assert (c["unit"], c["status"], c["border_post"]) == ("SOCIAL_WELFARE", "received",
                                                          "MSU-BRIDGE")
    assert c["notified"] == "pending 0/1 (0 tries)"
    assert SURNAME not in json.dumps(cases) and DOC not in json.dumps(cases)
    assert audit_rows(db)[-1]["action"] == "list"


def test_amendment_adding_a_referral_opens_the_roots_case(db: Database, desk: CaseDesk) -> None:
    rec = plain()
    _commit(db, desk, rec)
    fix = amend(rec, tip_referral=TipReferral.POLICE_ANTI_TRAFFICKING)
    assert _commit(db, desk, fix) == 1
    (c,) = list_cases(db, "sup-1")
    assert c["case_id"] == case_id(rec["record_id"])  # the booth's id: the crossing's first
    assert c["record_id"] == fix["record_id"]
    assert c["notified"].startswith("FAILED: no one on the roster")


def test_show_needs_reason_and_is_audited(db: Database, desk: CaseDesk) -> None:
    rec = referred()
    _commit(db, desk, rec)
    cid = case_id(rec["record_id"])
    with pytest.raises(ImdmsError, match="reason"):
        show(db, cid, operator="sup-1", reason=" ")
    with pytest.raises(ImdmsError, match="operator"):
        show(db, cid, operator=None, reason="call")
    case = show(db, cid.lower(), operator="sup-1", reason="unit asked for details")
    assert case["person"]["surname"] == SURNAME
    assert case["events"][0]["to"] == "received"
    with pytest.raises(ImdmsError, match="no case"):
        show(db, case_id("other"), operator="sup-1", reason="typo")
    rows = [r for r in audit_rows(db) if r["action"] == "show"]
    assert [(r["operator"], r["reason"], r["result_count"]) for r in rows] == [
        ("sup-1", "unit asked for details", 1), ("sup-1", "typo", 0)]
    assert all(SURNAME not in json.dumps(r) for r in audit_rows(db))


def test_status_changes_validated_and_logged(db: Database, desk: CaseDesk) -> None:
    rec = referred()
    _commit(db, desk, rec)
    cid = case_id(rec["record_id"])
    with pytest.raises(ImdmsError, match="cannot become"):
        set_status(db, cid, Status.IDENTIFIED, operator="sw-3", note=None)
    for new in (Status.CONTACTED, Status.INTERVIEWED, Status.NOT_A_VICTIM, Status.CLOSED):
        set_status(db, cid, new, operator="sw-3", note=f"step {new.value}")
    with pytest.raises(ImdmsError, match="closed"):
        set_status(db, cid, Status.CONTACTED, operator="sw-3", note="again")
    case = show(db, cid, operator="sw-3", reason="review")
    assert [e["to"] for e in case["events"]] == [
        "received", "contacted", "interviewed", "not_a_victim", "closed"]
    assert case["events"][-1]["operator"] == "sw-3"
    assert case["updated_by"] == "sw-3"
    assert [c["case_id"] for c in list_cases(db, "x", Status.CLOSED)] == [cid]
    assert list_cases(db, "x", Status.RECEIVED) == []
    changes = [r for r in audit_rows(db) if r["action"] == "set-status"]
    assert [r["params"]["to"] for r in changes] == [
        "contacted", "interviewed", "not_a_victim", "closed"]


@pytest.mark.parametrize("table", ["case_events", "case_audit"])
def test_logs_are_append_only(db: Database, desk: CaseDesk, table: str) -> None:
    _commit(db, desk, referred())
    list_cases(db, "sup-1")
    for sql in (f"UPDATE {table} SET operator = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(Exception, match="append-only"):
            db.execute(sql)
        db.rollback()
    if db.postgres:
        with pytest.raises(Exception, match="append-only"):
            db.execute(f"TRUNCATE {table}")
        db.rollback()


def test_sweep_opens_missed_cases(db: Database) -> None:
    rec = referred(TipReferral.POLICE_CHILD_GENDER_PROTECTION)
    db.store(rec)
    db.commit()
    assert sweep(db, ROSTER) == 1
    assert sweep(db, ROSTER) == 0
    (c,) = list_cases(db, "sup-1")
    assert c["unit"] == "POLICE_CHILD_GENDER_PROTECTION"


def test_a_failing_hook_never_raises(db: Database, desk: CaseDesk,
                                     caplog: pytest.LogCaptureFixture) -> None:
    rec = referred()
    db.store(rec)
    db.commit()
    assert desk.after_commit(db, [b"not json", json.dumps(rec).encode()]) == 0
    assert "could not open referral cases: JSONDecodeError" in caplog.text
    assert SURNAME not in caplog.text
    assert desk.after_commit(db, []) == 1  # the next batch sweeps

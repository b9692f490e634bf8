"""`purge` against an injected clock on both stores: exactly the expired go (with their derived
rows), overstays and cases stay longer, the audit log keeps a verifiable chain, a dry run
changes nothing, and the purge is itself audited with counts only."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from central.audit.chain import Entry, append
from central.audit.schema import ensure_schema
from central.audit.verify import verify
from central.db import Database
from central.retention.purge import purge
from central.trace.index import refresh
from config.models import RetentionConfig
from records.clock import iso_z
from records.codes import Direction
from tests.trace.people import crossing, ingest

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
DEFAULTS = RetentionConfig()


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def referred(r: dict[str, Any]) -> dict[str, Any]:
    r["tip_referral"] = "POLICE_ANTI_TRAFFICKING"
    return r


SURNAMES = {"OLD1": "THABO", "YOUNG1": "NTHABISENG", "OVER1": "MOSHOESHOE", "OVER2": "LETSIE",
            "STAY1": "MAKOA", "CASE1": "SEEISO", "CASE2": "MATETE"}


def person(doc: str, at: datetime, **kw: Any) -> dict[str, Any]:
    """One of seven unrelated people (own name and birth date: the index links none)."""
    number = doc.split(":")[1]
    i = list(SURNAMES).index(number)
    dob = f"19{60 + 5 * i}-0{i + 1}-1{i}"
    return crossing(doc=doc, at=at, surname=SURNAMES[number], dob=dob, **kw)


def people(db: Database) -> dict[str, dict[str, Any]]:
    """Crossings either side of every cut-off (defaults: 1096, 1827, 3653 days)."""
    r = {
        "old": person("ZAF:OLD1", ago(1100)),
        "young": person("ZAF:YOUNG1", ago(1090)),
        # a 10-day stay overrun by 20 days, 4 years ago: kept 5 years, entry and exit
        "over_in": person("ZAF:OVER1", ago(1500), stay=10),
        "over_out": person("ZAF:OVER1", ago(1470), direction=Direction.EXIT),
        # the same, 6 years ago: gone
        "old_over_in": person("ZAF:OVER2", ago(2200), stay=10),
        "old_over_out": person("ZAF:OVER2", ago(2170), direction=Direction.EXIT),
        # a stay kept within its days, 4 years ago: an ordinary crossing
        "ok_in": person("ZAF:STAY1", ago(1500), stay=30),
        "ok_out": person("ZAF:STAY1", ago(1480), direction=Direction.EXIT),
        "case": referred(person("ZAF:CASE1", ago(3000))),
        "old_case": referred(person("ZAF:CASE2", ago(3700))),
    }
    ingest(db, *r.values())
    fix = person("ZAF:OLD1", ago(1099), given="LERATO MPHO")
    fix["amends"] = r["old"]["record_id"]
    fix["amend_reason"] = "name corrected"
    ingest(db, fix)
    r["old_fix"] = fix
    refresh(db)
    return r


def record_ids(db: Database) -> set[str]:
    return {str(x[0]) for x in db.query("SELECT record_id FROM records")}


GONE = ("old", "old_fix", "old_over_in", "old_over_out", "ok_in", "ok_out", "old_case")
KEPT = ("young", "over_in", "over_out", "case")


def test_purge_deletes_exactly_the_expired(db: Database) -> None:
    r = people(db)
    before = db.query("SELECT COUNT(*) FROM trace_entities")[0][0]
    result = purge(db, DEFAULTS, now=NOW)
    assert record_ids(db) == {r[k]["record_id"] for k in KEPT}
    assert result.kinds == {"crossings": 5, "cases": 1, "photos": 0, "audit": 0,
                            "rejected": 0, "kept_overstay": 2, "kept_cases": 1}
    assert result.tables["records"] == len(GONE)
    roots = {str(x[0]) for x in db.query("SELECT root_id FROM trace_entries")}
    assert roots == {r[k]["record_id"] for k in KEPT}
    entities = {str(x[0]) for x in db.query("SELECT entity FROM trace_entities")}
    assert len(entities) == 3 < before  # YOUNG1, OVER1, CASE1: the others' documents went
    assert all(e.split(":")[1] in ("YOUNG1", "OVER1", "CASE1") for e in entities)


def test_indicators_and_rejected_messages_go_too(db: Database) -> None:
    old = crossing(doc="ZAF:OLD1", at=ago(1200))
    old["tip_indicators"] = ["COMPANION_ANSWERS"]
    referred(old)
    ingest(db, old)
    db.reject("imdms/v1/x/t/crossing", b"{}", "not a crossing")
    db.execute("UPDATE rejected SET received_at = ?", (iso_z(ago(1200)),))
    db.commit()
    assert purge(db, RetentionConfig(cases_days=1100), now=NOW).kinds["cases"] == 1
    assert db.query("SELECT COUNT(*) FROM record_indicators")[0][0] == 0
    assert db.query("SELECT COUNT(*) FROM rejected")[0][0] == 0


def test_a_dry_run_counts_and_changes_nothing(db: Database) -> None:
    people(db)
    ids = record_ids(db)
    dry = purge(db, DEFAULTS, now=NOW, dry_run=True)
    assert record_ids(db) == ids and dry.audit_seq is None
    assert verify(db).count == 0  # not audited
    assert purge(db, DEFAULTS, now=NOW).kinds == dry.kinds


def test_the_purge_is_audited_with_counts_only(db: Database) -> None:
    r = people(db)
    result = purge(db, DEFAULTS, now=NOW, operator="dpo-1")
    (row,) = db.query("SELECT kind, operator, reason, at, detail FROM audit_log WHERE seq = ?",
                      (result.audit_seq,))
    assert row[:4] == ("purge", "dpo-1", "retention", iso_z(NOW))
    text = str(row[4])
    assert json.loads(text)["kinds"]["crossings"] == 5
    for rec in r.values():  # no record id, name or number in the purge row
        assert rec["record_id"] not in text and str(rec["document_number"]) not in text
    assert "MOKOENA" not in text


def audit_at(db: Database, days_ago: float, n: int = 1) -> None:
    for _ in range(n):
        append(db, Entry("central", "trace", operator="inv-1", reason="case 1",
                         detail={"params": {"doc": "ZAF:X"}, "result_count": 0}),
               at=iso_z(ago(days_ago)))
    db.commit()


def test_purging_the_audit_log_keeps_it_verifiable(db: Database) -> None:
    ensure_schema(db)
    audit_at(db, 4100, 3)  # past audit_days (4018)
    audit_at(db, 4000, 2)
    result = purge(db, DEFAULTS, now=NOW)
    assert result.kinds["audit"] == 3
    seqs = [int(x[0]) for x in db.query("SELECT seq FROM audit_log ORDER BY seq")]
    assert seqs == [4, 5, 6]  # 6: the purge row, which anchors 4
    v = verify(db)
    assert v.ok and v.count == 3 and v.first_seq == 4
    # years later: the first purge row goes in its turn, the second anchors what remains
    later = NOW + timedelta(days=4100)
    audit_at(db, -300)
    second = purge(db, DEFAULTS, now=later)
    assert second.kinds["audit"] == 3  # rows 4, 5 and the first purge row (row 7 is young)
    v = verify(db)
    assert v.ok and v.first_seq == 7 and v.count == 2


def test_rows_a_purge_does_not_cover_stay_guarded(db: Database) -> None:
    ensure_schema(db)
    audit_at(db, 4100, 2)
    audit_at(db, 10, 2)
    purge(db, DEFAULTS, now=NOW)
    with pytest.raises(Exception) as err:
        db.execute("DELETE FROM audit_log WHERE seq = 3")
    assert db.is_db_error(err.value) and "append-only" in str(err.value)
    db.rollback()
    assert verify(db).ok


def test_audit_must_outlive_the_data() -> None:
    with pytest.raises(ValueError, match="audit_days"):
        RetentionConfig(cases_days=4000, audit_days=3000)

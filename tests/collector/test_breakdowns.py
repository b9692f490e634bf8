"""Refusals, ages from the corrected time, breakdowns and unaccompanied minors (issue 19)."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from central.db import Database
from central.report import sql_summary
from imdms.cli import main
from records.codes import (
    Decision,
    Direction,
    Purpose,
    RefusalReason,
    TipIndicator,
    TransportMode,
    TravellerCategory,
)
from records.stats import summarise
from tests.collector.peers import Store
from tests.collector.records import ADULT_REF, BASE, make


@pytest.fixture
def db(store: Store) -> Iterator[Database]:
    db = Database(store.url)
    yield db
    db.close()


def test_refused_is_not_a_crossing() -> None:
    recs = [
        make(),
        make(direction=Direction.EXIT),
        make(decision=Decision.REFUSED, refusal_reason=RefusalReason.B_FALSE_DOCUMENT),
        make(decision=Decision.REFUSED, refusal_reason=RefusalReason.B_FALSE_DOCUMENT),
        make(decision=Decision.REFUSED, refusal_reason=RefusalReason.G_ENTRY_BAN, age=10),
        make(decision=Decision.REFERRED),
    ]
    s = summarise(recs)
    assert (s.entries, s.exits, s.net_migration, s.persons, s.refused) == (2, 1, 1, 3, 3)
    assert s.totals == {"ENTRY": 2, "EXIT": 1}
    assert s.minors == {}
    assert s.refusals == {"ENTRY|B_FALSE_DOCUMENT": 2, "ENTRY|G_ENTRY_BAN": 1}
    assert s.breakdowns["decision"] == {
        "ENTRY|ADMITTED": 1,
        "ENTRY|REFERRED": 1,
        "ENTRY|REFUSED": 3,
        "EXIT|ADMITTED": 1,
    }


def test_breakdowns_and_unaccompanied_minors() -> None:
    recs = [
        make(
            category=TravellerCategory.MINEWORKER,
            purpose=Purpose.EMPLOYMENT,
            stay_days=200,
            residence="ZAF",
            transport=TransportMode.BUS,
        ),
        make(category=TravellerCategory.MINEWORKER, direction=Direction.EXIT),
        make(age=12),  # alone: unaccompanied
        make(age=12, adult_ref=ADULT_REF),  # with a linked adult
        make(age=12, group="school-trip-4"),  # in a group
        make(age=12, decision=Decision.REFUSED),  # refused: not a crossing
    ]
    s = summarise(recs, by_post=True)
    assert s.breakdowns["traveller_category"] == {
        "ENTRY|MINEWORKER|MSU-BRIDGE": 1,
        "ENTRY|UNKNOWN|MSU-BRIDGE": 3,
        "EXIT|MINEWORKER|MSU-BRIDGE": 1,
    }
    assert s.breakdowns["purpose"]["ENTRY|EMPLOYMENT|MSU-BRIDGE"] == 1
    assert s.breakdowns["stay_band"]["ENTRY|MONTHS_3_TO_12|MSU-BRIDGE"] == 1
    assert s.breakdowns["residence"]["ENTRY|ZAF|MSU-BRIDGE"] == 1
    assert s.breakdowns["transport_mode"]["ENTRY|BUS|MSU-BRIDGE"] == 1
    assert s.minors == {"ENTRY|MSU-BRIDGE": 3}
    assert s.unaccompanied_minors == {"ENTRY|MSU-BRIDGE": 1}


def test_proposed_category_is_told_apart_from_chosen(db: Database) -> None:
    """Issue 21: a category the booth proposed and the officer confirmed, a proposal the
    officer changed, and one chosen with no proposal are three figures, booth and centre."""
    recs = [
        make(category=TravellerCategory.MINEWORKER, proposed=True),
        make(category=TravellerCategory.MINEWORKER, proposed=True),
        make(category=TravellerCategory.VISITOR, proposed=False),
        make(category=TravellerCategory.CITIZEN),
        make(proposed=True, decision=Decision.REFUSED),  # refused: not a crossing
    ]
    s = summarise(recs)
    assert s.breakdowns["category_source"] == {
        "ENTRY|CHOSEN": 1, "ENTRY|PROPOSAL_CHANGED": 1, "ENTRY|PROPOSED_CONFIRMED": 2}
    for rec in recs:
        db.ingest(json.dumps(rec).encode())
    db.commit()
    assert sql_summary(db) == s


def test_age_is_dated_from_the_crossing_time() -> None:
    # a booth clock stuck at 1970: no age at the booth (its own clock, its shift summary)
    stuck = make(date_of_birth="1990-06-15", at=datetime(1970, 1, 1, 0, 5, tzinfo=UTC))
    assert stuck["age_band"] is None and stuck["minor"] is None
    assert summarise([stuck]).cells == {"ENTRY|FEMALE|UNKNOWN|LSO": 1}
    # the same record with the corrected time (as the centre's iter_records gives it)
    fixed = dict(stuck, recorded_at="2026-03-01T06:00:00.000Z")
    assert summarise([fixed]).cells == {"ENTRY|FEMALE|35-39|LSO": 1}


def _stuck_clock_records() -> tuple[list[dict[str, object]], dict[str, object]]:
    epoch = datetime(1970, 1, 1, 0, 5, tzinfo=UTC)
    common: dict[str, object] = dict(at=epoch, clock_synced=False, boot="b-70", terminal="t1")
    adult = make(date_of_birth="1990-06-15", monotonic_ns=300_000_000_000, **common)  # type: ignore[arg-type]
    child = make(date_of_birth="2016-01-20", monotonic_ns=310_000_000_000, **common)  # type: ignore[arg-type]
    heartbeat = {
        "terminal_id": "t1",
        "boot_id": "b-70",
        "monotonic_ns": 400_000_000_000,
        "clock_synced": True,
        "sent_at": "2026-03-01T06:00:00.000Z",
    }
    return [adult, child], heartbeat


@pytest.mark.parametrize("heartbeat_first", [False, True])
def test_centre_recomputes_age_from_corrected_time(db: Database, heartbeat_first: bool) -> None:
    recs, hb = _stuck_clock_records()
    booth = summarise(recs)
    assert booth.cells == {"ENTRY|FEMALE|UNKNOWN|LSO": 2} and booth.minors == {}
    if heartbeat_first:
        db.heartbeat(json.dumps(hb).encode())
    for rec in recs:
        db.ingest(json.dumps(rec).encode())
    if not heartbeat_first:
        db.heartbeat(json.dumps(hb).encode())
    db.commit()
    s = sql_summary(db)
    assert s.cells == {"ENTRY|FEMALE|10-14|LSO": 1, "ENTRY|FEMALE|35-39|LSO": 1}
    assert s.minors == {"ENTRY": 1} and s.unaccompanied_minors == {"ENTRY": 1}
    assert summarise(db.iter_records()) == s


def test_amendment_is_aged_at_the_originals_time(db: Database) -> None:
    """An amendment made years later keeps the person's age when they crossed."""
    from tests.collector.records import amend

    orig = make(date_of_birth="2008-03-05", at=BASE)  # 17 on 2026-03-01: a minor
    fix = amend(orig, at=datetime(2027, 6, 1, tzinfo=UTC), nationality="ZAF")
    assert fix["minor"] is False  # the booth dated the amendment from its own time
    for rec in (fix, orig):
        db.ingest(json.dumps(rec).encode())
    db.commit()
    s = sql_summary(db)
    assert s.cells == {"ENTRY|FEMALE|15-19|ZAF": 1} and s.minors == {"ENTRY": 1}
    assert summarise([orig, fix]) == s


def _cli(db_url: str, tmp_path: Path, *extra: str) -> int:
    (tmp_path / "none.toml").write_text("")
    args = ["report", "--database", db_url, "--config", str(tmp_path / "none.toml")]
    return main([*args, "--from", "2026-03-01", "--to", "2026-03-31", *extra])


def test_cli_public_and_sensitive(
    db: Database, store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recs = [make(category=TravellerCategory.MINEWORKER) for _ in range(7)]
    recs += [
        make(category=TravellerCategory.TRADER, tips=(TipIndicator.COMPANION_ANSWERS,)),
        make(decision=Decision.REFUSED, refusal_reason=RefusalReason.C_NO_VALID_VISA),
    ]
    for rec in recs:
        db.ingest(json.dumps(rec).encode())
    db.commit()
    # default (internal): every cell, no trafficking figures
    assert _cli(store.url, tmp_path, "--format", "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    got = {(r["table"], r["category"]): r["persons"] for r in rows if r["category"]}
    assert got[("traveller_category", "MINEWORKER")] == "7"
    assert got[("traveller_category", "TRADER")] == "1"
    assert got[("refusals", "C_NO_VALID_VISA")] == "1"
    assert got[("decision", "REFUSED")] == "1"
    assert not any(r["table"] in ("indicators", "persons_flagged") for r in rows)
    # public: suppressed by default (threshold 5 when none is configured)
    month = ("--post", "MSU-BRIDGE", "--by", "month")
    assert _cli(store.url, tmp_path, "--format", "json", "--public", *month) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["suppress_below"] == 5 and "sensitive" not in doc
    assert doc["breakdowns"]["traveller_category"] == {
        "ENTRY|MINEWORKER|2026-03": 7,
        "ENTRY|TRADER|2026-03": None,
    }
    assert doc["refusals"] == {"ENTRY|C_NO_VALID_VISA|2026-03": None}
    assert doc["entries"] == 8 and doc["refused"] == 1
    assert _cli(store.url, tmp_path, "--public", "--suppress-below", "0") == 2
    assert "--public needs small-cell suppression" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse: not allowed together
        _cli(store.url, tmp_path, "--public", "--sensitive")
    assert "not allowed with" in capsys.readouterr().err
    # sensitive: the restricted section, written 0600
    out = tmp_path / "restricted.json"
    assert _cli(store.url, tmp_path, "--format", "json", "--sensitive", "-o", str(out)) == 0
    assert json.loads(out.read_text())["sensitive"]["indicators"] == {"COMPANION_ANSWERS": 1}
    assert os.stat(out).st_mode & 0o777 == 0o600


def test_older_table_gets_the_new_columns(store: Store) -> None:
    """A store made before the breakdowns: the next collector start adds and fills them."""
    from central.columns import ADDED_COLUMNS

    recs = [
        make(decision=Decision.REFUSED, refusal_reason=RefusalReason.A_NO_VALID_DOCUMENT),
        make(category=TravellerCategory.MINEWORKER, age=10),
        make(),
    ]
    db = Database(store.url)
    for rec in recs:
        db.ingest(json.dumps(rec).encode())
    for index in ("records_cells", "records_breakdowns"):
        db.execute(f"DROP INDEX {index}")
    for name, _ in ADDED_COLUMNS:  # back to the first release's table
        db.execute(f"ALTER TABLE records DROP COLUMN {name}")
    db.close()
    db = Database(store.url)
    try:
        s = sql_summary(db)
        assert s == summarise(recs)
        assert s.refusals == {"ENTRY|A_NO_VALID_DOCUMENT": 1} and s.persons == 2
        assert s.unaccompanied_minors == {"ENTRY": 1}
    finally:
        db.close()

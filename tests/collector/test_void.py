"""A "void: duplicate/mistake" amendment cancels its crossing in the booth summary and in the
central report alike (one rule: records.stats.is_void)."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

from central.db import Database
from central.report import sql_summary
from records.codes import Sex
from records.schema import validate_record
from records.stats import resolve, summarise
from tests.collector.records import BASE, amend, make, random_records


def test_void_cancels_the_crossing_everywhere(tmp_path: Path) -> None:
    rnd = random.Random(3)
    recs = random_records(200, seed=3, days=5)
    voids = [amend(r, at=BASE + timedelta(days=6), void=rnd.choice(["DUPLICATE", "MISTAKE"]))
             for r in recs[::9]]
    fixed = [amend(r, sex=Sex.FEMALE) for r in recs[1::9]]
    # a void of a corrected crossing wins over the correction (it is the latest version)
    void_of_fix = [amend(f, at=BASE + timedelta(days=7), void="MISTAKE") for f in fixed[::3]]
    everything = recs + voids + fixed + void_of_fix + recs[:10]
    rnd.shuffle(everything)
    for rec in voids + void_of_fix:
        validate_record(rec)
    booth = summarise(everything)
    cancelled = len(voids) + len(void_of_fix)
    voided_ids = {r["record_id"] for r in recs[::9] + recs[1::9][::3]}
    # refusals are not crossings either (counted in their own table)
    crossing = [r for r in recs if r["record_id"] not in voided_ids
                and r.get("decision") != "REFUSED"]
    assert booth.persons == len(crossing)
    assert resolve(everything).voided == cancelled
    db = Database(str(tmp_path / "central.sqlite3"))
    try:
        for rec in everything:
            assert db.ingest(json.dumps(rec).encode()).outcome in ("stored", "duplicate")
        db.commit()
        assert sql_summary(db) == booth
        assert summarise(db.iter_records()) == booth
    finally:
        db.close()


def test_void_before_its_original_arrives(tmp_path: Path) -> None:
    original = make()
    void = amend(original, at=BASE + timedelta(hours=1), void="DUPLICATE")
    db = Database(str(tmp_path / "central.sqlite3"))
    try:
        db.ingest(json.dumps(void).encode())
        db.commit()
        assert sql_summary(db).persons == 0
        db.ingest(json.dumps(original).encode())
        db.commit()
        assert sql_summary(db).persons == 0 == summarise([void, original]).persons
    finally:
        db.close()


def test_record_without_the_new_optional_fields_is_valid() -> None:
    """watchlist_acknowledged, watchlist_judgement and void are additive: older terminals'
    records stay valid."""
    rec = make()
    for key in ("watchlist_acknowledged", "watchlist_judgement", "void"):
        rec.pop(key)
    validate_record(rec)

"""The person index on both stores: who is linked, who stays apart, and a supervisor's say."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from central.db import Database
from central.trace import links
from central.trace.audit import audit_rows
from central.trace.index import refresh
from records.codes import Direction, Sex
from tests.collector.peers import Store
from tests.collector.records import amend
from tests.trace.people import crossing, ingest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(store: Store) -> Iterator[Database]:
    d = Database(store.url)
    try:
        yield d
    finally:
        d.close()


def person_of(db: Database, record_id: str) -> str:
    rows = db.query("SELECT person_id FROM trace_entries WHERE root_id = ?", (record_id,))
    return str(rows[0][0])


def test_a_changed_passport_is_linked_by_name_dob_sex_nationality(db: Database) -> None:
    old = crossing(doc="ZAF:A01234567", surname="MOKOENA", given="LERATO")
    back = crossing(doc="ZAF:A01234567", direction=Direction.EXIT, days=3)
    new = crossing(doc="ZAF:M99887766", surname="Mokoena", given="Lerato", days=200)
    ingest(db, old, back, new)
    assert refresh(db) == 3
    assert person_of(db, old["record_id"]) == person_of(db, new["record_id"])
    (link,) = db.query("SELECT status, confidence, evidence FROM trace_links")
    assert link[0] == "auto" and float(link[1]) >= 0.9
    assert '"dob": "same"' in str(link[2])


def test_transliterations_and_swapped_order_are_one_person(db: Database) -> None:
    variants = [
        crossing(doc="DEU:C1", surname="MUELLER", given="HANS PETER", nationality="DEU"),
        crossing(doc="DEU:C2", surname="Müller", given="Hans-Peter", nationality="DEU", days=1),
        crossing(doc="DEU:C3", surname="HANS PETER", given="MULLER", nationality="DEU", days=2),
    ]
    ingest(db, *variants)
    refresh(db)
    assert len({person_of(db, v["record_id"]) for v in variants}) == 1


def test_same_name_different_dob_stays_apart(db: Database) -> None:
    a = crossing(doc="LSO:RA1", dob="1990-05-17", nationality="LSO")
    b = crossing(doc="LSO:RA2", dob="1991-05-17", nationality="LSO")
    c = crossing(doc="LSO:RA3", dob="1990-05-17", nationality="LSO", sex=Sex.MALE)
    ingest(db, a, b, c)
    refresh(db)
    assert len({person_of(db, r["record_id"]) for r in (a, b, c)}) == 3


def test_twins_stay_apart(db: Database) -> None:
    # different given names, same dob, surname, sex, nationality
    a = crossing(doc="LSO:RA1", given="LERATO", nationality="LSO", group="g-1")
    b = crossing(doc="LSO:RA2", given="LINEO", nationality="LSO", group="g-1")
    # identical names (it happens): they crossed together, so they are two people
    c = crossing(doc="LSO:RB1", given="PALESA", dob="2001-01-01", nationality="LSO", group="g-2")
    d = crossing(doc="LSO:RB2", given="PALESA", dob="2001-01-01", nationality="LSO", group="g-2")
    ingest(db, a, b, c, d)
    refresh(db)
    assert len({person_of(db, r["record_id"]) for r in (a, b, c, d)}) == 4


def test_undocumented_link_is_suggested_then_confirmed_then_split(db: Database) -> None:
    doc = crossing(doc="LSO:RA1", nationality="LSO")
    bare = crossing(doc=None, dob=None, age=35, nationality="LSO", given="Lerato", days=30)
    ingest(db, doc, bare)
    refresh(db)
    assert person_of(db, doc["record_id"]) != person_of(db, bare["record_id"])
    (found,) = links.list_links(db, person_of(db, doc["record_id"]))
    assert found["status"] == "suggested" and found["evidence"]["dob"] == "approximate age"

    links.confirm(db, found["link"], operator="sup-1", reason="interview 2026/7")
    assert person_of(db, doc["record_id"]) == person_of(db, bare["record_id"])
    refresh(db, full=True)  # a rebuild keeps the supervisor's decision
    assert person_of(db, doc["record_id"]) == person_of(db, bare["record_id"])

    ids = links.split(db, found["link"], operator="sup-1", reason="not the same woman")
    assert len(ids) == 2
    assert person_of(db, doc["record_id"]) != person_of(db, bare["record_id"])
    refresh(db, full=True)
    assert person_of(db, doc["record_id"]) != person_of(db, bare["record_id"])
    actions = [(r["action"], r["operator"]) for r in audit_rows(db)]
    assert actions == [("link-confirm", "sup-1"), ("link-split", "sup-1")]


def test_split_of_an_auto_link_separates_a_wrong_merge(db: Database) -> None:
    a = crossing(doc="ZAF:A1")
    b = crossing(doc="ZAF:A2", days=5)
    ingest(db, a, b)
    refresh(db)
    assert person_of(db, a["record_id"]) == person_of(db, b["record_id"])
    (lid,) = db.query("SELECT id FROM trace_links")
    links.split(db, int(lid[0]), operator="sup-2", reason="two women, one name")
    assert person_of(db, a["record_id"]) != person_of(db, b["record_id"])
    refresh(db, full=True)
    assert person_of(db, a["record_id"]) != person_of(db, b["record_id"])


def test_incremental_refresh_indexes_only_new_records_and_amendments(db: Database) -> None:
    a = crossing(doc="ZAF:A1")
    ingest(db, a)
    assert refresh(db) == 1
    assert refresh(db) == 0
    ingest(db, crossing(doc="ZAF:A1", days=1))
    assert refresh(db) == 1
    assert db.query("SELECT COUNT(DISTINCT person_id) FROM trace_entries") == [(1,)]


def test_an_amendment_moves_the_crossing_to_the_corrected_person(db: Database) -> None:
    typo = crossing(doc="ZAF:A1", given="LERATA")
    other = crossing(doc="ZAF:B2", given="NALEDI", dob="1985-03-03")
    ingest(db, typo, other)
    refresh(db)
    fixed = amend(typo, document_number="B2", given_names="NALEDI", date_of_birth="1985-03-03")
    ingest(db, fixed)
    assert refresh(db) == 1
    assert person_of(db, typo["record_id"]) == person_of(db, other["record_id"])
    rows = db.query("SELECT record_id FROM trace_entries WHERE root_id = ?", (typo["record_id"],))
    assert rows == [(fixed["record_id"],)]


def test_undocumented_crossings_of_one_name_join_but_not_across_sex(db: Database) -> None:
    bare = dict(doc=None, dob=None, given="Palesa", nationality="LSO")
    a = crossing(**bare, age=12)  # type: ignore[arg-type]
    b = crossing(**bare, age=13, days=40, direction=Direction.EXIT)  # type: ignore[arg-type]
    c = crossing(**bare, age=12, sex=Sex.MALE, days=41)  # type: ignore[arg-type]
    d = crossing(**bare, age=40, days=42)  # type: ignore[arg-type]
    ingest(db, a, b, c, d)
    refresh(db)
    assert person_of(db, a["record_id"]) == person_of(db, b["record_id"])
    assert len({person_of(db, r["record_id"]) for r in (a, c, d)}) == 3


def test_link_commands_in_their_own_process(db: Database, store: Store) -> None:
    from tests.trace.helpers import imdms

    doc = crossing(doc="LSO:RA1", nationality="LSO")
    bare = crossing(doc=None, dob=None, age=35, nationality="LSO", days=30)
    ingest(db, doc, bare)
    refresh(db)
    who = ("--reason", "review 4", "--operator", "sup-9", "--database", store.url)
    person = person_of(db, doc["record_id"])
    listed = imdms("trace", "link", "list", "--person", person, *who)
    assert listed.returncode == 0, listed.stderr
    (link,) = json.loads(listed.stdout)
    done = imdms("trace", "link", "confirm", str(link["link"]), *who)
    assert done.returncode == 0 and "confirmed" in done.stderr, done.stderr
    assert person_of(db, bare["record_id"]) == person
    missing = imdms("trace", "link", "split", "999", *who)
    assert missing.returncode == 2 and "no link 999" in missing.stderr
    assert [r["action"] for r in audit_rows(db)] == ["link-list", "link-confirm"]


def test_two_tracers_refreshing_at_once_index_each_crossing_once(
    db: Database, store: Store
) -> None:
    first = date(1950, 1, 1)
    records = [  # distinct birth dates: 3000 people
        crossing(doc=f"ZAF:N{i}", dob=(first + timedelta(days=i)).isoformat()) for i in range(3000)
    ]
    ingest(db, *records)
    code = "import sys; from central.db import Database; from central.trace.index import refresh;"
    code += " d = Database(sys.argv[1]); print(refresh(d)); d.close()"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, store.url],
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-500:] for o in outs]
    assert sum(int(o[0]) for o in outs) == 3000
    assert db.query("SELECT COUNT(*), COUNT(DISTINCT person_id) FROM trace_entries") == [
        (3000, 3000)
    ]

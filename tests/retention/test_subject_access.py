"""Subject access on both stores: the person's records (every version), nobody else's, a 0600
file, an audit row; and the CLI in its own process, with no personal data on stderr."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from central.audit.verify import verify
from central.db import Database
from central.subject_access import export, find_records
from central.trace.audit import audit_rows
from imdms.errors import ImdmsError
from records.codes import Direction
from tests.collector.peers import Store
from tests.trace.people import T0, crossing, ingest

REPO = Path(__file__).resolve().parents[2]


def two_people(db: Database) -> list[str]:
    """Lerato (ZAF:A01234567) enters, her record is corrected, she leaves; Thabo crosses too."""
    enter = crossing(at=T0)
    fix = crossing(at=T0, given="LERATO MPHO")
    fix["amends"], fix["amend_reason"] = enter["record_id"], "given names"
    leave = crossing(at=T0.replace(day=9), direction=Direction.EXIT)
    other = crossing(doc="LSO:RA7654321", surname="MOLAPO", given="THABO", dob="1985-01-02")
    ingest(db, enter, other, leave)
    ingest(db, fix)
    return [enter["record_id"], fix["record_id"], leave["record_id"]]


def test_the_person_gets_every_version_of_their_crossings(db: Database) -> None:
    ids = two_people(db)
    found = find_records(db, "a0123 4567", "zaf", "1990-05-17")  # spelt as on the page
    assert sorted(r["record_id"] for r in found) == sorted(ids)
    assert {r["record"]["surname"] for r in found} == {"MOKOENA"}
    assert [r["current"] for r in found if r["record_id"] == ids[0]] == [False]
    assert find_records(db, "A01234567", "LSO") == []
    assert find_records(db, "A01234567", dob="1990-05-18") == []


def test_export_writes_0600_and_audits_the_request(db: Database, tmp_path: Path) -> None:
    ids = two_people(db)
    out = tmp_path / "request-17.json"
    n = export(db, doc="A01234567", issuer="ZAF", dob=None, operator="dpo-1",
               reason="DPA request 2030/17", out=out, at="2030-01-02T03:04:05.000Z")
    assert n == 3
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    doc = json.loads(out.read_text())
    assert doc["format"] == "imdms-subject-access-v1"
    assert sorted(r["record_id"] for r in doc["records"]) == sorted(ids)
    assert "MOLAPO" not in out.read_text()
    (row,) = audit_rows(db)
    assert (row["operator"], row["reason"], row["action"], row["result_count"]) == (
        "dpo-1", "DPA request 2030/17", "subject-access", 3)
    assert row["params"]["doc"] == "A01234567" and row["at"] == "2030-01-02T03:04:05.000Z"
    assert doc["request"]["audit_seq"] == row["id"] and verify(db).ok


def test_the_export_holds_the_persons_photos_and_counts_them(db: Database,
                                                              tmp_path: Path) -> None:
    from tests.faces.helpers import jpeg

    photo = jpeg()
    enter = crossing(at=T0)
    enter.update(photo_consent=True, photo_jpeg=base64.b64encode(photo).decode())
    other = crossing(doc="LSO:RA7654321", surname="MOLAPO", given="THABO", dob="1985-01-02")
    other.update(photo_consent=True, photo_jpeg=base64.b64encode(jpeg()).decode())
    ingest(db, enter, other)
    out = tmp_path / "request.json"
    assert export(db, doc="A01234567", issuer="ZAF", dob=None, operator="dpo-1",
                  reason="DPA request 2030/18", out=out) == 1
    doc = json.loads(out.read_text())
    assert [(p["record_id"], p["kind"]) for p in doc["photos"]] == [(enter["record_id"],
                                                                     "booth")]
    assert base64.b64decode(doc["photos"][0]["jpeg_base64"]) == photo  # Thabo's is not there
    (row,) = audit_rows(db)
    assert row["params"]["photos"] == 1


def test_a_failed_write_leaves_no_audit_row(db: Database, tmp_path: Path) -> None:
    two_people(db)
    with pytest.raises(ImdmsError, match="cannot write"):
        export(db, doc="A01234567", issuer=None, dob=None, operator="dpo-1", reason="r",
               out=tmp_path / "missing-dir" / "x.json")
    assert audit_rows(db) == []


def imdms(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "imdms.cli", *args], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60,
                          check=False)


def test_cli(db: Database, store: Store, tmp_path: Path) -> None:
    two_people(db)
    out = tmp_path / "req.json"
    base = ("subject-access", "--doc", "A01234567", "--issuer", "ZAF", "--dob", "1990-05-17",
            "--database", store.url, "--out", str(out))
    done = imdms(*base, "--reason", "DPA request 2030/17", "--operator", "dpo-1")
    assert done.returncode == 0, done.stderr
    assert "3 records" in done.stderr and "A01234567" not in done.stderr + done.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    refused = imdms(*base, "--operator", "dpo-1")
    assert refused.returncode == 2 and "--reason" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert len(audit_rows(db)) == 1

"""`imdms cases list|show|set-status`: shapes, audit, clear refusals and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from central.cases.audit import audit_rows
from central.cases.desk import CaseDesk
from central.db import Database
from config.models import CasesConfig
from imdms.cli import main
from records.case_id import case_id
from tests.cases.records import DOC, SURNAME, referred


@pytest.fixture
def central(tmp_path: Path) -> tuple[str, str]:
    path = str(tmp_path / "central.sqlite3")
    db = Database(path)
    rec = referred()
    db.store(rec)
    db.commit()
    desk = CaseDesk(CasesConfig(), path, "imdms/v1", None, dispatch=False)
    desk.after_commit(db, [json.dumps(rec).encode()])
    db.close()
    return path, case_id(rec["record_id"])


def test_list_show_set_status(central: tuple[str, str], capsys: pytest.CaptureFixture[str]
                              ) -> None:
    path, cid = central
    assert main(["cases", "list", "--database", path]) == 0
    out = capsys.readouterr().out
    assert cid in out and "SOCIAL_WELFARE" in out and "FAILED: no one on the roster" in out
    assert SURNAME not in out
    assert main(["cases", "list", "--status", "closed", "--json", "--database", path]) == 0
    assert json.loads(capsys.readouterr().out) == {"cases": [], "hits": []}
    assert main(["cases", "show", cid, "--reason", "unit call", "--operator", "sup-1",
                 "--database", path]) == 0
    out = capsys.readouterr().out
    assert SURNAME in out and DOC in out and "received" in out
    assert main(["cases", "set-status", cid, "contacted", "--operator", "sw-3",
                 "--database", path]) == 0
    assert capsys.readouterr().out == f"case {cid}: received -> contacted\n"
    assert main(["cases", "show", cid, "--reason", "check", "--operator", "sup-1", "--json",
                 "--database", path]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [e["to"] for e in shown["events"]] == ["received", "contacted"]
    db = Database(path)
    try:
        assert [r["action"] for r in audit_rows(db)] == [
            "list", "list", "show", "set-status", "show"]
    finally:
        db.close()


@pytest.mark.parametrize(("argv", "message"), [
    (["show", "{cid}", "--operator", "sup-1"], "a reason is required"),
    (["show", "{cid}", "--reason", "x"], "an operator is required"),
    (["show", "TIP-00000-00000", "--reason", "x", "--operator", "y"], "no case"),
    (["show", "nonsense", "--reason", "x", "--operator", "y"], "is not a case id"),
    (["set-status", "{cid}", "identified", "--operator", "y"], "cannot become identified"),
    (["set-status", "{cid}", "closed", "--operator", "y"], "needs a note"),
    (["set-status", "{cid}", "solved", "--operator", "y"], "unknown case status"),
    (["set-status", "{cid}", "contacted"], "an operator is required"),
    (["list", "--status", "open"], "unknown case status"),
])
def test_refusals(central: tuple[str, str], capsys: pytest.CaptureFixture[str],
                  argv: list[str], message: str) -> None:
    path, cid = central
    args = ["cases", *[a.replace("{cid}", cid) for a in argv], "--database", path]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "what to do:" in err and "Traceback" not in err


def test_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "list", "--database", str(tmp_path / "none.sqlite3")]) == 2
    assert "no central database" in capsys.readouterr().err


def hit(record_id: str, event_id: str, category: str, at: str) -> dict[str, str]:
    return {"event_id": event_id, "record_id": record_id, "list_version": "3",
            "entry_id": f"wl-{event_id}", "category": category, "match": "document",
            "border_post": "MSU-BRIDGE", "terminal_id": "t1", "occurred_at": at}


def test_list_shows_every_hit_with_its_case(central: tuple[str, str],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from central.watchlist.hits import store_hit

    path, cid = central
    db = Database(path)
    try:
        (rid,) = db.query("SELECT record_id FROM records")[0]
        store_hit(db, hit(str(rid), "e1", "MISSING_CHILD_TIP", "2026-12-03T10:00:00Z"))
        store_hit(db, hit("rec-unknown", "e2", "WANTED", "2026-12-03T11:00:00Z"))
    finally:
        db.close()
    assert main(["cases", "list", "--database", path]) == 0
    out = capsys.readouterr().out
    case_line = next(line for line in out.splitlines() if line.startswith(cid))
    assert case_line.endswith("MISSING_CHILD_TIP")
    hits = out.split("watchlist hits (newest first):\n")[1].splitlines()
    assert hits[1].split()[1] == "WANTED" and hits[1].split()[-1] == "-"  # no case: still listed
    assert hits[2].split()[1] == "MISSING_CHILD_TIP" and hits[2].split()[-1] == cid
    assert SURNAME not in out and DOC not in out
    assert main(["cases", "list", "--json", "--database", path]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [h["case_id"] for h in shown["hits"]] == ["", cid]
    assert shown["cases"][0]["hits"] == ["MISSING_CHILD_TIP"]
    db = Database(path)
    try:
        assert audit_rows(db)[-1]["params"] == {"hits": 2, "status": None}
    finally:
        db.close()

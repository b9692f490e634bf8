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
    assert json.loads(capsys.readouterr().out) == []
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

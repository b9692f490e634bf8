"""`imdms outbox status [--json]`, `outbox import` rejections and the doctor's outbox check
(issue 12 item 6, issue 13 item 19)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config.models import Config
from imdms.checks import Status
from imdms.cli import main
from imdms.cli.doctor.base import DoctorContext
from imdms.cli.doctor.outbox import check_outbox
from messaging.outbox import Outbox
from tests.messaging.records import make_record


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "terminal.toml"
    path.write_text(f'[terminal]\nterminal_id = "t1"\nborder_post = "MAPUTSOE"\n'
                    f'data_dir = "{tmp_path}"\n[outbox]\ndisk_floor_mb = 1\n')
    return path


def _quarantine_two(box: Outbox) -> tuple[str, str]:
    refused = make_record()
    box.add(refused)
    (row,) = box.fetch(0, 10)
    box.quarantine(row.seq, "broker refused the record: Not authorized (0x87)")
    bad = dict(make_record().to_dict(), direction="SIDEWAYS")
    assert box.import_records([bad]) == (0, 0, 1)
    return refused.record_id, bad["record_id"]


def test_status_json_lists_quarantined_ids_and_reasons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path)
    with Outbox(tmp_path / "outbox.sqlite3") as box:
        refused, invalid = _quarantine_two(box)
    assert main(["outbox", "status", "--json", "--config", str(cfg)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["quarantined"] == 2 and data["rejected_imports"] == 1
    listed = {q["record_id"]: q for q in data["quarantined_records"]}
    assert set(listed) == {refused, invalid}
    assert "0x87" in listed[refused]["reason"] and not listed[refused]["imported"]
    assert listed[invalid]["reason"].startswith("import: record does not match crossing-v1")
    assert "direction" in listed[invalid]["reason"] and listed[invalid]["imported"]

    assert main(["outbox", "status", "--config", str(cfg)]) == 0  # the human form
    text = capsys.readouterr().out
    assert "quarantined:  2 (1 rejected by an import)" in text and refused in text
    assert text.startswith("pending:      0") and "{" not in text.splitlines()[0]


def test_import_names_line_and_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = _config(tmp_path)
    lines = [make_record().to_json().encode(), b"\xff\xfe not utf-8",
             json.dumps(dict(make_record().to_dict(), surname="A\x00B")).encode(),
             json.dumps(dict(make_record().to_dict(), sex=7)).encode()]
    src = tmp_path / "export.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    assert main(["outbox", "import", str(src), "--config", str(cfg)]) == 1
    out = capsys.readouterr()
    result = json.loads(out.out)
    assert result["queued"] == 1 and result["rejected"] == 3
    reasons = {r["line"]: r["reason"] for r in result["rejections"]}
    assert reasons[2] == "not valid UTF-8"
    assert "surname" in reasons[3] and "NUL" in reasons[3]
    assert "sex" in reasons[4]
    assert "export.jsonl line 3:" in out.err and "A\x00B" not in out.err + out.out


def _ctx(tmp_path: Path) -> DoctorContext:
    ctx = DoctorContext(config_path=tmp_path / "terminal.toml")
    ctx.config = Config.model_validate({"terminal": {"data_dir": str(tmp_path)}})
    return ctx


def test_doctor_does_not_blame_the_broker_for_import_rejections(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.sqlite3") as box:
        bad = dict(make_record().to_dict(), direction="SIDEWAYS")
        box.import_records([bad])
    result = check_outbox(_ctx(tmp_path))
    assert result.status is Status.WARN
    assert "broker" not in result.message.replace("not the broker's doing", "")
    assert "1 imported record(s) failed validation" in result.message
    assert "import again" in result.hint and "export FILE" not in result.hint

    with Outbox(tmp_path / "outbox.sqlite3") as box:
        box.add(make_record())
        (row,) = box.fetch(0, 10)
        box.quarantine(row.seq, "broker refused the record: Not authorized (0x87)")
    result = check_outbox(_ctx(tmp_path))
    assert "1 record(s) refused by the broker" in result.message
    assert "`imdms outbox export DIR`" in result.hint


def test_oldest_age_is_from_recorded_at(tmp_path: Path) -> None:
    weeks_ago = (datetime.now(UTC) - timedelta(days=21)).isoformat(timespec="milliseconds")
    old = make_record(recorded_at=weeks_ago.replace("+00:00", "Z"))
    with Outbox(tmp_path / "outbox.sqlite3") as box:
        box.add(make_record())
        assert box.import_records([old.to_dict()]) == (1, 0, 0)  # queued just now
        age = box.status().oldest_age_s
        assert age is not None and abs(age - 21 * 86400) < 120
    result = check_outbox(_ctx(tmp_path))
    assert result.status is Status.WARN and "recorded 504.0 h ago" in result.message


def test_audit_events_are_counted_apart(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Audit events are pending rows, but not crossings to send (issue 14, forwarder gaps)."""
    from messaging.audit import make_audit_event

    cfg = _config(tmp_path)
    with Outbox(tmp_path / "outbox.sqlite3") as box:
        box.add(make_record())
        box.add_audit(make_audit_event("sign_out", terminal_id="t1", border_post="MAPUTSOE",
                                       officer_id="off7", detail={"reason": "idle"}))
        st = box.status()
        assert (st.pending, st.pending_audit, st.crossings_pending) == (2, 1, 1)
    assert main(["outbox", "status", "--json", "--config", str(cfg)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["pending"], data["pending_crossings"], data["pending_audit"]) == (2, 1, 1)
    assert main(["outbox", "status", "--config", str(cfg)]) == 0
    assert capsys.readouterr().out.startswith("pending:      2 (1 crossings, 1 audit events)")

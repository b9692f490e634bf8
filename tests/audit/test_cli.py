"""`imdms audit verify|head` and `imdms purge` in their own processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from central.audit.chain import record_view
from central.db import Database
from tests.audit.tamper import tamper
from tests.collector.peers import Store

REPO = Path(__file__).resolve().parents[2]


def imdms(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "imdms.cli", *args], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60,
                          check=False)


def test_verify_head_and_a_broken_chain(db: Database, store: Store, tmp_path: Path) -> None:
    for i in range(4):
        record_view(db, operator="inv-1", reason="case 1", action="trace",
                    params={"doc": "LSO:RA1234567"}, result_count=i)
    db.commit()
    ok = imdms("audit", "verify", "--database", store.url)
    assert (ok.returncode, ok.stdout.strip()) == (0, "audit log intact: 4 rows (seq 1 to 4)")
    head = tmp_path / "head.json"
    assert imdms("audit", "head", "--out", str(head), "--database", store.url).returncode == 0
    assert json.loads(head.read_text())["seq"] == 4
    tamper(db, "DELETE FROM audit_log WHERE seq = 4")
    assert imdms("audit", "verify", "--database", store.url).returncode == 0
    cut = imdms("audit", "verify", "--head", str(head), "--database", store.url)
    assert cut.returncode == 1 and "BROKEN at seq 4" in cut.stderr
    tamper(db, "UPDATE audit_log SET detail = '{}' WHERE seq = 2")
    edited = imdms("audit", "verify", "--database", store.url)
    assert edited.returncode == 1 and "BROKEN at seq 2" in edited.stderr
    assert "edited" in edited.stderr and "RA1234567" not in edited.stderr + edited.stdout


def test_purge_cli_dry_run_then_purge(db: Database, store: Store, tmp_path: Path) -> None:
    from central.audit.schema import ensure_schema

    ensure_schema(db)
    config = tmp_path / "central.toml"
    config.write_text("[retention]\naudit_days = 4000\n")
    dry = imdms("purge", "--dry-run", "--json", "--config", str(config), "--database", store.url)
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["dry_run"] is True
    done = imdms("purge", "--config", str(config), "--database", store.url)
    assert done.returncode == 0 and done.stdout.startswith("imdms purge: deleted 0 crossings")
    assert imdms("audit", "verify", "--database", store.url).stdout.startswith(
        "audit log intact: 1 row ")
    bad = tmp_path / "bad.toml"
    bad.write_text("[retention]\naudit_days = 10\n")
    refused = imdms("purge", "--config", str(bad), "--database", store.url)
    assert refused.returncode == 2 and "audit_days" in refused.stderr
    assert "Traceback" not in refused.stderr

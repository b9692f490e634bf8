"""Commit receipts across the real boundary: Mosquitto, `imdms collect` and `imdms forward` as
separate processes sharing nothing but the broker (and the outbox file with the CLI)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from messaging.outbox import Outbox
from messaging.receipts import NEVER_RECEIPTED
from tests.helpers import wait_until
from tests.messaging.central_proc import (
    central_ids,
    collect_config,
    start_collect,
    stop,
    terminal_config,
)
from tests.messaging.helpers import REPO, fill, forward_cmd
from tests.messaging.records import make_record
from tests.peers import require_executable

pytestmark = pytest.mark.peer


def _cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "imdms.cli", *args, "--config", str(config)],
                          cwd=REPO, capture_output=True, text=True, timeout=60, check=False)


def _forwarder(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as err:
        return subprocess.Popen(forward_cmd(config), cwd=REPO, stderr=err)


def test_every_record_ends_receipted(tmp_path: Path, broker: Any) -> None:
    box = Outbox(tmp_path / "outbox.sqlite3", disk_floor_mb=1)
    ids = fill(box, 3000)
    exported = [make_record(terminal_id="t2").to_dict() for _ in range(100)]
    box.add_many(exported, imported=True)  # another booth's export: receipted on t2's topic
    ids += [r["record_id"] for r in exported]
    config = terminal_config(tmp_path, broker.port, timeout_s=1.0)
    database = tmp_path / "central.sqlite3"
    ccfg = collect_config(tmp_path / "central.toml", broker.port, database)
    fwd = _forwarder(config, tmp_path / "forwarder.log")
    collector = None
    try:
        # no collector yet: the broker acknowledges every record and drops it (no subscriber);
        # without receipts the booth would now have deleted them all
        assert wait_until(lambda: box.status().awaiting_receipt == len(ids), timeout=60)
        data = json.loads(_cli(config, "outbox", "status", "--json").stdout)
        assert data["pending"] == len(ids) and data["awaiting_receipt"] == len(ids)
        assert data["oldest_unreceipted_age_s"] is not None
        human = _cli(config, "outbox", "status").stdout
        assert f"awaiting receipt: {len(ids)} (oldest sent" in human
        doctor = _cli(config, "doctor", "--only", "outbox")
        assert f"{len(ids)} awaiting receipt" in doctor.stdout
        collector = start_collect(ccfg, tmp_path / "collect.log")
        # the overdue records are re-sent (same ids) and receipted once committed centrally
        assert wait_until(lambda: box.status().pending == 0, timeout=90, step=0.2), \
            box.status()
        assert central_ids(database) >= set(ids)
        assert box.status().quarantined == 0
    finally:
        fwd.terminate()
        assert fwd.wait(20) == 0
        if collector is not None:
            assert stop(collector) == 0
    status = json.loads((tmp_path / "forwarder-status.json").read_text())
    assert status["receipts"] is True and status["awaiting_receipt"] == 0
    assert "Traceback" not in (tmp_path / "forwarder.log").read_text()
    assert "Traceback" not in (tmp_path / "collect.log").read_text()
    box.close()


def test_acl_refused_publish_is_resent_then_never_receipted(tmp_path: Path,
                                                            broker_factory: Any) -> None:
    """MQTT 3.1.1: Mosquitto acknowledges a publish its ACL denies, and drops it."""
    passwd = require_executable("mosquitto_passwd")
    pwfile = tmp_path / "passwd"
    subprocess.run([passwd, "-b", "-c", str(pwfile), "collector", "s3cret"], check=True,
                   capture_output=True)
    pwfile.chmod(0o600)
    secret = tmp_path / "collector.password"
    secret.write_text("s3cret\n")
    acl = tmp_path / "acl"
    acl.write_text(  # anonymous: the terminal, its own topics only; then the collector
        "topic readwrite imdms/v1/MSU-BRIDGE/t1/#\ntopic read imdms/v1/watchlist\n\n"
        "user collector\ntopic readwrite imdms/v1/#\n")
    b = broker_factory(f"acl_file {acl}\npassword_file {pwfile}\n")
    database = tmp_path / "central.sqlite3"
    ccfg = collect_config(tmp_path / "central.toml", b.port, database,
                          extra_broker=f'username = "collector"\n'
                                       f'password_credential = "{secret}"\n')
    collector = start_collect(ccfg, tmp_path / "collect.log")
    box = Outbox(tmp_path / "outbox.sqlite3", disk_floor_mb=1)
    good = fill(box, 50)
    denied = make_record(terminal_id="t9").to_dict()  # t1 may not publish on t9's topic
    box.add_many([denied], imported=True)
    config = terminal_config(tmp_path, b.port, timeout_s=0.3, attempts=3,
                             broker='protocol = "3.1.1"\n')
    fwd = _forwarder(config, tmp_path / "forwarder.log")

    def booth_busy_until_reported() -> bool:
        # the booth keeps saving crossings: their receipts show central is alive, so the
        # denied record's sends count (a silent central would quarantine nothing)
        st = box.status()
        if st.quarantined == 1:
            return st.pending == 0
        record = make_record()
        box.add(record)
        good.append(record.record_id)
        return False

    try:
        assert wait_until(booth_busy_until_reported, timeout=60, step=0.2), box.status()
        data = json.loads(_cli(config, "outbox", "status", "--json").stdout)
        assert [(q["record_id"], q["reason"]) for q in data["quarantined_records"]] == \
            [(denied["record_id"], NEVER_RECEIPTED)]
        doctor = _cli(config, "doctor", "--only", "outbox")
        assert "1 record(s) never receipted by central" in doctor.stdout
        assert denied["record_id"] not in doctor.stdout + doctor.stderr
    finally:
        fwd.terminate()
        assert fwd.wait(20) == 0
        assert stop(collector) == 0
    assert central_ids(database) == set(good)
    log = (tmp_path / "forwarder.log").read_text()
    assert log.count("re-sending") >= 2  # sent three times in all, then reported
    assert "never receipted" in log and "Traceback" not in log
    status = json.loads((tmp_path / "forwarder-status.json").read_text())
    assert status["never_receipted"] == 1
    box.close()

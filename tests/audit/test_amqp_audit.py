"""Booth audit events over RabbitMQ: `imdms forward` (MQTT) -> the imdms.audit quorum queue ->
`imdms collect` (AMQP) -> audit_log, each once, the queue drained (acknowledged after commit)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from central.audit.verify import verify
from central.db import Database
from messaging.audit import make_audit_event
from messaging.outbox import Outbox
from tests.central.conftest import rabbit, rabbit_node
from tests.central.helpers import POST, collector_config, queue_depths
from tests.central.procs import forward, start_collect, terminal
from tests.central.rabbit import RabbitNode

pytestmark = [pytest.mark.peer]
__all__ = ["rabbit", "rabbit_node"]


def _chained(url: str) -> list[str]:
    db = Database(url)
    try:
        return [str(r[0]) for r in db.query("SELECT event_id FROM audit_log ORDER BY seq")]
    except Exception as err:
        if db.is_db_error(err):  # the collector has not made the table yet
            return []
        raise
    finally:
        db.close()


def test_audit_events_reach_the_chain_over_rabbitmq(rabbit: RabbitNode, tmp_path: Path) -> None:
    cfg, _ = terminal(tmp_path, rabbit, "t1", 1)  # one crossing beside them
    events = [make_audit_event(k, terminal_id="t1", border_post=POST, officer_id="off7",
                               detail={"reason": "idle"}) for k in ("sign_in", "sign_out")]
    with Outbox(cfg.parent / "outbox.sqlite3", disk_floor_mb=1) as box:
        for e in events:
            box.add_audit(e)
    proc = forward(cfg)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-800:]
    assert queue_depths(rabbit)["imdms.audit"] == 2
    central = tmp_path / "central"
    central.mkdir()
    url = str(central / "central.sqlite3")
    collect = start_collect(collector_config(central / "central.toml", rabbit, url),
                            central / "collect.log")
    try:
        deadline = time.monotonic() + 30
        while len(_chained(url)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # another process's commit: no event to await
        collect.send_signal(signal.SIGTERM)
        assert collect.wait(20) == 0, (central / "collect.log").read_text()[-800:]
    finally:
        if collect.poll() is None:
            collect.kill()
            collect.wait()
    assert _chained(url) == [e["event_id"] for e in events]
    assert queue_depths(rabbit)["imdms.audit"] == 0, "chained but not acknowledged"
    db = Database(url)
    try:
        assert verify(db).ok
    finally:
        db.close()

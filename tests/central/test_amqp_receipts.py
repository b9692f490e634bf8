"""End-to-end receipts on the national path: `imdms forward` (MQTT 3.1.1, receipts on) ->
RabbitMQ -> `imdms collect` over AMQP -> store -> receipt published to amq.topic -> the
terminal's MQTT subscription. Every record ends receipted: nothing pending or awaiting."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.central.helpers import TERMINALS, collector_config
from tests.central.procs import forward, start_collect, stored_ids, terminal
from tests.central.rabbit import RabbitNode
from tests.collector.peers import Store

pytestmark = [pytest.mark.peer]


def test_amqp_collector_receipts_every_record(
    rabbit: RabbitNode, store: Store, tmp_path: Path
) -> None:
    cfg, ids = terminal(tmp_path, rabbit, TERMINALS[0], 300)  # users exist from node boot
    text = cfg.read_text().replace(
        "[outbox]\ndisk_floor_mb = 1\n",
        "[outbox]\ndisk_floor_mb = 1\nreceipts = true\nreceipt_timeout_s = 5\n",
    )
    cfg.write_text(text)
    central = tmp_path / "central"
    central.mkdir()
    collect = start_collect(collector_config(central / "central.toml", rabbit, store.url),
                            central / "collect.log")
    fwd = forward(cfg)
    try:
        # --exit-when-empty with receipts waits until every record is receipted
        _, err = fwd.communicate(timeout=120)
        assert fwd.returncode == 0, err[-800:]
    finally:
        if fwd.poll() is None:  # stopped by PID even when the test fails
            fwd.kill()
            fwd.wait()
        collect.send_signal(signal.SIGTERM)
        try:
            collect.wait(20)
        except subprocess.TimeoutExpired:
            collect.kill()
            collect.wait()
    status = json.loads(subprocess.run(
        [sys.executable, "-m", "imdms.cli", "outbox", "status", "--json", "--config", str(cfg)],
        capture_output=True, text=True, timeout=60, check=True).stdout)
    assert status["pending"] == 0 and status["awaiting_receipt"] == 0, status
    assert status["quarantined"] == 0, status
    assert set(stored_ids(store.url)) >= set(ids)

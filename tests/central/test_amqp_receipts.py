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

from central.collector import Collector
from config.models import BrokerConfig, CollectorConfig
from messaging.receipts import encode
from tests.central.helpers import POST, TERMINALS, collector_config
from tests.central.procs import (
    add_records,
    forward,
    pending,
    start_collect,
    stored_ids,
    terminal,
)
from tests.central.rabbit import RabbitNode
from tests.collector.peers import Store
from tests.helpers import wait_until
from tests.messaging.central_proc import stop

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


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # the broker's fault
def test_receipts_flow_again_after_the_node_restarts(
    rabbit: RabbitNode, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A receipt the collector queues while its connection is down (a batch committed just
    after the node died) goes out on the next connection, and so do all later ones: the
    first version left it queued with no wake-up and never sent a receipt again."""
    t = TERMINALS[0]
    cfg, _ = terminal(tmp_path, rabbit, t, 200)
    cfg.write_text(cfg.read_text().replace(
        "[outbox]\ndisk_floor_mb = 1\n",
        "[outbox]\ndisk_floor_mb = 1\nreceipts = true\nreceipt_timeout_s = 5\n"))
    ccfg_path = collector_config(tmp_path / "central.toml", rabbit, store.url)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(ccfg_path.parent))
    ccfg = CollectorConfig.model_validate(
        {"database": store.url, "source": "amqp", "amqp_url": rabbit.amqp_url()})
    collector = Collector(BrokerConfig(), ccfg, retry_min_s=0.2, retry_max_s=1.0)
    collector.start()
    fwd = forward(cfg, daemon=True)
    try:
        assert wait_until(lambda: pending(cfg) == 0, 60, 0.1), \
            "the first records were not receipted"
        source = collector._client  # the AMQP source: its drop is what this test is about
        rabbit.kill()
        assert wait_until(lambda: source._conn is None, 30, 0.1), \
            "the collector did not see the drop"
        source.publish(f"imdms/v1/{POST}/{t}/receipt", encode(["queued-while-down"])[0])
        rabbit.start()
        add_records(cfg, 200, t)
        assert wait_until(lambda: pending(cfg) == 0, 90, 0.1), \
            f"{pending(cfg)} of 200 records never receipted after the restart"
    finally:
        stop(fwd)  # by PID, killed if SIGTERM is not enough
        collector.stop()

"""Terminals' real `imdms forward` (MQTT 3.1.1) -> RabbitMQ -> `imdms collect` (AMQP) -> store.

The forwarders drain their outboxes while no collector runs: the records wait in the quorum
queue, which exists only because the node loaded deploy/central/definitions.json at boot (the
collector's user has no configure permission: it could not have declared it).
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.central.helpers import TERMINALS, collector_config, queue_depths
from tests.central.procs import forward, start_collect, stored_ids, terminal, wait_count
from tests.central.rabbit import RabbitNode
from tests.collector.peers import Store

pytestmark = [pytest.mark.peer]
PER_TERMINAL = 400


def test_forwarders_before_any_collector_then_every_record_stored_once(
    rabbit: RabbitNode, store: Store, tmp_path: Path
) -> None:
    booths = [terminal(tmp_path, rabbit, t, PER_TERMINAL) for t in TERMINALS]
    want = {i for _, ids in booths for i in ids}
    t0 = time.monotonic()
    procs = [forward(cfg) for cfg, _ in booths]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-800:]
    publish_s = time.monotonic() - t0
    assert queue_depths(rabbit)["imdms.crossings"] == len(want)

    central = tmp_path / "central"
    central.mkdir()
    cfg = collector_config(central / "central.toml", rabbit, store.url)
    t0 = time.monotonic()
    proc = start_collect(cfg, central / "collect.log")
    try:
        got = wait_count(store.url, len(want))
        collect_s = time.monotonic() - t0
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0, (central / "collect.log").read_text()[-800:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    ids = stored_ids(store.url)
    assert got == len(want)
    assert len(ids) == len(set(ids)) and set(ids) == want
    assert queue_depths(rabbit)["imdms.crossings"] == 0, "stored but not acknowledged"
    print(
        f"{store.kind}: {len(want)} records: forwarders -> RabbitMQ {len(want) / publish_s:.0f}"
        f" msg/s; RabbitMQ -> imdms collect -> store {len(want) / collect_s:.0f} msg/s"
        " (incl. process start)"
    )

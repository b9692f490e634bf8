"""The RabbitMQ node SIGKILLed and restarted under a running collector: the collector
reconnects with backoff by itself and stores what comes after; nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from central.collector import Collector
from config.models import BrokerConfig, CollectorConfig
from tests.central.helpers import POST, collector_config, queue_depths, terminal_broker
from tests.central.procs import stored_ids
from tests.central.rabbit import RabbitNode
from tests.collector.peers import Store
from tests.collector.publish import publish_all
from tests.collector.records import make

pytestmark = [pytest.mark.peer]
N = 300
TOPIC = f"imdms/v1/{POST}/t2/crossing"


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # the broker's fault, not the store's
def test_collector_reconnects_after_the_node_is_killed_and_restarted(
    rabbit: RabbitNode, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = collector_config(tmp_path / "central.toml", rabbit, store.url)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(cfg.parent))
    ccfg = CollectorConfig.model_validate(
        {"database": store.url, "source": "amqp", "amqp_url": rabbit.amqp_url()}
    )
    collector = Collector(BrokerConfig(), ccfg, retry_min_s=0.2, retry_max_s=1.0)
    collector.start()
    broker = terminal_broker(rabbit, tmp_path, "t2")
    before = [make(terminal="t2") for _ in range(N)]
    after = [make(terminal="t2") for _ in range(N)]
    try:
        publish_all(broker, [(TOPIC, json.dumps(r).encode(), 1) for r in before], client_id="r1")
        assert collector.wait_for(lambda c: c["stored"] == N, 30), dict(collector.counts)
        rabbit.kill()
        rabbit.start()
        publish_all(broker, [(TOPIC, json.dumps(r).encode(), 1) for r in after], client_id="r2")
        assert collector.wait_for(lambda c: c["stored"] == 2 * N, 60), dict(collector.counts)
    finally:
        collector.stop()
    ids = stored_ids(store.url)
    assert len(ids) == len(set(ids)) == 2 * N
    assert set(ids) == {r["record_id"] for r in before + after}
    assert queue_depths(rabbit)["imdms.crossings"] == 0

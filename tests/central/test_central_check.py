"""`imdms collect --check` and `imdms doctor --central`: the RabbitMQ nodes, the queues and
their consumers, the database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from central.collector import Collector
from config.models import BrokerConfig, CollectorConfig
from tests.central.helpers import collector_config
from tests.central.rabbit import RabbitNode
from tests.collector.peers import Store
from tests.peers import free_port

pytestmark = [pytest.mark.peer]


def _check(cfg: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "imdms.cli",
            *(command or ("collect", "--check")),
            "--config",
            str(cfg),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**__import__("os").environ, "CREDENTIALS_DIRECTORY": str(cfg.parent)},
    )


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_check_says_which_node_is_down_and_which_queue_has_no_consumer(
    rabbit: RabbitNode, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = collector_config(tmp_path / "central.toml", rabbit, store.url)
    dead = f"amqp://imdms-collector@127.0.0.1:{free_port()}/imdms"
    cfg.write_text(cfg.read_text().replace(rabbit.amqp_url(), f"{rabbit.amqp_url()},{dead}"))
    r = _check(cfg)
    assert r.returncode == 1, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert any(line.startswith("PASS") and "up" in line for line in lines), r.stdout
    assert any(line.startswith("FAIL") and "does not answer" in line for line in lines)
    assert any(
        line.startswith("FAIL") and "imdms.crossings: 0 ready, 0 consumers" in line
        for line in lines
    ), r.stdout
    assert "Traceback" not in r.stderr

    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(cfg.parent))
    ccfg = CollectorConfig.model_validate(
        {"database": store.url, "source": "amqp", "amqp_url": rabbit.amqp_url()}
    )
    collector = Collector(BrokerConfig(), ccfg)
    collector.start()
    try:
        cfg.write_text(cfg.read_text().replace(f",{dead}", ""))
        r = _check(cfg, "doctor", "--central")
    finally:
        collector.stop()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "imdms.crossings: 0 ready, 1 consumers" in r.stdout
    assert "PASS  database" in r.stdout

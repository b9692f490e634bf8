"""`imdms collect` SIGKILLed five times mid-batch, on each store: nothing lost, nothing twice.

Real processes and a real Mosquitto (MQTT 5 shared subscription, persistent session): the
collector acknowledges only after its commit, so whatever a kill interrupts is redelivered to
the next collector process, and a redelivered record already committed is a duplicate by
record_id (stored once).
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from central.db import Database
from config.models import BrokerConfig
from tests.collector.peers import Broker, Store
from tests.collector.publish import publish_all
from tests.collector.records import make
from tests.messaging.central_proc import start_collect

pytestmark = [pytest.mark.peer, pytest.mark.slow]
N = 12000  # published at 600/s (20 s): the batched writer is faster, so pace, not backlog
KILLS = 5


def _count(url: str) -> int:
    db = Database(url)
    try:
        return int(db.query("SELECT COUNT(*) FROM records")[0][0])
    finally:
        db.close()


def _start(cfg: Path, log: Path) -> subprocess.Popen[str]:
    """One `imdms collect` process, returned once it has subscribed (its log line)."""
    return start_collect(cfg, log)


def test_collector_sigkill_five_times_mid_batch(
    mosquitto: Broker, store: Store, tmp_path: Path
) -> None:
    cfg = tmp_path / "central.toml"
    cfg.write_text(
        f'[broker]\nhost = "127.0.0.1"\nport = {mosquitto.port}\nclient_id = "kill-collector"\n'
        f'\n[collector]\ndatabase = "{store.url}"\nshare_group = "kill"\n'
    )
    log = tmp_path / "collect.log"
    broker = BrokerConfig.model_validate({"host": "127.0.0.1", "port": mosquitto.port})
    recs = [make(age=i % 90, terminal="t1", post="MSU-BRIDGE") for i in range(N)]
    topic = "imdms/v1/MSU-BRIDGE/t1/crossing"
    messages = [(topic, json.dumps(r).encode(), 1) for r in recs]
    proc = _start(cfg, log)  # the first start creates the persistent session at the broker
    publisher = threading.Thread(
        target=publish_all, args=(broker, messages), kwargs={"timeout_s": 120, "per_second": 600}
    )
    publisher.start()
    seen: list[int] = []
    try:
        for _ in range(KILLS):
            base = _count(store.url)
            deadline = time.monotonic() + 60
            while _count(store.url) < min(N, base + 50) and time.monotonic() < deadline:
                time.sleep(0.01)  # another process's commits: no event to await
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            seen.append(_count(store.url))
            proc = _start(cfg, log)
        publisher.join(120)
        assert not publisher.is_alive(), "the broker did not acknowledge every publish"
        deadline = time.monotonic() + 60
        while _count(store.url) < N and time.monotonic() < deadline:
            time.sleep(0.05)  # another process's commits: no event to await
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        publisher.join(1)
    assert seen[-1] < N, f"every kill must interrupt ingest: counts at the kills {seen}"
    db = Database(store.url)
    try:
        ids = [r["record_id"] for r in db.iter_records()]
        duplicates = db.counter("duplicates")
    finally:
        db.close()
    print(f"{store.kind}: stored at the kills {seen}; {duplicates} redelivered duplicates dropped")
    assert len(ids) == len(set(ids)) == N, f"{len(set(ids))} of {N} stored; kills at {seen}"
    assert set(ids) == {r["record_id"] for r in recs}

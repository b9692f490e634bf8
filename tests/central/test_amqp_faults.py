"""Faults on the RabbitMQ path, with a real node: poison messages, collectors SIGKILLed
mid-batch (two competing collectors), and terminals held to their own topics."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from central.collector import Collector
from central.db import Database
from config.models import BrokerConfig, CollectorConfig
from tests.central.helpers import (
    POST,
    collector_config,
    password_of,
    queue_depths,
    terminal_broker,
    terminal_user,
)
from tests.central.procs import count, forward, start_collect, stored_ids, terminal
from tests.central.rabbit import RabbitNode
from tests.collector.peers import Store
from tests.collector.poison import TOPIC, poison
from tests.collector.publish import publish_all
from tests.collector.records import make

pytestmark = [pytest.mark.peer]
KILLS = 3
N_KILL = 16000  # enough that the third kill still interrupts ingest (the faster PostgreSQL path)


def test_poison_between_good_messages_is_rejected_and_acked(
    rabbit: RabbitNode, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = collector_config(tmp_path / "central.toml", rabbit, store.url)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(cfg.parent))
    ccfg = CollectorConfig.model_validate(
        {"database": store.url, "source": "amqp", "amqp_url": rabbit.amqp_url()}
    )
    collector = Collector(BrokerConfig(), ccfg, batch_wait_s=0.01)
    collector.start()
    bad = poison()
    goods = [make(age=20 + i) for i in range(len(bad) + 1)]
    messages = [(TOPIC, json.dumps(goods[0]).encode(), 1)]
    for good, (topic, payload, _) in zip(goods[1:], bad, strict=True):
        messages += [(topic, payload, 1), (TOPIC, json.dumps(good).encode(), 1)]
    try:
        publish_all(terminal_broker(rabbit, tmp_path), messages, client_id="poison-t1")
        done = collector.wait_for(
            lambda c: c["stored"] == len(goods) and c["rejected"] == len(bad), 30
        )
        assert done, dict(collector.counts)
    finally:
        collector.stop()
    assert sorted(stored_ids(store.url)) == sorted(g["record_id"] for g in goods)
    db = Database(store.url)
    try:
        reasons = sorted(r for _, r in db.rejected())
    finally:
        db.close()
    wanted = sorted(want for _, _, want in bad)
    assert [r[: len(w)] for r, w in zip(reasons, wanted, strict=True)] == wanted
    # acknowledged after the commit, never requeued
    assert queue_depths(rabbit) == dict.fromkeys(queue_depths(rabbit), 0)


@pytest.mark.slow
def test_two_collectors_sigkilled_mid_batch_lose_nothing(
    rabbit: RabbitNode, store: Store, tmp_path: Path
) -> None:
    recs = [make(age=i % 90, terminal="t1", post=POST) for i in range(N_KILL)]
    topic = f"imdms/v1/{POST}/t1/crossing"
    publish_all(
        terminal_broker(rabbit, tmp_path),
        [(topic, json.dumps(r).encode(), 1) for r in recs],
        client_id="kill-t1",
        timeout_s=120,
    )
    assert queue_depths(rabbit)["imdms.crossings"] == N_KILL
    central = tmp_path / "central"
    central.mkdir()
    cfg = collector_config(central / "central.toml", rabbit, store.url)
    log = central / "collect.log"
    procs = [start_collect(cfg, log), start_collect(cfg, log)]  # competing consumers
    seen: list[int] = []
    try:
        for k in range(KILLS):
            base = count(store.url)
            deadline = time.monotonic() + 60
            # right after a commit: the next batch (prefetched, unacknowledged) is in hand
            while count(store.url) <= base and time.monotonic() < deadline:
                time.sleep(0.005)  # another process's commits: no event to await
            victim = procs[k % 2]
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            seen.append(count(store.url))
            procs[k % 2] = start_collect(cfg, log)
        deadline = time.monotonic() + 60
        while count(store.url) < N_KILL and time.monotonic() < deadline:
            time.sleep(0.05)  # another process's commits: no event to await
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            assert proc.wait(20) == 0, log.read_text()[-800:]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert seen[-1] < N_KILL, f"every kill must interrupt ingest: counts at the kills {seen}"
    ids = stored_ids(store.url)
    db = Database(store.url)
    try:
        duplicates = db.counter("duplicates")
    finally:
        db.close()
    print(f"{store.kind}: stored at the kills {seen}; {duplicates} redelivered duplicates dropped")
    assert len(ids) == len(set(ids)) == N_KILL, f"{len(set(ids))} of {N_KILL}; kills at {seen}"
    assert set(ids) == {r["record_id"] for r in recs}
    assert queue_depths(rabbit)["imdms.crossings"] == 0


def _client(node: RabbitNode, terminal: str) -> Any:
    user = terminal_user(terminal)
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"acl-{terminal}",
        protocol=MQTTProtocolVersion.MQTTv311,
        clean_session=True,
    )
    client.username_pw_set(user, password_of(user))
    return client


def test_a_terminal_may_publish_only_its_own_topics(rabbit: RabbitNode) -> None:
    """Topic permissions of the shipped template ({username} = the certificate's CN)."""
    client = _client(rabbit, "t1")
    lost = threading.Event()
    client.on_disconnect = lambda *a: lost.set()
    client.connect("127.0.0.1", rabbit.mqtt_port)
    client.loop_start()
    try:
        own = client.publish(f"imdms/v1/{POST}/t1/crossing", json.dumps(make()).encode(), qos=1)
        own.wait_for_publish(10)
        assert own.is_published()
        other = client.publish(f"imdms/v1/{POST}/t2/crossing", json.dumps(make()).encode(), qos=1)
        # RabbitMQ closes the connection of an unauthorised publish (3.1.1 has no reason code)
        assert lost.wait(10), "publishing another terminal's topic was not refused"
        assert not other.is_published()
    finally:
        client.disconnect()
        client.loop_stop()
    assert queue_depths(rabbit)["imdms.crossings"] == 1


def test_a_terminal_cannot_read_other_terminals_crossings(rabbit: RabbitNode) -> None:
    client = _client(rabbit, "t2")
    granted: list[Any] = []
    done = threading.Event()

    def on_subscribe(c: Any, u: Any, mid: int, codes: Any, p: Any) -> None:
        granted.extend(codes)
        done.set()

    client.on_subscribe = on_subscribe
    client.on_disconnect = lambda *a: done.set()
    client.connect("127.0.0.1", rabbit.mqtt_port)
    client.loop_start()
    try:
        client.subscribe(f"imdms/v1/{POST}/t1/crossing", qos=1)
        assert done.wait(10)
    finally:
        client.disconnect()
        client.loop_stop()
    assert not granted or all(c.is_failure for c in granted), granted


def test_a_terminal_authenticated_by_its_certificate_forwards_only_its_own_topics(
    rabbit: RabbitNode, tmp_path: Path
) -> None:
    """Production's login: no password, the user is the client certificate's CN."""
    assert rabbit.tls is not None
    user = terminal_user("t3")
    cfg, ids = terminal(tmp_path, rabbit, "t3", 20)
    text = cfg.read_text()
    text = text.replace(f"port = {rabbit.mqtt_port}", f"port = {rabbit.mqtts_port}")
    text = text.replace(f'username = "{user}"\n', "")
    cert, key = rabbit.tls[user + "_cert"], rabbit.tls[user + "_key"]
    text += (
        f'\n[broker.tls]\nca_file = "{rabbit.tls["ca"]}"\ncert_file = "{cert}"'
        f'\nkey_credential = "{key}"\n'
    )
    cfg.write_text(text)
    proc = forward(cfg)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-800:]
    assert queue_depths(rabbit)["imdms.crossings"] == len(ids)

    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id="tls-t3", protocol=MQTTProtocolVersion.MQTTv311
    )
    client.tls_set(
        ca_certs=str(rabbit.tls["ca"]),
        certfile=str(rabbit.tls[user + "_cert"]),
        keyfile=str(rabbit.tls[user + "_key"]),
    )
    lost = threading.Event()
    client.on_disconnect = lambda *a: lost.set()
    client.connect("127.0.0.1", rabbit.mqtts_port)
    client.loop_start()
    try:
        info = client.publish(f"imdms/v1/{POST}/t1/crossing", json.dumps(make()).encode(), qos=1)
        assert lost.wait(10), "t3's certificate published t1's topic"
        assert not info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()
    assert queue_depths(rabbit)["imdms.crossings"] == len(ids)

"""Publishing test messages to a real broker as a terminal would (QoS 1, awaiting PUBACKs)."""

from __future__ import annotations

import threading
import time
from typing import Any

from central.collector import make_client
from config.models import BrokerConfig


def publish_all(
    broker: BrokerConfig,
    messages: list[tuple[str, bytes, int]],
    *,
    client_id: str = "test-terminal",
    timeout_s: float = 30,
    per_second: float | None = None,
) -> None:
    """Publish at QoS 1 (heartbeats QoS 0) and wait for every PUBACK; per_second paces the
    publishes as booths would (a fault test's kills then land while records still arrive)."""
    client = make_client(broker, client_id, manual_ack=False)
    done = threading.Event()
    acked: set[int] = set()
    want: set[int] = set()
    lock = threading.Lock()

    def on_publish(c: Any, u: Any, mid: int, rc: Any, p: Any) -> None:
        with lock:
            acked.add(mid)
            if want and want <= acked:
                done.set()

    client.on_publish = on_publish
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        infos = []
        start = time.monotonic()
        for n, (t, p, q) in enumerate(messages):
            if per_second is not None and n % 50 == 0:
                time.sleep(max(0.0, start + n / per_second - time.monotonic()))
            infos.append(client.publish(t, p, qos=q))
        with lock:
            want.update(i.mid for i in infos)
            if want <= acked:
                done.set()
        assert done.wait(timeout_s), "broker did not acknowledge every publish"
    finally:
        client.disconnect()
        client.loop_stop()

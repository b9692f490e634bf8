"""Publishing test messages to a real broker as a terminal would (QoS 1, awaiting PUBACKs)."""

from __future__ import annotations

import threading
from typing import Any

from central.collector import make_client
from config.models import BrokerConfig


def publish_all(
    broker: BrokerConfig,
    messages: list[tuple[str, bytes, int]],
    *,
    client_id: str = "test-terminal",
    timeout_s: float = 30,
) -> None:
    """Publish at QoS 1 (heartbeats QoS 0) and wait for every PUBACK."""
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
        infos = [client.publish(t, p, qos=q) for t, p, q in messages]
        with lock:
            want.update(i.mid for i in infos)
            if want <= acked:
                done.set()
        assert done.wait(timeout_s), "broker did not acknowledge every publish"
    finally:
        client.disconnect()
        client.loop_stop()

"""Sending a retained message to the broker from the centre (the officer directory), QoS 1,
waiting for the PUBACK."""

from __future__ import annotations

import threading
from typing import Any

from config.models import BrokerConfig
from imdms.errors import ImdmsError

RETRY_HINT = ("check [broker] host, port and TLS in the central configuration and that this "
              "client may publish there (ACL); then run the command again")


def send_retained(broker: BrokerConfig, topic: str, payload: bytes, *,
                  client_id: str = "imdms-directory-publisher", timeout_s: float = 10.0) -> None:
    """Publish `payload` retained on `topic`; raises ImdmsError when the broker cannot be
    reached, refuses the client or does not acknowledge."""
    from central.collector import make_client

    if not broker.host:
        raise ImdmsError("[broker] host is empty: there is no broker to publish to",
                         "set [broker] host (and port, tls) in the central configuration")
    client = make_client(broker, client_id, manual_ack=False)
    ready = threading.Event()
    outcome: list[str] = []
    refused: dict[int, str] = {}

    def on_connect(_c: Any, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        outcome.append("" if not rc.is_failure else str(rc))
        ready.set()

    def on_publish(_c: Any, _u: Any, mid: int, rc: Any, _p: Any) -> None:
        if getattr(rc, "value", 0) >= 0x80:  # MQTT 5: e.g. 0x87 not authorised (ACL)
            refused[mid] = str(rc)

    client.on_connect = on_connect
    client.on_publish = on_publish
    try:
        client.connect(broker.host, broker.port, broker.keepalive_s)
    except OSError as err:
        raise ImdmsError(f"cannot reach the broker {broker.host}:{broker.port} "
                         f"({err.__class__.__name__})", RETRY_HINT) from err
    client.loop_start()
    try:
        if not ready.wait(timeout_s) or outcome[0]:
            why = outcome[0] if outcome else "no answer"
            raise ImdmsError(f"the broker did not accept the publisher ({why})", RETRY_HINT)
        info = client.publish(topic, payload, qos=1, retain=True)
        try:
            info.wait_for_publish(timeout_s)
        except (ValueError, RuntimeError) as err:
            raise ImdmsError(f"publishing failed ({err})", RETRY_HINT) from err
        if not info.is_published() or info.mid in refused:
            why = refused.get(info.mid, "no acknowledgement")
            raise ImdmsError(f"the broker did not take the message ({why})", RETRY_HINT)
    finally:
        client.disconnect()
        client.loop_stop()

"""Publishing from the centre to the booths (watchlist, officer directory): QoS 1, waiting for
every PUBACK, so the command that publishes can say whether the broker took it.

One connection per call: these are rare commands run by a supervisor, not a stream.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from config.models import BrokerConfig
from imdms.errors import ImdmsError

Message = tuple[str, bytes, bool]  # topic, payload, retained


def publish_confirmed(broker: BrokerConfig, messages: Sequence[Message], *, client_id: str,
                      hint: str, what: str = "the message", timeout_s: float = 10.0) -> None:
    """Publish `messages` in order and wait for each PUBACK. Raises ImdmsError (with `hint`)
    when the broker cannot be reached, refuses the client, or does not acknowledge one (MQTT 5
    reason codes >= 0x80, e.g. 0x87 not authorised by the ACL, are named)."""
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
        if getattr(rc, "value", 0) >= 0x80:
            refused[mid] = str(rc)

    client.on_connect = on_connect
    client.on_publish = on_publish
    try:
        client.connect(broker.host, broker.port, broker.keepalive_s)
    except OSError as err:
        raise ImdmsError(f"cannot reach the broker {broker.host}:{broker.port} "
                         f"({err.__class__.__name__})", hint) from err
    client.loop_start()
    try:
        if not ready.wait(timeout_s) or outcome[0]:
            why = outcome[0] if outcome else "no answer"
            raise ImdmsError(f"the broker did not accept the publisher ({why})", hint)
        infos = [client.publish(topic, payload, qos=1, retain=retain)
                 for topic, payload, retain in messages]
        for info in infos:
            try:
                info.wait_for_publish(timeout_s)
            except (ValueError, RuntimeError) as err:
                raise ImdmsError(f"publishing failed ({err})", hint) from err
            if not info.is_published() or info.mid in refused:
                why = refused.get(info.mid, "no acknowledgement")
                raise ImdmsError(f"the broker did not take {what} ({why})", hint)
    finally:
        client.disconnect()
        client.loop_stop()

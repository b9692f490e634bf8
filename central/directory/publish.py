"""Sending a retained message to the broker from the centre (the officer directory), QoS 1,
waiting for the PUBACK (central/publish.py)."""

from __future__ import annotations

from central.publish import publish_confirmed
from config.models import BrokerConfig

RETRY_HINT = ("check [broker] host, port and TLS in the central configuration and that this "
              "client may publish there (ACL); then run the command again")


def send_retained(broker: BrokerConfig, topic: str, payload: bytes, *,
                  client_id: str = "imdms-directory-publisher", timeout_s: float = 10.0) -> None:
    """Publish `payload` retained on `topic`; raises ImdmsError when the broker cannot be
    reached, refuses the client or does not acknowledge."""
    publish_confirmed(broker, [(topic, payload, True)], client_id=client_id, hint=RETRY_HINT,
                      timeout_s=timeout_s)

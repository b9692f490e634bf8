"""The one place a paho client is made: the booth's forwarder (messaging/link.py) and the
centre's collector (central/collector.py) both get theirs here.

What is fixed for every IMDMS client, whichever side:
- paho's v2 callback API (paho-mqtt 2.x, pinned <3 in pyproject.toml);
- MQTT 5 by default, MQTT 3.1.1 when [broker] protocol = "3.1.1";
- a persistent session: on MQTT 5 `clean_start=False` with a session expiry
  (`connect_properties`), on 3.1.1 `clean_session=False`, so the broker keeps subscriptions
  (watchlist, receipts, the collector's queue) across a reconnect;
- TLS through paho's tls_set with the default client context (certificate and host name
  checked); a client certificate when a key is given;
- an optional retained last will (the forwarder's `.../status = offline`).

No threads and no I/O here: the caller connects and drives the client (the forwarder through
paho's external-loop API in its own thread, the collector with `loop_start`). Credentials are
resolved by the caller (config/loader, central/collector): this module only receives them and
never logs them.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

__all__ = ["ClientSpec", "Tls", "Will", "connect_properties", "make_client"]


@dataclass(frozen=True, slots=True)
class Tls:
    """TLS files: the CA that signed the broker, and this client's certificate and key (the
    key is a path to a systemd credential or a file; None: no client certificate)."""

    ca_file: Path | None
    cert_file: Path | None = None
    key_file: Path | None = None


@dataclass(frozen=True, slots=True)
class Will:
    """A last will the broker publishes when the link dies without a DISCONNECT."""

    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = True


@dataclass(frozen=True, slots=True)
class ClientSpec:
    """Everything that decides how a client talks to the broker.

    max_inflight / max_queued: paho's own limits (0: unlimited, when the caller bounds the flight
    itself, as the forwarder does from its outbox). manual_ack: acknowledge QoS 1 messages only
    when the caller says so (the collector, after its database commit)."""

    client_id: str
    protocol: str = "5"
    tls: Tls | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    will: Will | None = None
    manual_ack: bool = False
    max_inflight: int = 20
    max_queued: int = 0


def is_v5(protocol: str) -> bool:
    return protocol == "5"


def make_client(spec: ClientSpec) -> mqtt.Client:
    """A configured, unconnected paho client (see the module docstring for what is fixed)."""
    v5 = is_v5(spec.protocol)
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=spec.client_id,
        protocol=MQTTProtocolVersion.MQTTv5 if v5 else MQTTProtocolVersion.MQTTv311,
        clean_session=None if v5 else False,  # MQTT 5: clean_start is given at connect
        manual_ack=spec.manual_ack,
    )
    client.max_inflight_messages_set(spec.max_inflight)
    client.max_queued_messages_set(spec.max_queued)
    if spec.tls is not None:
        t = spec.tls
        client.tls_set(
            ca_certs=str(t.ca_file) if t.ca_file else None,
            certfile=str(t.cert_file) if t.cert_file else None,
            keyfile=str(t.key_file) if t.key_file else None,
            tls_version=ssl.PROTOCOL_TLS_CLIENT,  # paho's default too: said here, not assumed
        )
    if spec.username:
        client.username_pw_set(spec.username, spec.password)
    if spec.will is not None:
        w = spec.will
        client.will_set(w.topic, w.payload, qos=w.qos, retain=w.retain)
    return client


def connect_properties(
    protocol: str, *, session_expiry_s: int, receive_maximum: int | None = None
) -> Properties | None:
    """CONNECT properties for a persistent MQTT 5 session (None on MQTT 3.1.1, which has none:
    its session lives as long as the broker's persistence allows)."""
    if not is_v5(protocol):
        return None
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.SessionExpiryInterval = session_expiry_s
    if receive_maximum is not None:
        props.ReceiveMaximum = receive_maximum
    return props

"""How the forwarder reaches the broker: settings from the config (credentials included), the
paho client (made by messaging/mqtt_client.py) driven from the forwarder's own thread (`Link`),
and the filter that keeps paho's per-retry link errors out of the journal."""

from __future__ import annotations

import logging
import random
import select
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTErrorCode

from imdms.errors import ConfigError
from messaging.buffered_socket import BufferedSocket
from messaging.mqtt_client import ClientSpec, Tls, Will, make_client


@dataclass(frozen=True, slots=True)
class LinkSettings:
    """Everything the forwarder needs to reach the broker (built from config by from_config)."""

    host: str
    port: int = 1883
    protocol: str = "5"
    client_id: str = "imdms"
    keepalive_s: int = 30
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    window: int = 100
    backoff_min_s: float = 1.0
    backoff_max_s: float = 120.0
    heartbeat_s: float = 60.0


def settings_from_config(config: Any) -> LinkSettings:
    """LinkSettings from a config.models.Config; reads the key and password credentials."""
    from config.loader import credential, credential_path

    b = config.broker
    if not b.host:
        raise ConfigError(
            "forwarding is disabled: [broker] host is empty",
            "set [broker] host (and [broker.tls]) in the configuration file",
        )
    ca = cert = key = None
    if b.tls is not None:
        ca, cert = b.tls.ca_file, b.tls.cert_file
        if cert is not None:
            key = credential_path(b.tls.key_credential)
            if key is None:
                raise ConfigError(
                    f"client key {b.tls.key_credential!r} not found",
                    "provide it with systemd LoadCredential= or set [broker.tls] key_credential "
                    "to an absolute path",
                )
    password = credential(b.password_credential) if b.username else None
    t = config.terminal
    return LinkSettings(
        host=b.host, port=b.port, protocol=b.protocol,
        client_id=b.client_id or f"imdms-{t.border_post}-{t.terminal_id}",
        keepalive_s=b.keepalive_s, ca_file=ca, cert_file=cert, key_file=key,
        username=b.username, password=password, window=b.inflight,
        backoff_min_s=b.backoff_min_s, backoff_max_s=b.backoff_max_s,
        heartbeat_s=float(b.heartbeat_s),
    )


def _buffered(sock: Any) -> bool:
    """Bytes already received and waiting (in BufferedSocket or TLS): select() cannot see them;
    a broken socket counts too, so that paho's next recv() reports it."""
    return bool(sock.pending() > 0 or sock.broken)


class LinkNoise(logging.Filter):
    """Drop paho's per-retry link errors: the forwarder logs an outage once, and its end."""

    NOISE = ("Client is not connected", "failed to receive on socket", "Connection failed")

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(self.NOISE))


class Link:
    """One paho client, driven by the calling thread through paho's external-loop API
    (`socket()`, `loop_read`, `loop_write`, `loop_misc`): no paho network thread.

    Why not `loop_start()`: its thread fights the forwarder's thread for the GIL and each
    publish from another thread costs a wake-up write on paho's socket pair; measured, the
    drain ran at under half of what one thread reaches. Callbacks therefore run inside
    `step()`, in the caller's thread. Reconnects follow paho's own loop_forever: capped
    doubling backoff from `backoff_min_s` to `backoff_max_s`, its start jittered per outage.
    """

    def __init__(self, settings: LinkSettings, will_topic: str, will_payload: bytes) -> None:
        self.s = settings
        tls = None
        if settings.ca_file is not None:
            tls = Tls(settings.ca_file, settings.cert_file, settings.key_file)
        # max_inflight 0: the forwarder's window, not paho's, bounds the flight
        client = make_client(ClientSpec(
            client_id=settings.client_id, protocol=settings.protocol, tls=tls,
            username=settings.username, password=settings.password,
            will=Will(will_topic, will_payload), max_inflight=0, max_queued=0,
        ))
        paho_log = logging.getLogger("messaging.paho")
        if paho_log.level == logging.NOTSET:  # a line per packet: opt in with DEBUG in config
            paho_log.setLevel(logging.WARNING)
        if not any(isinstance(f, LinkNoise) for f in paho_log.filters):
            paho_log.addFilter(LinkNoise())
        client.enable_logger(paho_log)
        self.client = client
        self.on_connect_fail: Callable[[], None] = lambda: None
        self._open = False  # a socket paho is using (connecting or connected)
        self.wake_fd: int | None = None  # readable: step() returns early (history relay)
        self._next_attempt = 0.0
        self._delay: float | None = None
        self._lo, self._hi = self._jitter()

    def _jitter(self) -> tuple[float, float]:
        # a random start per outage spreads terminals apart after a central restart (all
        # would otherwise retry in lockstep)
        lo = self.s.backoff_min_s * random.uniform(0.5, 1.5)
        hi = self.s.backoff_max_s * random.uniform(0.8, 1.0)
        return lo, max(lo, hi)

    def start(self, properties: Any) -> None:
        """Set the broker address; the first attempt is made by the next step()."""
        clean = False if self.s.protocol == "5" else mqtt.MQTT_CLEAN_START_FIRST_ONLY
        self.client.connect_async(self.s.host, self.s.port, keepalive=self.s.keepalive_s,
                                  clean_start=clean, properties=properties)
        self._next_attempt = time.monotonic()

    def connected(self) -> None:
        """CONNACK accepted: the next outage starts from a fresh, re-jittered minimum."""
        self._delay = None
        self._lo, self._hi = self._jitter()

    def step(self, timeout: float) -> None:
        """Move bytes for up to `timeout` s (callbacks run here), or (re)connect when due.

        A connect attempt blocks for up to paho's connect timeout (5 s) or the TLS handshake."""
        if not self._open:
            wait = self._next_attempt - time.monotonic()
            if wait > 0:
                time.sleep(min(wait, timeout))
                return
            try:
                self.client.reconnect()
                raw = self.client._sock
                if raw is None:  # CONNECT could not be written: paho reported the drop
                    self._schedule()
                    return
                # paho has no public hook to buffer its writes; the attribute is paho 2.x's
                # (pinned <3), and the real-broker tests drive every link through it
                self.client._sock = BufferedSocket(raw)
                self._open = True
            except OSError:  # refused, unreachable, TLS: paho's loop_forever catches the same
                self._schedule()
                self.on_connect_fail()
            return
        client = self.client
        sock: Any = client.socket()
        rc = mqtt.MQTT_ERR_NO_CONN
        if sock is not None:
            sock.flush()
            wlist = [sock] if client.want_write() or sock.wants_write else []
            try:
                ready = _buffered(sock)
                rlist = [sock] if self.wake_fd is None else [sock, self.wake_fd]
                readable, writable, _ = select.select(rlist, wlist, [], 0 if ready else timeout)
            except (OSError, ValueError):  # closed under us
                readable = writable = []
            rc = mqtt.MQTT_ERR_SUCCESS
            if sock in readable or ready:
                rc = self._read_all(sock)
            if rc == mqtt.MQTT_ERR_SUCCESS and writable and client.socket() is not None:
                rc = client.loop_write()
            if rc == mqtt.MQTT_ERR_SUCCESS and client.socket() is not None:
                rc = client.loop_misc()
            sock.flush()  # a no-op when nothing is buffered (or paho closed it meanwhile)
        if rc != mqtt.MQTT_ERR_SUCCESS or client.socket() is None:
            # paho closed the socket and called on_disconnect (or never got one): retry later
            self._open = False
            self._schedule()

    def _read_all(self, sock: Any) -> MQTTErrorCode:
        """Read until nothing is left: loop_read stops after as many packets as are in
        flight, and a drop (EOF) queued behind the last PUBACK must be seen before the
        forwarder publishes again, or the next record would be blamed for it."""
        rc = mqtt.MQTT_ERR_SUCCESS
        rlist: list[Any] = [sock]
        for _ in range(100):
            rc = self.client.loop_read()
            if rc != mqtt.MQTT_ERR_SUCCESS or self.client.socket() is not sock:
                break
            try:
                if not (_buffered(sock) or select.select(rlist, [], [], 0)[0]):
                    break
            except (OSError, ValueError):
                break
        return rc

    def _schedule(self) -> None:
        self._delay = self._lo if self._delay is None else min(self._delay * 2, self._hi)
        self._next_attempt = time.monotonic() + self._delay

    def pump_until(self, done: Callable[[], bool], deadline: float) -> None:
        """step() until done() or the monotonic deadline (used when stopping)."""
        while self._open and not done() and time.monotonic() < deadline:
            self.step(min(0.05, max(0.0, deadline - time.monotonic())))

    def close(self) -> None:
        """Send DISCONNECT (if connected) and close the socket."""
        if self._open:
            self.client.disconnect()
            self._open = False

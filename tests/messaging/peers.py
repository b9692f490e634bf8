"""Messaging test peers: a real Mosquitto on a free loopback port (stopped and killed by PID), and
a collector in miniature. The fixtures that make them are in conftest.py."""

from __future__ import annotations

import getpass
import json
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


@dataclass
class Broker:
    """One mosquitto process; stop()/kill() by PID, start() again on the same port."""

    exe: str
    workdir: Path
    port: int
    extra_conf: str = ""
    tls: dict[str, Path] | None = None
    proc: subprocess.Popen[bytes] | None = None
    anonymous: bool = True

    @property
    def conf_path(self) -> Path:
        return self.workdir / "mosquitto.conf"

    def write_conf(self) -> None:
        lines = [
            f"listener {self.port} 127.0.0.1",
            # as root mosquitto would switch to user "mosquitto", who cannot write tmp_path
            f"user {getpass.getuser()}",
            f"allow_anonymous {'true' if self.anonymous else 'false'}",
            "persistence true",
            f"persistence_location {self.workdir}/",
            "autosave_interval 1",
            f"log_dest file {self.workdir}/mosquitto.log",
            "log_type error",
            "log_type warning",
            "log_type notice",
            # mosquitto drops QoS 1 messages beyond 1000 queued for a slow subscriber (the
            # collector): unlimited here, and the central broker needs the same (docs)
            "max_queued_messages 0",
            # sent as MQTT 5 Receive Maximum: the forwarder's window (mosquitto's default: 20)
            "max_inflight_messages 100",
        ]
        if self.tls:
            lines += [
                f"cafile {self.tls['ca']}",
                f"certfile {self.tls['cert']}",
                f"keyfile {self.tls['key']}",
                "require_certificate true",
                "tls_version tlsv1.3",
            ]
        self.conf_path.write_text("\n".join(lines) + "\n" + self.extra_conf)

    def start(self) -> None:
        assert self.proc is None
        self.write_conf()
        self.proc = subprocess.Popen(
            [self.exe, "-c", str(self.conf_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                log = (self.workdir / "mosquitto.log").read_text(errors="replace") \
                    if (self.workdir / "mosquitto.log").exists() else ""
                raise RuntimeError(f"mosquitto exited: {err} {log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("mosquitto did not start listening")

    def wait_saved(self, timeout: float = 5.0) -> None:
        """Wait for the persistence file (so a SIGKILL keeps the collector's session)."""
        db = self.workdir / "mosquitto.db"
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGUSR1)  # mosquitto: write the persistence file now
        deadline = time.monotonic() + timeout
        while not db.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert db.exists(), "mosquitto did not save its persistence file"

    def _signal(self, sig: int) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
        self.proc.wait(timeout=10)
        if self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def stop(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)


@dataclass
class Collector:
    """The central side in miniature: subscribes to every crossing, counts record_ids."""

    port: int
    topic: str = "imdms/v1/+/+/crossing"
    tls: dict[str, Path] | None = None
    received: list[tuple[str, str]] = field(default_factory=list)  # (topic, record_id)
    payloads: dict[str, str] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)  # same id, different bytes
    other: dict[str, bytes] = field(default_factory=dict)
    cond: threading.Condition = field(default_factory=threading.Condition)
    client: mqtt.Client | None = None

    def start(self, extra_topics: tuple[str, ...] = ()) -> None:
        c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"collector-{self.port}",
                        protocol=mqtt.MQTTv5)
        if self.tls:
            c.tls_set(ca_certs=str(self.tls["ca"]), certfile=str(self.tls["client_cert"]),
                      keyfile=str(self.tls["client_key"]))
        subscribed = threading.Event()

        def on_connect(cl: mqtt.Client, *_a: Any) -> None:
            cl.subscribe([(self.topic, 1), *[(t, 1) for t in extra_topics]])

        def on_subscribe(*_a: Any) -> None:
            subscribed.set()

        def on_message(_cl: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
            if msg.topic.endswith("/crossing"):
                data = json.loads(msg.payload)
                with self.cond:
                    rid, text = data["record_id"], msg.payload.decode()
                    if self.payloads.setdefault(rid, text) != text:
                        self.conflicts.append(rid)
                    self.received.append((msg.topic, rid))
                    self.cond.notify_all()
            else:
                with self.cond:
                    self.other[msg.topic] = bytes(msg.payload)
                    self.cond.notify_all()

        c.reconnect_delay_set(0.05, 0.5)  # type: ignore[arg-type]
        c.on_connect = on_connect
        c.on_subscribe = on_subscribe
        c.on_message = on_message
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = 3600  # survives a broker restart (persistence on)
        c.connect("127.0.0.1", self.port, clean_start=False, properties=props)
        c.loop_start()
        assert subscribed.wait(10), "collector could not subscribe"
        self.client = c

    def ids(self) -> set[str]:
        with self.cond:
            return {rid for _t, rid in self.received}

    def wait_for(self, expected: set[str], timeout: float = 30.0) -> set[str]:
        """Wait until every expected id arrived; returns the missing ones (empty = all)."""
        deadline = time.monotonic() + timeout
        missing = set(expected)
        seen = 0
        with self.cond:
            while True:
                for _t, rid in self.received[seen:]:  # only what is new: O(n) overall
                    missing.discard(rid)
                seen = len(self.received)
                left = deadline - time.monotonic()
                if not missing or left <= 0:
                    return missing
                self.cond.wait(min(left, 0.2))

    def wait_other(self, topic: str, timeout: float = 10.0) -> bytes | None:
        with self.cond:
            self.cond.wait_for(lambda: topic in self.other, timeout)
            return self.other.get(topic)

    def stop(self) -> None:
        if self.client is not None:
            self.client.disconnect()
            self.client.loop_stop()
            self.client = None

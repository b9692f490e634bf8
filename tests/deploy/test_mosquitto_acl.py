"""The shipped Mosquitto ACL (deploy/central/mosquitto.acl) on a real Mosquitto over mutual
TLS, identities from client certificates: a terminal publishes and reads only its own topics;
the collector and the history responder get theirs; the history round trip works under it."""

from __future__ import annotations

import queue
import ssl
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from messaging.topics import Topics
from tests.certs import make_pki
from tests.messaging.peers import Broker
from tests.peers import free_port, require_executable

pytestmark = pytest.mark.peer
ACL = Path(__file__).resolve().parents[2] / "deploy" / "central" / "mosquitto.acl"
CLIENTS = {"t1_": "MSU-BRIDGE/t1", "t2_": "MSU-BRIDGE/t2", "col_": "imdms-collector",
           "hist_": "imdms-history"}
T1, T2 = Topics("imdms/v1", "MSU-BRIDGE", "t1"), Topics("imdms/v1", "MSU-BRIDGE", "t2")


class Client:
    """One identity on the broker: what it receives, queued."""

    def __init__(self, port: int, pki: dict[str, Path], prefix: str) -> None:
        self.got: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.granted: list[bool] = []
        self._subscribed = threading.Event()
        self.c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=prefix + "id",
                             protocol=mqtt.MQTTv5)
        self.c.tls_set(ca_certs=str(pki["ca"]), certfile=str(pki[f"{prefix}cert"]),
                       keyfile=str(pki[f"{prefix}key"]), tls_version=ssl.PROTOCOL_TLS_CLIENT)
        self.c.on_message = lambda _c, _u, m: self.got.put((m.topic, bytes(m.payload)))
        self.c.on_subscribe = self._on_subscribe
        connected = threading.Event()
        self.c.on_connect = lambda *_a: connected.set()
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        assert connected.wait(10), f"{prefix} not connected"

    def _on_subscribe(self, _c: Any, _u: Any, _mid: Any, codes: Any, _p: Any) -> None:
        self.granted += [not rc.is_failure for rc in codes]
        self._subscribed.set()

    def subscribe(self, topic: str) -> bool:
        self._subscribed.clear()
        self.c.subscribe(topic, qos=1)
        assert self._subscribed.wait(10)
        return self.granted[-1]

    def publish(self, topic: str, payload: bytes) -> None:
        self.c.publish(topic, payload, qos=1).wait_for_publish(10)

    def forge(self, topic: str, payload: bytes) -> None:
        """A publish the ACL denies: Mosquitto drops it (an MQTT 5 client may be disconnected
        for it), so only what a subscriber receives tells."""
        self.c.publish(topic, payload, qos=1)
        time.sleep(0.3)

    def received(self, wait_s: float = 1.0) -> list[tuple[str, bytes]]:
        out, deadline = [], time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                out.append(self.got.get(timeout=0.05))
            except queue.Empty:
                pass
        return out

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


@pytest.fixture
def peers(tmp_path: Path) -> Any:
    pki = make_pki(tmp_path / "pki", CLIENTS)
    broker = Broker(require_executable("mosquitto"), tmp_path, free_port(),
                    f"use_identity_as_username true\nacl_file {ACL}\n", pki)
    broker.anonymous = False
    broker.start()
    clients = {name: Client(broker.port, pki, name) for name in CLIENTS}
    yield clients
    for c in clients.values():
        c.close()
    broker.stop()


def test_a_terminal_publishes_only_on_its_own_topics(peers: dict[str, Client]) -> None:
    col = peers["col_"]
    col.subscribe(f"$share/imdms-collectors/{T1.all_crossings}")
    peers["t1_"].publish(T1.crossing, b"mine")
    peers["t2_"].forge(T1.crossing, b"t2 as t1")
    peers["t1_"].forge(Topics("imdms/v1", "FICKSBURG", "t1").crossing, b"t1 as another post")
    assert col.received() == [(T1.crossing, b"mine")]


def test_a_terminal_reads_only_its_own_topics(peers: dict[str, Client]) -> None:
    t1 = peers["t1_"]
    for topic in (T1.receipt, T1.history_answer, T1.watchlist, T1.officers, T2.receipt,
                  T2.history_answer, "imdms/v1/#", "#"):
        t1.subscribe(topic)  # granted or not, only what the ACL allows is delivered
    col = peers["col_"]
    col.publish(T2.receipt, b"for t2")
    col.publish(T1.receipt, b"for t1")
    col.publish(T1.watchlist, b"list")
    peers["t2_"].publish(T2.crossing, b"t2's crossing")
    assert sorted(set(t1.received())) == [(T1.receipt, b"for t1"), (T1.watchlist, b"list")]


def test_history_round_trip_under_the_acl(peers: dict[str, Client]) -> None:
    hist, t1, t2, col = peers["hist_"], peers["t1_"], peers["t2_"], peers["col_"]
    hist.subscribe(f"$share/imdms-history/{T1.all_history_requests}")
    col.subscribe(T1.all_history_requests)  # the collector has no business with questions
    t1.subscribe(T1.history_answer)
    t2.subscribe(T1.history_answer)  # nor another booth with t1's answers
    t1.publish(T1.history_request, b"question")
    assert hist.received() == [(T1.history_request, b"question")]
    hist.publish(T1.history_answer_for("MSU-BRIDGE", "t1"), b"answer")
    t2.forge(T1.history_answer, b"forged answer")  # a terminal cannot answer for the centre
    assert t1.received() == [(T1.history_answer, b"answer")]
    assert t2.received(0.2) == [] and col.received(0.2) == []

"""The history path's parts on loopback: central store, responder, forwarder, booth client."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from central.db import Database
from central.history.responder import HistoryResponder
from config.models import BrokerConfig
from messaging.history_wire import Document
from messaging.outbox import Outbox
from messaging.seal import Opener, Sealer, new_key_pair
from records.codes import Direction
from terminal.history import HistoryClient
from tests.messaging.helpers import Running, start_forwarder
from tests.trace.people import crossing, ingest

DOC = Document("ZAF", "A01234567", "1990-05-17")


def central_store(path: Path) -> str:
    """A SQLite central store holding three crossings of DOC and one of someone else."""
    db = Database(str(path))
    ingest(db,
           crossing(days=0, post="MSU-BRIDGE"),
           crossing(days=3, direction=Direction.EXIT, post="FICKSBURG"),
           crossing(days=10, post="MASERU-BRIDGE"),
           crossing(doc="ZAF:B99999999", surname="NKOSI", given="THABO", dob="1985-01-02"))
    db.close()
    return str(path)


@dataclass
class Rig:
    responder: HistoryResponder
    stop: threading.Event
    thread: threading.Thread
    forwarder: Running | None
    client: HistoryClient

    def close(self) -> None:
        if self.forwarder is not None:
            self.forwarder.halt()
        self.stop.set()
        self.thread.join(10)


def start_responder(port: int, database: str, opener: Opener, wait_s: float = 15) -> tuple[
        HistoryResponder, threading.Event, threading.Thread]:
    responder = HistoryResponder(BrokerConfig(host="127.0.0.1", port=port, tls=None), database,
                                 opener, client_id=f"history-{port}")
    stop, ready = threading.Event(), threading.Event()
    thread = threading.Thread(target=responder.run, args=(stop, ready), daemon=True)
    thread.start()
    assert ready.wait(wait_s), "responder did not subscribe"
    return responder, stop, thread


def rig(tmp_path: Path, port: int, *, forwarder: bool = True, responder: bool = True,
        timeout_s: float = 3.0) -> Rig:
    """timeout_s: the booth's give-up (1 s in service; longer here, where a loaded shared CI
    machine must not turn a correctness test into a latency one: benchmarks measure that)."""
    private, public = new_key_pair()
    database = central_store(tmp_path / "central.sqlite3")
    if responder:
        resp, stop, thread = start_responder(port, database, Opener.from_pem(private))
    else:
        resp = HistoryResponder(BrokerConfig(host="127.0.0.1", port=port, tls=None), database,
                                Opener.from_pem(private))
        stop, thread = threading.Event(), threading.Thread(target=lambda: None)
        thread.start()
    data = tmp_path / "d"
    data.mkdir()
    fwd = None
    if forwarder:
        fwd = start_forwarder(Outbox(data / "outbox.sqlite3", disk_floor_mb=1), data, port)
        for _ in range(200):
            if fwd.forwarder.connected and (data / "history.sock").exists():
                break
            threading.Event().wait(0.05)
        assert fwd.forwarder.connected
    return Rig(resp, stop, thread, fwd, HistoryClient(data, Sealer.from_pem(public), timeout_s))


class Sniffer:
    """Everything the broker carries (what its operator could read)."""

    def __init__(self, port: int) -> None:
        self.payloads: list[bytes] = []
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"sniff-{port}")
        self.client.on_message = self._on_message
        done = threading.Event()
        self.client.on_subscribe = lambda *_a: done.set()
        self.client.on_connect = lambda c, *_a: c.subscribe("#", qos=0)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert done.wait(10)

    def _on_message(self, _c: Any, _u: Any, msg: Any) -> None:
        self.payloads.append(bytes(msg.payload))

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

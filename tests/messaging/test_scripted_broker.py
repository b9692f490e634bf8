"""The forwarder against a scripted MQTT 3.1.1 broker, byte by byte (after paho's
test_03_publish_c2b_qos1_disconnect.py): CONNECT, CONNACK, PUBLISH QoS 1, the link dropped
before the PUBACK, the same PUBLISH again with DUP=1 after the reconnect, then the PUBACK, and
the record leaves the outbox exactly once. No real broker: no peer marker."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from messaging.outbox import Outbox
from messaging.topics import OFFLINE
from tests.helpers import wait_until
from tests.messaging import scripted_broker as sb
from tests.messaging.helpers import Running, start_forwarder
from tests.messaging.records import make_record
from tests.messaging.scripted_broker import Conn, Packet, ScriptedBroker, gen_puback, packet

STATUS = "imdms/v1/MSU-BRIDGE/t1/status"
CROSSING = "imdms/v1/MSU-BRIDGE/t1/crossing"


@pytest.fixture
def scripted() -> Iterator[ScriptedBroker]:
    broker = ScriptedBroker()
    try:
        yield broker
    finally:
        broker.close()


def serve_until_record(conn: Conn, seen: list[Packet]) -> Packet:
    """Answer the forwarder's other packets (status PUBLISH, SUBSCRIBE, PINGREQ) until it
    publishes to the crossing topic; returns that packet (unacknowledged)."""
    while True:
        p = conn.read()
        seen.append(p)
        if p.kind == sb.PUBLISH and p.topic == CROSSING:
            return p
        if p.kind == sb.PUBLISH and p.qos == 1:
            conn.send(gen_puback(p.mid))
        elif p.kind == sb.SUBSCRIBE:
            conn.send(packet(sb.SUBACK, p.mid.to_bytes(2, "big") + b"\x01"))
        elif p.kind == sb.PINGREQ:
            conn.send(packet(sb.PINGRESP, b""))


def serve_until_disconnect(conn: Conn, seen: list[Packet]) -> None:
    while True:
        p = conn.read()
        seen.append(p)
        if p.kind == sb.DISCONNECT:
            return
        if p.kind == sb.PUBLISH and p.qos == 1:
            conn.send(gen_puback(p.mid))
        elif p.kind == sb.SUBSCRIBE:
            conn.send(packet(sb.SUBACK, p.mid.to_bytes(2, "big") + b"\x01"))


def _start(box: Outbox, tmp_path: Path, port: int) -> tuple[Running, bytes]:
    run = start_forwarder(box, tmp_path, port, protocol="3.1.1", keepalive_s=60,
                          heartbeat_s=3600.0)
    connect = sb.gen_connect(f"fwd-t1-{port}", 60, clean_session=False, will_topic=STATUS,
                          will_payload=OFFLINE)
    return run, connect


@pytest.mark.parametrize("session_present", [True, False])
def test_qos1_redelivered_after_a_drop_before_puback(
    tmp_path: Path, scripted: ScriptedBroker, session_present: bool
) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    record = make_record()
    box.add(record)
    (row,) = box.fetch(0, 10)
    payload = row.payload.encode()
    run, connect = _start(box, tmp_path, scripted.port)
    seen: list[Packet] = []
    try:
        first = scripted.accept()
        assert first.read().raw == connect  # clean session off, retained LWT "offline"
        first.send(sb.gen_connack(session_present=False))
        sent = serve_until_record(first, seen)
        assert sent.raw == sb.gen_publish(CROSSING, payload, qos=1, mid=sent.mid)
        first.drop()  # before the PUBACK

        second = scripted.accept()
        assert second.read().raw == connect
        second.send(sb.gen_connack(session_present=session_present))
        again = serve_until_record(second, seen)
        if session_present:
            # MQTT 3.1.1 4.4: the same packet, same packet id, DUP=1
            assert again.raw == sb.gen_publish(CROSSING, payload, qos=1, mid=sent.mid, dup=True)
        else:
            # the broker lost the session: the outbox re-sends it as a new sb.PUBLISH (a suspect,
            # alone), same record_id and bytes
            assert again.raw == sb.gen_publish(CROSSING, payload, qos=1, mid=again.mid)
        assert box.status().pending == 1  # not before its PUBACK
        second.send(gen_puback(again.mid))
        assert wait_until(lambda: box.status().pending == 0, timeout=10)
        time.sleep(0.3)  # anything published again would arrive now
        run.stop.set()
        serve_until_disconnect(second, seen)
        run.thread.join(10)
        assert not run.thread.is_alive()
    finally:
        run.halt()
    records = [p for p in seen if p.kind == sb.PUBLISH and p.topic == CROSSING]
    assert len(records) == 2  # the first send and the one redelivery: exactly once after it
    last = [p for p in seen if p.kind == sb.PUBLISH and p.topic == STATUS][-1]
    assert last.raw == sb.gen_publish(STATUS, OFFLINE, qos=1, mid=last.mid, retain=True)
    assert box.status().quarantined == 0
    assert box.add_many([record])[0].state == "known"  # its tombstone: sent, once
    box.close()

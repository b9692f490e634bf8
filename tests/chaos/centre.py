"""The centre in the chaos tests: its own process, a persistent-session QoS 1 subscriber.

    python -m tests.chaos.centre --port P --out FILE

MQTT 5, clean_start=False with a session expiry, so the broker keeps its queue for us across
our reconnects and (with persistence) its own restarts. Each message is written to FILE before
on_message returns, so before paho sends the PUBACK: a record we acknowledged is on file.
Lines: `C <record_id> <sha256 of the payload, 16 hex>` for a crossing, `H <sent_at>` for a
heartbeat, `READY` once subscribed. Stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import signal
import sys
import threading
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

CROSSINGS = "imdms/v1/+/+/crossing"
HEARTBEATS = "imdms/v1/+/+/heartbeat"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--client-id", default="chaos-centre")
    args = parser.parse_args(argv)
    out = open(args.out, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives to exit
    write_lock = threading.Lock()

    def on_connect(cl: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        if not rc.is_failure:
            cl.subscribe([(CROSSINGS, 1), (HEARTBEATS, 0)])

    def on_subscribe(*_a: Any) -> None:
        with write_lock:
            out.write("READY\n")

    def on_message(_cl: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        if msg.topic.endswith("/crossing"):
            try:
                rid = json.loads(msg.payload)["record_id"]
            except (ValueError, KeyError, TypeError):
                rid = "unparsable"
            line = f"C {rid} {hashlib.sha256(msg.payload).hexdigest()[:16]}\n"
        else:
            try:
                line = f"H {json.loads(msg.payload)['sent_at']}\n"
            except (ValueError, KeyError, TypeError):
                return
        with write_lock:
            out.write(line)

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=args.client_id,
                         protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(1000)
    client.reconnect_delay_set(0.05, 0.5)  # type: ignore[arg-type]
    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.SessionExpiryInterval = 3600
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_a: stop.set())
    client.connect("127.0.0.1", args.port, clean_start=False, properties=props)
    client.loop_start()
    stop.wait()
    client.disconnect()
    client.loop_stop()
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

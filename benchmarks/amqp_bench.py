"""RabbitMQ path figures: node start-up, MQTT 3.1.1 publish into the quorum queue, and the
collector's AMQP consume -> store -> ack rate, on one loopback node (tests/central/rabbit.py).

    python benchmarks/amqp_bench.py [--records 20000] [--database postgresql://...]

Prints: node start (s), publish msg/s (paho, QoS 1, 100 in flight, PUBACK after the quorum
queue's confirm), collect msg/s (one in-process Collector: queue drained into SQLite, or the
given PostgreSQL URL, acknowledged after each commit).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from central.collector import Collector  # noqa: E402
from config.models import BrokerConfig, CollectorConfig  # noqa: E402
from tests.central.rabbit import COLLECTOR_USER, RabbitNode  # noqa: E402
from tests.collector.publish import publish_all  # noqa: E402
from tests.collector.records import make  # noqa: E402

USER = "MSU-BRIDGE.b1"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--database", help="PostgreSQL URL (default: a SQLite file)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="amqp-bench-") as tmp:
        d = Path(tmp)
        node = RabbitNode(d / "node", {COLLECTOR_USER: "c", USER: "t"}, ("bench-admin", "a"))
        try:
            node.start()
            print(f"node start: {node.start_s:.1f} s")
            secret = d / "t.password"
            secret.write_text("t")
            broker = BrokerConfig.model_validate(
                {
                    "host": "127.0.0.1",
                    "port": node.mqtt_port,
                    "protocol": "3.1.1",
                    "username": USER,
                    "password_credential": str(secret),
                    "inflight": 100,
                }
            )
            topic = "imdms/v1/MSU-BRIDGE/b1/crossing"
            msgs = [
                (topic, json.dumps(make(terminal="b1")).encode(), 1) for _ in range(args.records)
            ]
            t0 = time.monotonic()
            publish_all(broker, msgs, client_id="bench-b1", timeout_s=600)
            pub_s = time.monotonic() - t0
            print(f"publish (MQTT 3.1.1 QoS 1 -> quorum queue): {args.records / pub_s:.0f} msg/s")
            (d / "amqp-password").write_text("c")
            os.environ["CREDENTIALS_DIRECTORY"] = str(d)
            database = args.database or str(d / "central.sqlite3")
            ccfg = CollectorConfig.model_validate(
                {"database": database, "source": "amqp", "amqp_url": node.amqp_url()}
            )
            collector = Collector(BrokerConfig(), ccfg)
            t0 = time.monotonic()
            collector.start()
            try:
                ok = collector.wait_for(lambda c: c["stored"] >= args.records, 600)
            finally:
                collector.stop()
            col_s = time.monotonic() - t0
            store = "PostgreSQL" if args.database else "SQLite"
            print(
                f"collect (AMQP -> {store}, ack after commit): {args.records / col_s:.0f} msg/s"
                f"{'' if ok else ' (TIMED OUT)'}"
            )
        finally:
            node.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

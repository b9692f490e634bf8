"""Sealing benchmark (prints its figures).

    nice -n 0 .venv/bin/python benchmarks/seal_bench.py [--records 5000] [--runs 3]
                                                        [--store sqlite|postgresql]

Figures:
- sealing cost per record on the booth: Sealer.seal_record on a full crossing (median and p99
  of single calls); goal <= 1 ms median on this machine;
- Outbox.add per record with and without a sealer (one synced transaction each: the cost the
  officer waits for);
- opening cost per record at the centre (central.unseal.open_payload);
- collector throughput (records/s) storing crossing-v1 versus crossing-v2 (opened first with
  the central key), through the collector's own threads: a feeder in paho's place calls
  on_message (which opens sealed records, off the writer thread) while the writer validates,
  stores and commits per 500 on SQLite (--store postgresql: a throw-away PostgreSQL server
  started here, fsync on, as the national store); the broker hop is the same for both and is
  left out. Goal: with opening >= 80 % of without. Medians over --runs interleaved rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from central.collector import Collector  # noqa: E402
from central.db import Database  # noqa: E402
from config.models import BrokerConfig, CollectorConfig  # noqa: E402
from messaging.outbox import Outbox  # noqa: E402
from messaging.seal import Sealer, new_key_pair  # noqa: E402
from records.codes import TipIndicator  # noqa: E402
from tests.collector.postgres import DurablePostgres  # noqa: E402
from tests.messaging.records import make_record  # noqa: E402

BATCH = 500


def person(terminal_id: str = "t1") -> dict[str, object]:
    return make_record(terminal_id=terminal_id, surname="BENCHPERSON", given_names="ANNA MARIA",
                       date_of_expiry="2031-01-01", notes="met by a relative",
                       tip_indicators=(TipIndicator.COMPANION_ANSWERS,)).to_dict()


def seal_cost(sealer: Sealer, n: int) -> tuple[float, float]:
    records = [person() for _ in range(n)]
    times = []
    for r in records:
        t0 = time.perf_counter()
        sealer.seal_record(r)
        times.append(time.perf_counter() - t0)
    times.sort()
    return statistics.median(times) * 1e3, times[int(len(times) * 0.99)] * 1e3


def add_costs(workdir: Path, sealer: Sealer, n: int) -> tuple[float, float]:
    """Median ms of Outbox.add without and with sealing, interleaved record by record (fsync
    latency drifts with the machine's load; alternating spreads it over both alike)."""
    times: dict[bool, list[float]] = {False: [], True: []}
    boxes = {sealed: Outbox(workdir / f"add-{sealed}.sqlite3", disk_floor_mb=1,
                            sealer=sealer if sealed else None) for sealed in (False, True)}
    try:
        for i in range(2 * n):
            sealed = bool(i % 2)
            record = make_record(surname="BENCHPERSON")
            t0 = time.perf_counter()
            boxes[sealed].add(record)
            times[sealed].append(time.perf_counter() - t0)
    finally:
        for box in boxes.values():
            box.close()
    return statistics.median(times[False]) * 1e3, statistics.median(times[True]) * 1e3


class _Delivered:
    """What paho hands to on_message."""

    def __init__(self, topic: str, payload: bytes, mid: int) -> None:
        self.topic, self.payload, self.mid, self.qos = topic, payload, mid, 0


def collector_rate(workdir: Path, payloads: list[bytes], tag: str,
                   pg: DurablePostgres | None = None) -> float:
    """Records/s through the collector's own threads: a feeder in paho's place calls
    on_message (where sealed records are opened) while the writer thread stores batches."""
    broker = BrokerConfig.model_validate({"host": "127.0.0.1", "port": 1})
    url = pg.create_database() if pg is not None else str(workdir / f"central-{tag}.sqlite3")
    collector = Collector(broker, CollectorConfig.model_validate({"database": url}))
    Database(url).close()  # schema created outside the timing
    messages = [_Delivered("imdms/v1/MSU-BRIDGE/t1/crossing", p, i)
                for i, p in enumerate(payloads)]
    writer = threading.Thread(target=collector._writer_main, name="writer")
    t0 = time.perf_counter()
    writer.start()
    for m in messages:
        collector._on_message(None, None, m)
    collector.wait_for(lambda n: n["stored"] >= len(messages), 600)
    elapsed = time.perf_counter() - t0
    collector._queue.put(None)
    writer.join()
    collector.cases.stop()  # its notice thread, before the server goes away
    assert collector.counts["stored"] == len(messages), dict(collector.counts)
    if pg is None:
        for p in workdir.glob(Path(url).name + "*"):
            p.unlink()
    return len(messages) / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    pg = DurablePostgres() if args.store == "postgresql" else None
    try:
        return run(args, pg)
    finally:
        if pg is not None:
            pg.stop()


def run(args: argparse.Namespace, pg: DurablePostgres | None) -> int:
    private_pem, public_pem = new_key_pair()
    sealer = Sealer.from_pem(public_pem)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        creds = workdir / "credentials"
        creds.mkdir()
        (creds / "imdms-central.key").write_text(private_pem)
        os.environ["CREDENTIALS_DIRECTORY"] = str(creds)
        median, p99 = seal_cost(sealer, args.records)
        print(f"seal_record: median {median:.3f} ms, p99 {p99:.3f} ms per record "
              f"(goal <= 1 ms median) {'OK' if median <= 1 else 'MISSED'}")
        adds = min(args.records, 500)
        plain_add, sealed_add = add_costs(workdir, sealer, adds)
        print(f"Outbox.add (synced): {plain_add:.3f} ms clear, {sealed_add:.3f} ms sealed "
              f"(median of {adds})")
        import json

        v1 = [json.dumps(person(), sort_keys=True).encode() for _ in range(args.records)]
        v2 = [json.dumps(sealer.seal_record(person()), sort_keys=True).encode()
              for _ in range(args.records)]
        from central.unseal import open_payload

        t0 = time.perf_counter()
        for payload in v2:
            open_payload(payload, "imdms-central.key")
        each = (time.perf_counter() - t0) / len(v2) * 1e3
        print(f"open_payload (collector, per record): {each:.3f} ms")
        plain_rates, sealed_rates = [], []
        for run in range(args.runs):  # interleaved, so machine load hits both alike
            plain_rates.append(collector_rate(workdir, v1, f"v1-{run}", pg))
            sealed_rates.append(collector_rate(workdir, v2, f"v2-{run}", pg))
        plain, sealed = statistics.median(plain_rates), statistics.median(sealed_rates)
        ratio = sealed / plain
        print(f"collector into {args.store}: {plain:,.0f} records/s crossing-v1, "
              f"{sealed:,.0f} records/s crossing-v2 opened ({ratio:.0%} of v1; goal >= 80 %) "
              f"{'OK' if ratio >= 0.8 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

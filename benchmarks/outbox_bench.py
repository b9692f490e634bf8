"""Outbox and forwarder benchmark against a local Mosquitto (one run, prints its figures).

    .venv/bin/python benchmarks/outbox_bench.py [--quick]

Figures:
- raw paho QoS 1 publish rate (same window as the forwarder) vs the outbox drain rate
  (goal: drain >= 80 % of raw paho, with every row durable and deleted only after PUBACK);
- enqueue rate of Outbox.add() (schema check + one synchronous=FULL transaction each), and of
  the synced transaction alone;
- a 100,000-record backlog drained by `imdms forward --exit-when-empty` (goal <= 30 s) and that
  process's peak RSS, against a 10,000-record backlog (goal <= 80 MB, not growing).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

from messaging.forwarder import Forwarder, LinkSettings  # noqa: E402
from messaging.outbox import Outbox  # noqa: E402
from messaging.record import CrossingRecord, new_record_id  # noqa: E402
from messaging.topics import Topics  # noqa: E402

WINDOW = 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_broker(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    conf = workdir / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\nuser {getpass.getuser()}\n"
        f"max_inflight_messages {WINDOW}\nmax_queued_messages 0\n"
    )
    exe = "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else "mosquitto"
    proc = subprocess.Popen([exe, "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, port
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("mosquitto did not start")


def sample_record() -> dict[str, object]:
    from messaging.codes import CaptureMethod, Direction, DocumentType, Sex

    rec = CrossingRecord(
        terminal_id="t1", border_post="MSU-BRIDGE", officer_id="off7",
        direction=Direction.ENTRY, capture_method=CaptureMethod.MRZ_READER,
        document_type=DocumentType.PASSPORT, document_number="QX1234567", nationality="LSO",
        issuing_state="LSO", sex=Sex.FEMALE, date_of_birth="1990-03-04", surname="TESTPERSON",
        given_names="ALPHA BETA", notes="x" * 300, intended_stay_days=10,
    ).with_derived()
    return rec.to_dict()


def bulk_fill(box: Outbox, n: int) -> None:
    """Queue n records fast (one schema check, one transaction per 10,000)."""
    template = sample_record()
    box._encode(template)
    for start in range(0, n, 10_000):
        with box._tx() as db:
            for _ in range(min(10_000, n - start)):
                data = dict(template, record_id=new_record_id())
                box._insert(db, data, json.dumps(data, separators=(",", ":"), sort_keys=True),
                            imported=False)


def raw_paho_rate(port: int, n: int) -> float:
    """paho alone, same window: a semaphore of WINDOW slots, released in on_publish.

    (paho's own max_inflight queue is slower: it rescans its whole queue on every PUBACK.)"""
    payload = json.dumps(sample_record(), separators=(",", ":"), sort_keys=True)
    done = threading.Event()
    slots = threading.BoundedSemaphore(WINDOW)
    acked = [0]

    def on_publish(*_a: object) -> None:
        acked[0] += 1
        slots.release()
        if acked[0] == n:
            done.set()

    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"raw-{time.time_ns()}",
                    protocol=mqtt.MQTTv5)
    c.max_inflight_messages_set(0)
    c.on_publish = on_publish
    c.connect("127.0.0.1", port)
    c.loop_start()
    t0 = time.perf_counter()
    for _ in range(n):
        slots.acquire()
        c.publish("imdms/v1/MSU-BRIDGE/t1/crossing", payload, qos=1)
    done.wait(300)
    elapsed = time.perf_counter() - t0
    c.disconnect()
    c.loop_stop()
    return n / elapsed


def drain_rate(port: int, n: int, workdir: Path) -> float:
    path = workdir / f"drain-{time.time_ns()}.sqlite3"
    box = Outbox(path, disk_floor_mb=1)
    bulk_fill(box, n)
    settings = LinkSettings("127.0.0.1", port, client_id=f"fwd-{time.time_ns()}", window=WINDOW)
    fwd = Forwarder(settings, box, Topics("imdms/v1", "MSU-BRIDGE", "t1"), workdir)
    stop = threading.Event()
    thread = threading.Thread(target=fwd.run, args=(stop,), daemon=True)
    thread.start()
    while not fwd.connected:
        time.sleep(0.001)
    t0 = time.perf_counter()
    while fwd.acknowledged < n:
        time.sleep(0.002)
    elapsed = time.perf_counter() - t0
    stop.set()
    thread.join(30)
    assert box.status().pending == 0, "rows left after the drain"
    box.close()
    return n / elapsed


def enqueue_rates(workdir: Path, n: int) -> tuple[float, float]:
    from messaging.record import CrossingRecord as CR

    box = Outbox(workdir / "enqueue.sqlite3", disk_floor_mb=1)
    template = sample_record()
    records = [CR.from_dict(dict(template, record_id=new_record_id())) for _ in range(n)]
    t0 = time.perf_counter()
    for rec in records:
        box.add(rec)
    full = n / (time.perf_counter() - t0)
    payload = json.dumps(template)
    t0 = time.perf_counter()
    for _ in range(n):
        with box._tx() as db:
            box._insert(db, dict(template, record_id=new_record_id()), payload, imported=False)
    synced = n / (time.perf_counter() - t0)
    box.close()
    return full, synced


def backlog_run(port: int, n: int, workdir: Path) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of `imdms forward --exit-when-empty` on an n-record backlog."""
    data = workdir / f"backlog-{n}"
    data.mkdir()
    box = Outbox(data / "outbox.sqlite3", disk_floor_mb=1)
    bulk_fill(box, n)
    box.close()
    config = data / "terminal.toml"
    config.write_text(
        f'[terminal]\ndata_dir = "{data}"\n[outbox]\ndisk_floor_mb = 1\n'
        f'[broker]\nhost = "127.0.0.1"\nport = {port}\ninflight = {WINDOW}\n'
        f'client_id = "backlog-{n}"\n[logging]\nlevel = "WARNING"\n'
    )
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "imdms.cli", "forward", "--exit-when-empty", "--config",
         str(config)], cwd=REPO)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"imdms forward exited {proc.returncode}")
    box = Outbox(data / "outbox.sqlite3", disk_floor_mb=1)
    left = box.status().pending
    box.close()
    assert left == 0, f"{left} rows left"
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (smoke run)")
    args = parser.parse_args()
    n_rate = 3_000 if args.quick else 10_000
    n_backlog = 10_000 if args.quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        broker, port = start_broker(workdir)
        try:
            raws, drains = [], []
            for _ in range(3):  # interleaved, so machine load hits both alike
                raws.append(raw_paho_rate(port, n_rate))
                drains.append(drain_rate(port, n_rate, workdir))
            raw, drain = statistics.median(raws), statistics.median(drains)
            print(f"raw paho QoS 1 publish (window {WINDOW}, {n_rate} msgs, median of 3): "
                  f"{raw:8.0f} msg/s  runs {[round(r) for r in raws]}")
            print(f"outbox drain, delete after PUBACK (same):            "
                  f"{drain:8.0f} msg/s  runs {[round(r) for r in drains]}")
            print(f"drain / raw paho: {drain / raw:.0%} (goal >= 80%)")
            full, synced = enqueue_rates(workdir, 300)
            print(f"enqueue Outbox.add() (schema + synchronous=FULL tx): {full:8.0f} rec/s")
            print(f"enqueue synced transaction alone:                    {synced:8.0f} rec/s")
            small_t, small_rss = backlog_run(port, 10_000, workdir)
            print(f"backlog 10,000: imdms forward --exit-when-empty {small_t:6.1f} s, "
                  f"peak RSS {small_rss:5.1f} MiB")
            if n_backlog != 10_000:
                big_t, big_rss = backlog_run(port, n_backlog, workdir)
                print(f"backlog {n_backlog:,}: imdms forward --exit-when-empty {big_t:6.1f} s "
                      f"(goal <= 30 s), peak RSS {big_rss:5.1f} MiB (goal <= 80 MiB)")
        finally:
            broker.send_signal(signal.SIGTERM)
            broker.wait(10)


if __name__ == "__main__":
    main()

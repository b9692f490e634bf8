"""Outbox and forwarder benchmark against a local Mosquitto (prints its figures).

    nice -n 0 .venv/bin/python benchmarks/outbox_bench.py [--quick] [--runs 3]

Figures (medians over --runs interleaved rounds, so machine load hits all peers alike):
- raw paho QoS 1 publish rate, window 100, on the same broker in the same run, three ways (the
  best of them is the yardstick): paho's own thread refilling from on_publish; one thread on
  paho's external-loop API; the same with messaging.buffered_socket (the forwarder's trick,
  so the ratio is not flattered by it);
- the outbox drain (Forwarder.run(exit_when_empty=True): every row durable, deleted only after
  its PUBACK, final deletes included); goal: drain >= 80 % of the best raw paho;
- enqueue rate: Outbox.add() one synced transaction each, and batched (Outbox.add_many when it
  exists, else import_records: one transaction per 500);
- a 100,000-record backlog drained by `imdms forward --exit-when-empty` (goal <= 20 s) and that
  process's peak RSS against a 10,000 one (goal <= 60 MiB, flat), and the outbox file size
  before, after, and after prune_sent(0) + maintain() (goal < 5 MB).

Mosquitto's limits are the same for every peer: max_inflight_messages 100 is also the Receive
Maximum its CONNACK announces to MQTT 5 clients (printed), max_queued_messages only bounds
messages queued *to* subscribers (none here).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

from messaging.buffered_socket import BufferedSocket  # noqa: E402
from messaging.forwarder import Forwarder, LinkSettings  # noqa: E402
from messaging.outbox import Outbox  # noqa: E402
from messaging.topics import Topics  # noqa: E402
from records.record import CrossingRecord, new_record_id  # noqa: E402

WINDOW = 100
TOPIC = "imdms/v1/MSU-BRIDGE/t1/crossing"
MIB = 1024 * 1024


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


def sample_record() -> dict[str, Any]:
    from records.codes import CaptureMethod, Direction, DocumentType, Sex

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


# -- raw paho peers: each returns msg/s, timed from connect() to the last PUBACK ----------------

def _raw_client(port: int, seen: dict[str, Any]) -> mqtt.Client:
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"raw-{time.time_ns()}",
                    protocol=mqtt.MQTTv5)
    c.max_inflight_messages_set(0)  # the window below bounds what is in flight

    def on_connect(_c: mqtt.Client, _u: Any, _f: Any, _rc: Any, props: Any) -> None:
        seen["receive_maximum"] = getattr(props, "ReceiveMaximum", None)
    c.on_connect = on_connect
    return c


def raw_threaded(port: int, n: int, payload: bytes, seen: dict[str, Any]) -> float:
    """paho's loop_start thread; the window is refilled from on_publish, in that thread."""
    done = threading.Event()
    state = {"sent": 0, "acked": 0}
    c = _raw_client(port, seen)
    inner: Any = c.on_connect

    def publish_more(client: mqtt.Client, k: int) -> None:
        for _ in range(min(k, n - state["sent"])):
            state["sent"] += 1
            client.publish(TOPIC, payload, qos=1)

    def on_connect(client: mqtt.Client, *a: Any) -> None:
        inner(client, *a)
        publish_more(client, WINDOW)

    def on_publish(client: mqtt.Client, *_a: Any) -> None:
        state["acked"] += 1
        publish_more(client, 1)
        if state["acked"] == n:
            done.set()
    c.on_connect, c.on_publish = on_connect, on_publish
    t0 = time.perf_counter()
    c.connect("127.0.0.1", port)
    c.loop_start()
    done.wait(300)
    elapsed = time.perf_counter() - t0
    c.disconnect()
    c.loop_stop()
    return n / elapsed


def raw_one_thread(port: int, n: int, payload: bytes, seen: dict[str, Any],
                   buffered: bool = False) -> float:
    """One thread on paho's external-loop API: publish while the window has room, select."""
    acked = [0]
    c = _raw_client(port, seen)

    def on_publish(*_a: Any) -> None:
        acked[0] += 1
    c.on_publish = on_publish
    t0 = time.perf_counter()
    c.connect("127.0.0.1", port)
    if buffered:
        c._sock = BufferedSocket(c._sock)
    sent = 0
    while acked[0] < n:
        while sent < n and sent - acked[0] < WINDOW and c.is_connected():
            c.publish(TOPIC, payload, qos=1)
            sent += 1
        sock: Any = c.socket()
        if buffered:
            sock.flush()
        out = c.want_write() or (buffered and sock.wants_write)
        if not (buffered and sock.pending()):
            select.select([sock], [sock] if out else [], [], 0.05)
        c.loop_read()
        c.loop_write()
        c.loop_misc()
    elapsed = time.perf_counter() - t0
    c.disconnect()
    return n / elapsed


def drain_rate(port: int, n: int, workdir: Path) -> float:
    """The forwarder in this process on an n-row outbox, until it is empty (deletes done)."""
    path = workdir / f"drain-{time.time_ns()}.sqlite3"
    box = Outbox(path, disk_floor_mb=1)
    bulk_fill(box, n)
    settings = LinkSettings("127.0.0.1", port, client_id=f"fwd-{time.time_ns()}", window=WINDOW)
    fwd = Forwarder(settings, box, Topics("imdms/v1", "MSU-BRIDGE", "t1"), workdir)
    t0 = time.perf_counter()
    fwd.run(threading.Event(), exit_when_empty=True)
    elapsed = time.perf_counter() - t0
    assert fwd.acknowledged == n and box.status().pending == 0, "rows left after the drain"
    box.close()
    for side in ("", "-wal", "-shm"):
        Path(str(path) + side).unlink(missing_ok=True)
    return n / elapsed


# -- enqueue, backlog ---------------------------------------------------------------------------

def enqueue_rates(workdir: Path, n: int) -> tuple[float, float, str]:
    """(Outbox.add rec/s, batched rec/s, what the batched figure used)."""
    template = sample_record()
    with Outbox(workdir / "enqueue.sqlite3", disk_floor_mb=1) as box:
        records = [CrossingRecord.from_dict(dict(template, record_id=new_record_id()))
                   for _ in range(n)]
        t0 = time.perf_counter()
        for rec in records:
            box.add(rec)
        single = n / (time.perf_counter() - t0)
        many = [CrossingRecord.from_dict(dict(template, record_id=new_record_id()))
                for _ in range(n * 10)]
        add_many: Any = getattr(box, "add_many", None)  # arriving with issue 12 item 6
        t0 = time.perf_counter()
        if callable(add_many):
            add_many(many)
            how = "Outbox.add_many"
        else:
            box.import_records(r.to_dict() for r in many)
            how = "Outbox.import_records (no add_many yet)"
        batched = len(many) / (time.perf_counter() - t0)
    return single, batched, how


def file_mb(path: Path) -> float:
    return sum(os.path.getsize(p) for p in (path, Path(f"{path}-wal")) if p.exists()) / MIB


def backlog_run(port: int, n: int, workdir: Path) -> tuple[float, float, tuple[float, ...]]:
    """(seconds, peak RSS MiB, file MiB before/after/after prune) of `imdms forward
    --exit-when-empty` on an n-record backlog."""
    data = workdir / f"backlog-{n}"
    data.mkdir()
    db = data / "outbox.sqlite3"
    with Outbox(db, disk_floor_mb=1) as box:
        bulk_fill(box, n)
    before = file_mb(db)
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
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"imdms forward exited {os.waitstatus_to_exitcode(status)}")
    after = file_mb(db)
    with Outbox(db, disk_floor_mb=1) as box:
        left = box.status().pending
        box.prune_sent(0)
        box.maintain()  # what the forwarder does with each heartbeat: incremental vacuum
    assert left == 0, f"{left} rows left"
    return elapsed, usage.ru_maxrss / 1024, (before, after, file_mb(db))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (smoke run)")
    parser.add_argument("--runs", type=int, default=3, help="interleaved rounds (>= 3)")
    args = parser.parse_args()
    n_rate = 5_000 if args.quick else 20_000
    n_backlog = 10_000 if args.quick else 100_000
    payload = json.dumps(sample_record(), separators=(",", ":"), sort_keys=True).encode()
    print(f"load average at start: {load()} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        broker, port = start_broker(workdir)
        try:
            seen: dict[str, Any] = {}
            peers: dict[str, Callable[[], float]] = {
                "raw paho, loop_start, refill in on_publish": lambda: raw_threaded(
                    port, n_rate, payload, seen),
                "raw paho, one thread, external loop": lambda: raw_one_thread(
                    port, n_rate, payload, seen),
                "raw paho, one thread, buffered socket": lambda: raw_one_thread(
                    port, n_rate, payload, seen, buffered=True),
                "outbox drain (delete after PUBACK)": lambda: drain_rate(port, n_rate, workdir),
            }
            rates: dict[str, list[float]] = {name: [] for name in peers}
            for _ in range(args.runs):
                for name, peer in peers.items():
                    rates[name].append(peer())
            medians = {name: statistics.median(r) for name, r in rates.items()}
            print(f"QoS 1, window {WINDOW}, {n_rate:,} msgs of {len(payload)} B, broker Receive "
                  f"Maximum {seen.get('receive_maximum')}, median of {args.runs}:")
            for name, r in rates.items():
                print(f"  {name:44s} {medians[name]:8.0f} msg/s  runs {[round(x) for x in r]}")
            drain = medians.pop("outbox drain (delete after PUBACK)")
            best = max(medians, key=lambda k: medians[k])
            print(f"drain / best raw paho ({best}): {drain / medians[best]:.0%} (goal >= 80%)")
            single, batched, how = enqueue_rates(workdir, 300)
            print(f"enqueue Outbox.add() (schema + one synchronous=FULL tx): {single:8.0f} rec/s")
            print(f"enqueue batched, {how}: {batched:8.0f} rec/s")
            small_t, small_rss, _ = backlog_run(port, 10_000, workdir)
            print(f"backlog 10,000: imdms forward --exit-when-empty {small_t:6.1f} s, "
                  f"peak RSS {small_rss:5.1f} MiB")
            if n_backlog != 10_000:
                big_t, big_rss, sizes = backlog_run(port, n_backlog, workdir)
                print(f"backlog {n_backlog:,}: imdms forward --exit-when-empty {big_t:6.1f} s "
                      f"(goal <= 20 s), peak RSS {big_rss:5.1f} MiB (goal <= 60 MiB, flat)")
                print("outbox file (db + wal) before / after the drain / after prune_sent(0)"
                      " + maintain(): "
                      + " / ".join(f"{s:.1f}" for s in sizes) + " MiB (goal < 5 MB)")
        finally:
            broker.send_signal(signal.SIGTERM)
            broker.wait(10)
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()

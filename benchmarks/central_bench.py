"""The national path under a busy day: 14 posts x 4 booths of real `imdms forward` processes
(MQTT 3.1.1, receipts on, sealed records) -> a 3-node RabbitMQ cluster with quorum queues ->
2 `imdms collect` processes over AMQP -> PostgreSQL, against raw paho into the same cluster.

    python benchmarks/central_bench.py [--posts 14] [--booths 4] [--day 25000]
                                       [--rate 100] [--latency-s 60] [--kills 0]

Phases, all in one run with the same peers (started here by PID, loopback only):
1. peer: one paho client publishes --day records (QoS 1, 100 in flight) into the cluster:
   msg/s to PUBACK, the ceiling of the broker path on this machine.
2. throughput: the booths' outboxes hold a compressed day (Maseru Bridge's 15,000 spread over its
   4 booths, the rest over the other posts); every forwarder starts at once with
   --exit-when-empty (which waits for every receipt): end-to-end msg/s = records / time until
   every record is stored and receipted. With --kills N, cluster nodes are SIGKILLed one at a
   time (each restarted) during this phase.
3. latency: forwarders run as services; records are added with Outbox.add() (sealed, synced, as
   the booth does) at --rate msg/s spread over the booths; a receipt subscriber on the cluster
   times each id from add() to its receipt: p50/p99.
Then: lost (added but not stored), stored twice (must be 0), collector peak RSS (VmHWM).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from central.collector import make_client  # noqa: E402
from config.models import BrokerConfig  # noqa: E402
from messaging.outbox import Outbox  # noqa: E402
from messaging.seal import Sealer, new_key_pair  # noqa: E402
from records.record import new_record_id  # noqa: E402
from tests.central.cluster import RabbitCluster  # noqa: E402
from tests.central.rabbit import COLLECTOR_USER  # noqa: E402
from tests.collector.postgres import DurablePostgres  # noqa: E402
from tests.collector.publish import publish_all  # noqa: E402
from tests.messaging.records import make_record  # noqa: E402

ADMIN = "bench-admin"
BUSIEST = "MSU-BRIDGE"
BUSIEST_DAY = 15000
OTHER_POSTS = ("MAPUTSOE", "VANROOYEN", "CALEDONSPOORT", "FICKSBURG", "PEKA", "SANIPASS",
               "QACHASNEK", "TELEBRIDGE", "SEPAPUSGATE", "RAMATSELISO", "SELLOSGATE",
               "MAKHALENG", "MOSHOESHOE-I", "OUPAS", "NKONKOANA")


def pw(user: str) -> str:
    return f"pw-{user}"


class Booth:
    """One booth's data dir, config and outbox (the bench holds it open, as the booth does)."""

    def __init__(self, root: Path, post: str, tid: str, port: int, public_pem: str) -> None:
        self.post, self.tid = post, tid
        self.user = f"{post}.{tid}"
        self.dir = root / f"{post}-{tid}"
        self.dir.mkdir()
        secret = self.dir / "mqtt.password"
        secret.write_text(pw(self.user))
        secret.chmod(0o600)
        self.config = self.dir / "terminal.toml"
        self.config.write_text(
            f'[terminal]\nterminal_id = "{tid}"\nborder_post = "{post}"\n'
            f'data_dir = "{self.dir}"\n'
            "\n[outbox]\ndisk_floor_mb = 1\nreceipts = true\nreceipt_timeout_s = 30\n"
            f'\n[broker]\nhost = "127.0.0.1"\nport = {port}\nprotocol = "3.1.1"\n'
            f'username = "{self.user}"\npassword_credential = "{secret}"\n'
            "backoff_min_s = 0.2\nbackoff_max_s = 2\nheartbeat_s = 30\n"
        )
        self.outbox = Outbox(self.dir / "outbox.sqlite3", disk_floor_mb=1,
                             sealer=Sealer.from_pem(public_pem))
        self.template = make_record(terminal_id=tid, border_post=post).to_dict()

    def record(self) -> dict[str, Any]:
        return dict(self.template, record_id=new_record_id())

    def fill(self, n: int) -> list[str]:
        rows = [self.record() for _ in range(n)]
        self.outbox.add_many(rows)
        return [r["record_id"] for r in rows]

    def pending(self) -> int:
        return int(self.outbox.status().pending)

    def online(self) -> bool:
        """The forwarder says it is connected (forwarder-status.json)."""
        try:
            return bool(json.loads((self.dir / "forwarder-status.json").read_text())["online"])
        except (OSError, ValueError, KeyError):
            return False

    def forward(self, *, once: bool) -> subprocess.Popen[bytes]:
        flags = ["--exit-when-empty"] if once else []
        return subprocess.Popen(
            [sys.executable, "-m", "imdms.cli", "forward", *flags, "--config", str(self.config)],
            stdout=subprocess.DEVNULL, stderr=(self.dir / "forward.log").open("ab"),
        )


def start_collectors(root: Path, cluster: RabbitCluster, url: str, n: int,
                     private_pem: str) -> list[subprocess.Popen[bytes]]:
    central = root / "central"
    central.mkdir()
    (central / "amqp-password").write_text(pw(COLLECTOR_USER))
    (central / "imdms-central.key").write_text(private_pem)
    for f in central.iterdir():
        f.chmod(0o600)
    urls = ",".join(node.amqp_url() for node in cluster.nodes)
    cfg = central / "central.toml"
    cfg.write_text(f'[collector]\nsource = "amqp"\namqp_url = "{urls}"\ndatabase = "{url}"\n')
    env = dict(os.environ, CREDENTIALS_DIRECTORY=str(central))
    return [
        subprocess.Popen([sys.executable, "-m", "imdms.cli", "collect", "--config", str(cfg)],
                         stdout=subprocess.DEVNULL,
                         stderr=(central / f"collect-{i}.log").open("ab"), env=env)
        for i in range(n)
    ]


def stored(url: str) -> tuple[int, int]:
    """(rows, distinct record ids) in the central store."""
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT COUNT(*), COUNT(DISTINCT record_id) FROM records").fetchone()
        bad = conn.execute("SELECT COUNT(*) FROM rejected").fetchone()
    assert row is not None and bad is not None
    if bad[0]:
        raise SystemExit(f"central_bench: {bad[0]} messages rejected (see the collector logs)")
    return int(row[0]), int(row[1])


def stored_delays(url: str, added_at: dict[str, float]) -> list[float]:
    """Seconds from add() (wall clock) to the collector's received_at, per record."""
    import psycopg

    from records.clock import parse_iso

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT record_id, received_at FROM records WHERE record_id = ANY(%s)",
                            (list(added_at),)).fetchall()
    return [parse_iso(at).timestamp() - added_at[rid] for rid, at in rows]


def stored_span(url: str, ids: set[str]) -> float:
    """Seconds between the first and the last of `ids` stored (collector received_at)."""
    import psycopg

    from records.clock import parse_iso

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT MIN(received_at), MAX(received_at) FROM records"
                           " WHERE record_id = ANY(%s)", (list(ids),)).fetchone()
    assert row is not None
    return max(1e-3, parse_iso(row[1]).timestamp() - parse_iso(row[0]).timestamp())


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_by_part(root: Path, pg_pid: int, collectors: list[int]) -> dict[str, float]:
    """CPU seconds (user + system) so far of the running peers: this run's RabbitMQ nodes
    (their command lines name `root`), the PostgreSQL server and its backends, the collectors."""
    tick = os.sysconf("SC_CLK_TCK")
    parts = {"collectors": 0.0, "broker": 0.0, "postgres": 0.0}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            cmd = (d / "cmdline").read_bytes()
        except OSError:
            continue  # exited meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        pid, ppid, used = int(d.name), int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
        if pid in collectors:
            parts["collectors"] += used
        elif b"beam.smp" in cmd and str(root).encode() in cmd:
            parts["broker"] += used
        elif pid == pg_pid or ppid == pg_pid:
            parts["postgres"] += used
    return parts


class ReceiptClock:
    """Subscribes to every terminal's receipt topic; times ids registered with `started`."""

    def __init__(self, port: int) -> None:
        broker = BrokerConfig.model_validate({"host": "127.0.0.1", "port": port,
                                              "protocol": "3.1.1", "username": ADMIN})
        self._secret = tempfile.NamedTemporaryFile("w", delete=False)  # noqa: SIM115
        self._secret.write(pw(ADMIN))
        self._secret.close()
        broker = broker.model_copy(update={"password_credential": self._secret.name})
        self.client = make_client(broker, "bench-receipts", manual_ack=False)
        self.added: dict[str, float] = {}
        self.latency: dict[str, float] = {}
        self.lock = threading.Lock()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.subscribe("imdms/v1/+/+/receipt", qos=1)
        self.client.loop_start()

    def _on_message(self, c: Any, u: Any, msg: Any) -> None:
        now = time.monotonic()
        try:
            ids = json.loads(msg.payload)["ids"]
        except (ValueError, KeyError, TypeError):
            return
        with self.lock:
            for rid in ids:
                t0 = self.added.get(rid)
                if t0 is not None and rid not in self.latency:
                    self.latency[rid] = now - t0

    def started(self, rid: str, at: float) -> None:
        with self.lock:
            self.added[rid] = at

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
        os.unlink(self._secret.name)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def plan(posts: int, booths: int, day: int) -> list[tuple[str, str, int]]:
    """(post, terminal, records) per booth: the busiest post's share first, the rest evenly."""
    names = [BUSIEST, *OTHER_POSTS][:posts]
    busiest = min(BUSIEST_DAY, day) if posts > 1 else day
    rest = day - busiest
    out = []
    for p, post in enumerate(names):
        total = busiest if p == 0 else rest // max(1, posts - 1)
        for b in range(booths):
            out.append((post, f"b{b + 1}", total // booths))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--posts", type=int, default=14)
    ap.add_argument("--booths", type=int, default=4)
    ap.add_argument("--day", type=int, default=25000, help="records in the compressed day")
    ap.add_argument("--rate", type=float, default=100.0, help="offered msg/s in the latency run")
    ap.add_argument("--latency-s", type=float, default=60.0)
    ap.add_argument("--collectors", type=int, default=2)
    ap.add_argument("--kills", type=int, default=0, help="node SIGKILLs in the throughput run")
    args = ap.parse_args()
    shape = plan(args.posts, args.booths, args.day)
    users = [COLLECTOR_USER, *(f"{p}.{t}" for p, t, _ in shape)]
    private_pem, public_pem = new_key_pair()
    root = Path(tempfile.mkdtemp(prefix="central-bench-"))
    pg = DurablePostgres()  # initdb + start
    cluster = RabbitCluster(root / "cluster", {u: pw(u) for u in users}, (ADMIN, pw(ADMIN)))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        url = pg.create_database()
        cluster.start()
        nodes = cluster.nodes
        print(f"peers: PostgreSQL {pg.port}, 3-node cluster started in {cluster.start_s:.1f} s;"
              f" {len(shape)} booths, {args.collectors} collectors")
        collectors = start_collectors(root, cluster, url, args.collectors, private_pem)
        procs += collectors

        # 1. the peer: raw paho into the same cluster (these records are stored too)
        secret = root / "peer.password"
        secret.write_text(pw(f"{BUSIEST}.b1"))
        peer = BrokerConfig.model_validate({
            "host": "127.0.0.1", "port": nodes[0].mqtt_port, "protocol": "3.1.1",
            "username": f"{BUSIEST}.b1", "password_credential": str(secret), "inflight": 100})
        sealer = Sealer.from_pem(public_pem)
        template = make_record(terminal_id="b1", border_post=BUSIEST).to_dict()
        topic = f"imdms/v1/{BUSIEST}/b1/crossing"
        msgs = [(topic, json.dumps(sealer.seal_record(dict(template, record_id=new_record_id())))
                 .encode(), 1) for _ in range(args.day)]
        t0 = time.monotonic()
        publish_all(peer, msgs, client_id="bench-peer", timeout_s=900)
        peer_rate = args.day / (time.monotonic() - t0)
        print(f"peer (raw paho, QoS 1, 100 in flight -> quorum queue): {peer_rate:.0f} msg/s")
        deadline = time.monotonic() + 900
        while stored(url)[0] < args.day and time.monotonic() < deadline:
            time.sleep(0.5)  # the collectors' commits: another process, no event to await
        base = stored(url)[0]

        # 2. throughput: a compressed day in the outboxes, every forwarder at once
        booths = [Booth(root, p, t, nodes[i % len(nodes)].mqtt_port, public_pem)
                  for i, (p, t, _) in enumerate(shape)]
        want: set[str] = set()
        t_fill = time.monotonic()
        for booth, (_, _, n) in zip(booths, shape, strict=True):
            want.update(booth.fill(n))
        print(f"filled {len(want)} sealed records into {len(booths)} outboxes in "
              f"{time.monotonic() - t_fill:.1f} s")
        cpu0 = cpu_by_part(root, pg.pid, [c.pid for c in collectors])
        children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        runs = [b.forward(once=True) for b in booths]
        procs += runs  # stopped in the finally too (a node that fails to restart raises)
        kills = []
        for k in range(args.kills):
            time.sleep(max(1.0, 0.6 * len(want) / max(peer_rate, 1) / max(args.kills, 1)))
            victim = nodes[k % len(nodes)]
            victim.kill()
            kills.append(victim.name.split("-")[0])
            victim.start()
        for run in runs:
            run.wait(1800)
        e2e_s = time.monotonic() - t0
        failed = sum(1 for r in runs if r.returncode != 0)
        print(f"end to end (outbox -> cluster -> 2 collectors -> PostgreSQL -> receipt): "
              f"{len(want) / e2e_s:.0f} msg/s ({len(want)} records in {e2e_s:.1f} s; "
              f"{failed} forwarders failed; kills: {kills or 'none'}); "
              f"ratio to the peer {len(want) / e2e_s / peer_rate:.2f}")
        span = stored_span(url, want)
        print(f"  ingest rate once the forwarders are up (first to last stored): "
              f"{len(want) / span:.0f} msg/s over {span:.1f} s")
        # where the 2 cores went: CPU per record of each part (the forwarders have exited and
        # were waited for, so they are this process's children's usage)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = {k: v - cpu0[k] for k, v in cpu_by_part(root, pg.pid,
                                                        [c.pid for c in collectors]).items()}
        cpu["forwarders"] = (children.ru_utime + children.ru_stime
                             - children0.ru_utime - children0.ru_stime)
        print("  CPU per record: " + ", ".join(
            f"{k} {v / len(want) * 1000:.2f} ms" for k, v in cpu.items())
            + f" (of {2 * e2e_s / len(want) * 1000:.2f} ms of 2 cores' time per record)")

        # 3. latency at an offered rate, forwarders as services
        clock = ReceiptClock(nodes[0].mqtt_port)
        services = [b.forward(once=False) for b in booths]
        procs += services
        # the clock starts once every service is connected: 56 Python processes take tens of
        # seconds to start on 2 cores, which is a booth's boot, not the path's latency
        t_up = time.monotonic()
        while not all(b.online() for b in booths) and time.monotonic() - t_up < 180:
            time.sleep(0.5)  # other processes' start: no event to await
        print(f"  {sum(b.online() for b in booths)} of {len(booths)} forwarder services"
              f" connected after {time.monotonic() - t_up:.1f} s")
        time.sleep(1)
        added = 0
        walls: dict[str, float] = {}
        t_start = time.monotonic()
        while time.monotonic() - t_start < args.latency_s:
            due = t_start + added / args.rate
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            booth = booths[added % len(booths)]
            data = booth.record()
            at = time.monotonic()
            clock.started(data["record_id"], at)
            walls[data["record_id"]] = time.time()
            booth.outbox.add_dict(data)
            want.add(data["record_id"])
            added += 1
        deadline = time.monotonic() + 120
        while len(clock.latency) < added and time.monotonic() < deadline:
            time.sleep(0.2)  # receipts arrive on the paho thread
        lat = list(clock.latency.values())
        clock.close()
        stored_lat = stored_delays(url, walls)
        print(f"latency add() -> receipt at {args.rate:.0f} msg/s offered for "
              f"{args.latency_s:.0f} s: p50 {pct(lat, 0.5) * 1000:.0f} ms, "
              f"p99 {pct(lat, 0.99) * 1000:.0f} ms, median {statistics.median(lat) * 1000:.0f} ms"
              f" ({len(lat)}/{added} receipted); add() -> stored: p50 "
              f"{pct(stored_lat, 0.5) * 1000:.0f} ms, p99 {pct(stored_lat, 0.99) * 1000:.0f} ms")

        deadline = time.monotonic() + 120
        while stored(url)[0] < base + len(want) and time.monotonic() < deadline:
            time.sleep(0.5)  # the collectors' commits: no event to await
        rows, distinct = stored(url)
        print(f"lost: {base + len(want) - distinct} of {base + len(want)}; stored twice: "
              f"{rows - distinct}")
        rss = [peak_rss_mb(c.pid) for c in collectors]
        print("collector peak RSS: " + ", ".join(f"{r:.0f} MB" for r in rss))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        cluster.stop()
        pg.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Statistics benchmarks: collector ingest rate vs a raw subscriber; report time on 1M records.

    .venv/bin/python benchmarks/stats_bench.py [--messages 20000] [--records 1000000]
        [--repeat 3] [--skip-ingest] [--skip-report]

1. Ingest: the same N crossing messages are published at QoS 1 to a private Mosquitto while
   (a) a bare paho subscriber (QoS 1, auto-ack, counts only) and (b) `central.collector`
   (validate, deduplicate, store in SQLite, ack after commit) consume them. Rate = N / time from
   the first publish to the last message handled. Reports the median and the ratio b/a.
2. Report: R synthetic current rows are bulk-loaded into a SQLite central database (the report
   reads only the indexed columns, so the payload column is left small), then `sql_summary`
   (post x day, as `imdms report` runs) is timed; and on a 200k subset compared with
   records.stats.summarise over the same records in Python. Goal: <= 10 s for 1,000,000.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from central.collector import Collector, make_client  # noqa: E402
from central.db import Database, day_number  # noqa: E402
from central.report import day_start_ms, sql_summary  # noqa: E402
from config.models import BrokerConfig, CollectorConfig  # noqa: E402
from imdms.cli import main as cli_main  # noqa: E402
from records.codes import AGE_BANDS, CaptureMethod, Direction, DocumentType, Sex  # noqa: E402
from records.record import CrossingRecord  # noqa: E402
from records.stats import summarise  # noqa: E402

POSTS = ["MSU-BRIDGE", "MAPUTSOE", *(f"POST-{i:02d}" for i in range(13))]
NATS = ["LSO"] * 12 + ["ZAF"] * 5 + ["ZWE", "MOZ", "CHN", "IND", "NGA", "XXA", None]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mosquitto:
    def __init__(self, tmp: Path) -> None:
        exe = shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin")
        if not exe:
            raise SystemExit("mosquitto is not installed")
        self.port = free_port()
        conf = tmp / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            "max_queued_messages 0\nmax_inflight_messages 0\n"
        )
        self.proc = subprocess.Popen([exe, "-c", str(conf)], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("mosquitto did not start") from None
                time.sleep(0.02)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


def crossing_messages(n: int) -> list[tuple[str, bytes]]:
    rnd = random.Random(5)
    out = []
    for i in range(n):
        post = rnd.choice(POSTS)
        rec = CrossingRecord(
            terminal_id=f"t{i % 4}",
            border_post=post,
            officer_id="officer-1",
            direction=rnd.choice(list(Direction)),
            capture_method=CaptureMethod.MRZ_READER,
            document_type=DocumentType.PASSPORT,
            nationality=rnd.choice(NATS),
            sex=rnd.choice(list(Sex)),
            age_estimated=True,
            age_at_crossing=rnd.randint(0, 90),
            clock_synced=True,
        ).with_derived()
        out.append((f"imdms/v1/{post}/t{i % 4}/crossing", rec.to_json().encode()))
    return out


def publish(port: int, messages: list[tuple[str, bytes]]) -> None:
    broker = BrokerConfig.model_validate({"host": "127.0.0.1", "port": port, "inflight": 1000})
    client = make_client(broker, f"bench-pub-{time.monotonic_ns()}", manual_ack=False)
    done = threading.Event()
    remaining = [len(messages)]
    lock = threading.Lock()

    def on_publish(*_: Any) -> None:
        with lock:
            remaining[0] -= 1
            if remaining[0] == 0:
                done.set()

    client.on_publish = on_publish
    client.connect("127.0.0.1", port)
    client.loop_start()
    for topic, payload in messages:
        client.publish(topic, payload, qos=1)
    done.wait(600)
    client.disconnect()
    client.loop_stop()


def raw_rate(port: int, messages: list[tuple[str, bytes]]) -> float:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

    n = len(messages)
    got = [0]
    done = threading.Event()
    subscribed = threading.Event()
    c = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id="bench-raw", protocol=MQTTProtocolVersion.MQTTv5
    )

    def on_message(*_: Any) -> None:
        got[0] += 1
        if got[0] >= n:
            done.set()

    c.on_message = on_message
    c.on_subscribe = lambda *_: subscribed.set()
    c.on_connect = lambda cl, *_: cl.subscribe("$share/raw/imdms/v1/+/+/crossing", qos=1)
    c.connect("127.0.0.1", port)
    c.loop_start()
    subscribed.wait(10)
    t0 = time.perf_counter()
    publish(port, messages)
    done.wait(600)
    elapsed = time.perf_counter() - t0
    c.disconnect()
    c.loop_stop()
    return n / elapsed


def collector_rate(port: int, messages: list[tuple[str, bytes]], db: Path) -> float:
    n = len(messages)
    broker = BrokerConfig.model_validate({"host": "127.0.0.1", "port": port})
    cfg = CollectorConfig.model_validate({"database": str(db), "share_group": "bench"})
    col = Collector(broker, cfg, client_id="bench-col")  # same session each run (see docs)
    col.start()
    t0 = time.perf_counter()
    publish(port, messages)
    col.wait_for(lambda c: c["stored"] + c["duplicate"] + c["rejected"] >= n, 600)
    elapsed = time.perf_counter() - t0
    col.stop()
    return n / elapsed


def bench_ingest(n: int, repeat: int, tmp: Path) -> None:
    broker = Mosquitto(tmp)
    try:
        msgs = crossing_messages(n)
        raw, col = [], []
        for i in range(repeat):
            raw.append(raw_rate(broker.port, msgs))
            db = tmp / f"ingest-{i}.sqlite3"
            col.append(collector_rate(broker.port, msgs, db))
        r, c = statistics.median(raw), statistics.median(col)
        print(f"ingest: {n} messages x {repeat} runs")
        print(f"  raw subscription      median {r:9.0f} msg/s  (runs: {_fmt(raw)})")
        print(f"  collector (validate+store+ack) median {c:9.0f} msg/s  (runs: {_fmt(col)})")
        print(f"  ratio collector/raw   {c / r:.2f}")
    finally:
        broker.stop()


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


# A realistic mix (DOMAIN.md): ~16,000 crossings a day nationally, Maseru Bridge the busiest
# post, mostly Basotho, working ages dominant; 1,000,000 records are about two months.
POST_WEIGHTS = [("MSU-BRIDGE", 55), ("MAPUTSOE", 20)] + [(f"POST-{i:02d}", 2) for i in range(13)]
NAT_WEIGHTS = [
    ("LSO", 860),
    ("ZAF", 90),
    ("ZWE", 15),
    ("MOZ", 5),
    ("CHN", 5),
    ("IND", 5),
    ("NGA", 5),
    ("MWI", 5),
    ("GBR", 3),
    ("USA", 2),
    ("XXA", 2),
    (None, 3),
]
SEX_WEIGHTS = [(2, 48), (1, 50), (0, 2)]
BAND_WEIGHTS = [
    (
        b,
        30
        if b in ("20-24", "25-29", "30-34", "35-39", "40-44")
        else 15
        if b in ("45-49", "50-54", "15-19")
        else 5,
    )
    for b in AGE_BANDS
] + [(None, 3)]
# traveller category -> weight, purposes, intended stay band (the breakdowns correlate)
CATEGORIES = [
    ("CITIZEN", 70, ["RETURNING_RESIDENT", "SHOPPING", "VISITING_FRIENDS_RELATIVES"], None),
    ("VISITOR", 10, ["VISITING_FRIENDS_RELATIVES", "HOLIDAY", "BUSINESS"], "UNDER_3_MONTHS"),
    ("CROSS_BORDER_WORKER", 5, ["EMPLOYMENT"], "UNDER_3_MONTHS"),
    ("MINEWORKER", 4, ["EMPLOYMENT", "RETURNING_RESIDENT"], "MONTHS_3_TO_12"),
    ("RESIDENT", 4, ["RETURNING_RESIDENT", "SHOPPING"], None),
    ("TRADER", 3, ["BUSINESS", "SHOPPING"], "UNDER_3_MONTHS"),
    ("STUDENT", 2, ["EDUCATION"], "MONTHS_12_PLUS"),
    ("DRIVER_CREW", 1, ["BUSINESS", "TRANSIT"], "UNDER_3_MONTHS"),
    (None, 1, [None], None),
]
MODES = [("MINIBUS_TAXI", 40), ("PEDESTRIAN", 25), ("PRIVATE_CAR", 20), ("BUS", 10), ("TRUCK", 5)]
REASONS = [("A_NO_VALID_DOCUMENT", 40), ("C_NO_VALID_VISA", 30), ("E_NO_JUSTIFICATION", 20)]
REASONS += [("F_OVERSTAY", 5), ("B_FALSE_DOCUMENT", 3), ("G_ENTRY_BAN", 2)]
DEFAULT_EXTRA = ("ADMITTED", None, None, None, None, None, None, 0)  # a superseded row's
TIPS = ["COMPANION_ANSWERS", "DOCUMENTS_HELD_BY_COMPANION", "VAGUE_JOB_OR_STUDY_OFFER"]


def _chooser(rnd: random.Random, weights: list[tuple[Any, int]]) -> Callable[[], Any]:
    values = [v for v, _ in weights]
    cum = list(itertools.accumulate(w for _, w in weights))

    def choose() -> Any:
        return rnd.choices(values, cum_weights=cum)[0]

    return choose


def load_rows(db: Database, n: int, first: date, days: int) -> list[dict[str, Any]]:
    """Bulk-load n current rows (plus 1% superseded versions and 0.5% flagged persons);
    return light record dicts of the first 200k for the Python peer."""
    rnd = random.Random(11)
    post_of, nat_of = _chooser(rnd, POST_WEIGHTS), _chooser(rnd, NAT_WEIGHTS)
    sex_of, band_of = _chooser(rnd, SEX_WEIGHTS), _chooser(rnd, BAND_WEIGHTS)
    more = random.Random(12)  # the breakdown columns: keeps the older columns' sequence
    cat_of = _chooser(more, [((c, p, st), w) for c, w, p, st in CATEGORIES])
    mode_of, reason_of = _chooser(more, MODES), _chooser(more, REASONS)
    base = day_start_ms(first, 120)
    span = days * 86_400_000
    subset: list[dict[str, Any]] = []
    batch: list[tuple[Any, ...]] = []
    tips: list[tuple[str, str]] = []
    for i in range(n):
        rid = f"{i:08x}-0000-7000-8000-000000000000"
        ms = base + rnd.randrange(span)
        direction = "ENTRY" if rnd.random() < 0.5 else "EXIT"
        band = band_of()
        minor = int(band in ("0-4", "5-9", "10-14"))
        nat, sex, post = nat_of(), sex_of(), post_of()
        cm = "NO_DOCUMENT" if rnd.random() < 0.02 else "MRZ_READER"
        flagged = rnd.random() < 0.005
        referral = "SOCIAL_WELFARE" if flagged and rnd.random() < 0.3 else "NONE"
        row_tips = rnd.sample(TIPS, rnd.randint(1, 2)) if flagged else []
        tips += [(rid, t) for t in row_tips]
        x = more.random()
        decision = "REFUSED" if x < 0.02 else "REFERRED" if x < 0.03 else "ADMITTED"
        reason = reason_of() if decision == "REFUSED" else None
        category, purposes, stay = cat_of()
        purpose = more.choice(purposes)
        residence = nat if more.random() < 0.9 else "ZAF"
        mode = mode_of()
        alone = int(minor == 1 and more.random() < 0.1)
        extra = (decision, reason, category, purpose, stay, residence, mode, alone)
        batch.append(
            (
                rid,
                "t1",
                post,
                direction,
                cm,
                sex,
                band,
                nat,
                minor,
                int(flagged),
                referral,
                None,
                rid,
                1,
                "b",
                0,
                ms,
                0,
                1,
                ms,
                day_number(ms),
                "",
                "{}",
                *extra,
            )
        )
        if rnd.random() < 0.01:  # a superseded version: never counted
            old = f"{i:08x}-0000-7000-8000-000000000001"
            batch.append(
                (
                    old,
                    "t1",
                    post,
                    "EXIT",
                    cm,
                    sex,
                    band,
                    nat,
                    minor,
                    0,
                    "NONE",
                    None,
                    rid,
                    1,
                    "b",
                    0,
                    ms,
                    0,
                    0,
                    None,
                    None,
                    "",
                    "{}",
                    *DEFAULT_EXTRA,
                )
            )
        if i < 200_000:
            subset.append(
                {
                    "record_id": rid,
                    "recorded_at": _iso(ms),
                    "amends": None,
                    "direction": direction,
                    "border_post": post,
                    "sex": sex,
                    "age_band": band,
                    "nationality": nat,
                    "capture_method": cm,
                    "minor": bool(minor),
                    "tip_indicators": row_tips,
                    "tip_referral": referral,
                    "decision": decision,
                    "refusal_reason": reason,
                    "traveller_category": category,
                    "purpose": purpose,
                    "stay_band": stay,
                    "country_of_residence": residence,
                    "transport_mode": mode,
                    "group_id": None if alone or not minor else "family",
                }
            )
        if len(batch) >= 50_000:
            _insert(db, batch, tips)
            batch, tips = [], []
    _insert(db, batch, tips)
    db.commit()
    return subset


def _iso(ms: int) -> str:
    from records.clock import ms_to_iso

    return ms_to_iso(ms)


def _insert(db: Database, rows: list[tuple[Any, ...]], tips: list[tuple[str, str]]) -> None:
    db._conn.executemany("INSERT INTO record_indicators (record_id, indicator) VALUES (?, ?)", tips)
    db._conn.executemany(
        "INSERT INTO records (record_id, terminal_id, border_post, direction, capture_method,"
        " sex, age_band, nationality, minor, has_tips, tip_referral, amends, root_id,"
        " clock_synced, boot_id, monotonic_ns, recorded_ms, time_corrected, is_current,"
        " crossing_ms, crossing_day, received_at, payload, decision, refusal_reason,"
        " traveller_category, purpose, stay_band, residence, transport_mode, unaccompanied)"
        " VALUES (" + ", ".join(["?"] * 31) + ")",
        rows,
    )


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], float]:
    """Median wall time, all wall times, median CPU time of this process (the machine is
    shared: CPU time shows what contention hides)."""
    runs, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(runs), runs, statistics.median(cpu)


def bench_report(n: int, repeat: int, tmp: Path) -> None:
    first, days = date(2026, 1, 1), 61
    path = tmp / "report.sqlite3"
    db = Database(str(path))
    t0 = time.perf_counter()
    subset = load_rows(db, n, first, days)
    print(
        f"report: loaded {n} rows in {time.perf_counter() - t0:.1f} s "
        f"({path.stat().st_size / 1e6:.0f} MB), {days} days, realistic mix"
    )
    until = first + timedelta(days=days - 1)
    for by_post, period in ((True, "day"), (True, "month"), (False, None)):
        kw: dict[str, Any] = dict(by_post=by_post, period=period, since=first, until=until)
        med, runs, cpu = timed(functools.partial(sql_summary, db, **kw), repeat)
        cells = len(sql_summary(db, **kw).cells)
        shape = ("post x " if by_post else "") + (period or "whole period")
        print(
            f"  sql_summary {n} records, {shape:<14}: median {med:5.2f} s wall, {cpu:5.2f} s"
            f" CPU ({cells} cells; runs " + ", ".join(f"{r:.2f}" for r in runs) + ")"
        )
    db.close()
    out = tmp / "report.csv"
    argv = [
        "report",
        "--database",
        str(path),
        "--from",
        first.isoformat(),
        "--to",
        until.isoformat(),
        "--format",
        "csv",
        "-o",
        str(out),
    ]
    med, runs, cpu = timed(lambda: cli_main(argv), repeat)
    print(
        f"  imdms report --format csv (post x day, {n} records): median {med:.2f} s wall,"
        f" {cpu:.2f} s CPU  goal <= 10 s"
    )
    # the peer: the same aggregation in Python on 200k records
    m = len(subset)
    sub_db = Database(str(tmp / "subset.sqlite3"))
    load_rows(sub_db, m, first, days)
    kw = dict(by_post=True, period="day", since=first, until=until)
    sql_m, _, sql_c = timed(lambda: sql_summary(sub_db, **kw), repeat)
    py_m, _, py_c = timed(lambda: summarise(subset, **kw), repeat)
    assert sql_summary(sub_db, **kw) == summarise(subset, **kw)
    sub_db.close()
    print(
        f"  on {m} records, post x day: SQL {sql_m:.2f} s ({sql_c:.2f} CPU) vs"
        f" records.stats.summarise {py_m:.2f} s ({py_c:.2f} CPU); ratio SQL/Python"
        f" {sql_m / py_m:.2f}; results equal"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=20_000)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-ingest", action="store_true")
    ap.add_argument("--skip-report", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="stats-bench-") as d:
        tmp = Path(d)
        if not args.skip_ingest:
            bench_ingest(args.messages, args.repeat, tmp)
        if not args.skip_report:
            bench_report(args.records, args.repeat, tmp)


if __name__ == "__main__":
    main()

"""End to end through a real Mosquitto: terminals -> broker -> two collectors -> report.

Duplicates, amendments, a bad message and an unsynchronised clock are injected; the report is
checked against counts computed here independently (not with messaging.stats).
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from central.collector import Collector, make_client
from central.db import Database
from central.report import sql_summary
from config.models import BrokerConfig, CollectorConfig
from imdms.cli import main
from messaging.codes import Direction, Sex, TipIndicator, TipReferral
from tests.stats.conftest import Broker
from tests.stats.records import amend, make

pytestmark = pytest.mark.peer
DAY = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # 10:00 in Maseru


def _publish_all(broker: BrokerConfig, messages: list[tuple[str, bytes, int]]) -> None:
    """Publish at QoS 1 (heartbeats QoS 0) and wait for every PUBACK."""
    client = make_client(broker, "test-terminal", manual_ack=False)
    done = threading.Event()
    acked: set[int] = set()
    want: set[int] = set()
    lock = threading.Lock()

    def on_publish(c: Any, u: Any, mid: int, rc: Any, p: Any) -> None:
        with lock:
            acked.add(mid)
            if want and want <= acked:
                done.set()

    client.on_publish = on_publish
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        infos = [client.publish(t, p, qos=q) for t, p, q in messages]
        with lock:
            want.update(i.mid for i in infos)
            if want <= acked:
                done.set()
        assert done.wait(30), "broker did not acknowledge every publish"
    finally:
        client.disconnect()
        client.loop_stop()


def test_terminals_to_report_through_mosquitto(mosquitto: Broker, tmp_path: Path) -> None:
    broker = BrokerConfig.model_validate(
        {"host": mosquitto.host, "port": mosquitto.port, "protocol": "5"}
    )
    database = str(tmp_path / "central.sqlite3")
    ccfg = CollectorConfig.model_validate({"database": database, "share_group": "stats-test"})
    collectors = [
        Collector(broker, ccfg, client_id=f"collector-{i}", batch_wait_s=0.01) for i in range(2)
    ]
    for c in collectors:
        c.start()
    try:
        # -- what the terminals send, and what the report must say (computed here) ----------
        messages: list[tuple[str, bytes, int]] = []
        expected: Counter[tuple[str, str]] = Counter()  # (post, direction) -> persons
        undocumented = minors = 0
        females_20_24_lso_entry = 0
        posts = {"MSU-BRIDGE": ["t1", "t2"], "MAPUTSOE": ["t3"]}
        originals = []
        for post, terminals in posts.items():
            for t in terminals:
                for i in range(40):
                    direction = Direction.ENTRY if i % 3 else Direction.EXIT
                    age = 22 if i % 4 else 10
                    rec = make(
                        direction=direction,
                        post=post,
                        terminal=t,
                        age=age,
                        sex=Sex.FEMALE if i % 2 else Sex.MALE,
                        undocumented=i % 10 == 0,
                        at=DAY + timedelta(minutes=i),
                    )
                    originals.append(rec)
                    messages.append((f"imdms/v1/{post}/{t}/crossing", json.dumps(rec).encode(), 1))
        # amendments: every 8th record turns out to be an EXIT of a 50-year-old male
        amended = {r["record_id"] for r in originals[::8]}
        for r in originals[::8]:
            fix = amend(
                r,
                at=DAY + timedelta(hours=3),
                direction=Direction.EXIT,
                sex=Sex.MALE,
                age_at_crossing=50,
            )
            messages.append(
                (
                    f"imdms/v1/{r['border_post']}/{r['terminal_id']}/crossing",
                    json.dumps(fix).encode(),
                    1,
                )
            )
        for r in originals:
            if r["record_id"] in amended:
                dirn, sex, age = "EXIT", 1, 50
            else:
                dirn, sex, age = str(r["direction"]), int(r["sex"]), r["age_at_crossing"]
            expected[(r["border_post"], dirn)] += 1
            undocumented += r["capture_method"] == "NO_DOCUMENT"
            minors += age < 18
            females_20_24_lso_entry += (dirn, sex, age) == ("ENTRY", 2, 22)
        # duplicates: the forwarder redelivers 30 records
        messages += messages[5:35]
        # a flagged crossing at t3 made before its clock synced; a heartbeat gives the offset
        flagged = make(
            post="MAPUTSOE",
            terminal="t3",
            age=22,
            at=datetime(2001, 1, 1, tzinfo=UTC),
            clock_synced=False,
            boot="boot-t3",
            monotonic_ns=1_000_000_000_000,
            tips=(TipIndicator.COMPANION_ANSWERS,),
            referral=TipReferral.POLICE_ANTI_TRAFFICKING,
        )
        messages.append(("imdms/v1/MAPUTSOE/t3/crossing", json.dumps(flagged).encode(), 1))
        expected[("MAPUTSOE", "ENTRY")] += 1
        heartbeat = {
            "terminal_id": "t3",
            "boot_id": "boot-t3",
            "clock_synced": True,
            "monotonic_ns": 1_060_000_000_000,
            "sent_at": "2026-03-10T09:01:00.000Z",
        }
        messages.append(("imdms/v1/MAPUTSOE/t3/heartbeat", json.dumps(heartbeat).encode(), 1))
        # a bad message
        messages.append(("imdms/v1/MAPUTSOE/t3/crossing", b'{"record_id": "nope"}', 1))
        crossings = sum(1 for t, _, _ in messages if t.endswith("/crossing"))

        _publish_all(broker, messages)

        def all_in() -> bool:
            return (
                sum(
                    sum(c.counts[k] for k in ("stored", "duplicate", "rejected"))
                    for c in collectors
                )
                >= crossings
            )

        deadline = time.monotonic() + 30
        while not all_in() and time.monotonic() < deadline:
            # each collector notifies its own condition; a short wait covers the other one
            collectors[0].wait_for(lambda _: all_in(), 0.2)
        assert all_in(), [dict(c.counts) for c in collectors]
        # shared subscription: both collectors got part of the load
        assert all(c.counts["stored"] > 0 for c in collectors), [c.counts for c in collectors]
        assert sum(c.counts["duplicate"] for c in collectors) == 30
        assert sum(c.counts["rejected"] for c in collectors) == 1
    finally:
        for c in collectors:
            c.stop()

    db = Database(database)
    try:
        s = sql_summary(db, by_post=True, period="day")
        assert db.rejected()[0][0] == "imdms/v1/MAPUTSOE/t3/crossing"
    finally:
        db.close()
    got: Counter[tuple[str, str]] = Counter()
    for key, n in s.totals.items():
        d, post, day = key.split("|")
        assert day == "2026-03-10"  # incl. the corrected clock: 09:00 UTC is 11:00 in Maseru
        got[(post, d)] += n
    assert got == expected
    assert sum(s.undocumented.values()) == undocumented
    assert sum(s.minors.values()) == minors
    assert (
        sum(n for k, n in s.cells.items() if k.startswith("ENTRY|FEMALE|20-24|LSO|"))
        == females_20_24_lso_entry + 1
    )
    assert s.sensitive.indicators == {"COMPANION_ANSWERS": 1}
    assert s.sensitive.referrals == {"POLICE_ANTI_TRAFFICKING": 1}

    # -- the CLI report over the same database ---------------------------------------------
    out = tmp_path / "report.csv"
    rc = main(
        [
            "report",
            "--database",
            database,
            "--from",
            "2026-03-10",
            "--to",
            "2026-03-10",
            "--format",
            "csv",
            "-o",
            str(out),
            "--config",
            str(tmp_path / "none.toml"),
        ]
    )
    assert rc == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    net = {r["border_post"]: int(r["persons"]) for r in rows if r["table"] == "net_migration"}
    assert net == {p: expected[(p, "ENTRY")] - expected[(p, "EXIT")] for p in posts}

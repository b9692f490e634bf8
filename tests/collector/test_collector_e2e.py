"""End to end through a real Mosquitto: terminals' outboxes -> forwarders -> broker -> two
collectors (one shared subscription) -> report.

Duplicates, amendments, a bad message and an unsynchronised clock are injected; the report is
checked against counts computed here independently (not with records.stats).
"""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from central.collector import Collector
from central.db import Database
from central.report import sql_summary
from config.models import BrokerConfig, CollectorConfig
from imdms.cli import main
from imdms.errors import ConfigError
from messaging.forwarder import Forwarder, LinkSettings
from messaging.outbox import Outbox
from messaging.topics import Topics
from records.codes import (
    Decision,
    Direction,
    RefusalReason,
    Sex,
    TipIndicator,
    TipReferral,
    TravellerCategory,
)
from tests.collector.peers import Broker, Store
from tests.collector.publish import publish_all
from tests.collector.records import amend, make

pytestmark = pytest.mark.peer
DAY = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # 10:00 in Maseru


def _forward(outbox: Outbox, data_dir: Path, port: int, post: str, terminal: str) -> None:
    """Drain one terminal's outbox to the broker (the real forwarder) and return when empty."""
    settings = LinkSettings(
        host="127.0.0.1",
        port=port,
        client_id=f"fwd-{terminal}",
        backoff_min_s=0.1,
        backoff_max_s=0.5,
    )
    fwd = Forwarder(
        settings, outbox, Topics("imdms/v1", post, terminal), data_dir, retry_base_s=0.05
    )
    fwd.run(threading.Event(), exit_when_empty=True)


def test_terminals_to_report_through_mosquitto(
    mosquitto: Broker, store: Store, tmp_path: Path
) -> None:
    broker = BrokerConfig.model_validate(
        {"host": mosquitto.host, "port": mosquitto.port, "protocol": "5"}
    )
    database = store.url
    ccfg = CollectorConfig.model_validate({"database": database, "share_group": "stats-test"})
    collectors = [
        Collector(broker, ccfg, client_id=f"collector-{i}", batch_wait_s=0.01) for i in range(2)
    ]
    for c in collectors:
        c.start()
    terminals = {"t1": "MSU-BRIDGE", "t2": "MSU-BRIDGE", "t3": "MAPUTSOE"}
    boxes = {t: Outbox(tmp_path / t / "outbox.sqlite3", disk_floor_mb=1) for t in terminals}
    try:
        # -- what the terminals record, and what the report must say (computed here) --------
        expected: Counter[tuple[str, str]] = Counter()  # (post, direction) -> persons
        refused: Counter[tuple[str, str]] = Counter()  # (post, reason) -> persons refused
        miners: Counter[str] = Counter()  # direction -> mineworkers crossing
        undocumented = minors = unaccompanied = 0
        females_20_24_lso_entry = 0
        originals = []
        for t, post in terminals.items():
            for i in range(40):
                dirn = Direction.ENTRY if i % 3 else Direction.EXIT
                rec = make(
                    direction=dirn,
                    post=post,
                    terminal=t,
                    age=22 if i % 4 else 10,
                    sex=Sex.FEMALE if i % 2 else Sex.MALE,
                    undocumented=i % 10 == 0,
                    at=DAY + timedelta(minutes=i),
                    decision=Decision.REFUSED if i % 7 == 3 else Decision.ADMITTED,
                    refusal_reason=RefusalReason.C_NO_VALID_VISA if i % 7 == 3 else None,
                    category=TravellerCategory.MINEWORKER if i % 5 == 1 else None,
                    group="family-1" if i % 8 == 4 else None,
                )
                originals.append(rec)
                boxes[t].add_dict(rec)
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
            boxes[r["terminal_id"]].add_dict(fix)
        # voids: a few crossings saved twice by mistake are cancelled by a void amendment;
        # the report counts them nowhere (issue 13 item 5)
        voided = {r["record_id"] for r in originals[3::11] if r["record_id"] not in amended}
        for r in originals:
            if r["record_id"] in voided:
                boxes[r["terminal_id"]].add_dict(
                    amend(r, at=DAY + timedelta(hours=4), void="DUPLICATE"))
        for r in originals:
            if r["record_id"] in voided:
                continue
            if r["record_id"] in amended:
                dirn_s, sex, age = "EXIT", 1, 50
            else:
                dirn_s, sex, age = str(r["direction"]), int(r["sex"]), r["age_at_crossing"]
            if r["decision"] == "REFUSED":  # not a crossing
                refused[(r["border_post"], r["refusal_reason"])] += 1
                continue
            expected[(r["border_post"], dirn_s)] += 1
            miners[dirn_s] += r["traveller_category"] == "MINEWORKER"
            undocumented += r["capture_method"] == "NO_DOCUMENT"
            minors += age < 18
            unaccompanied += age < 18 and r["group_id"] is None
            females_20_24_lso_entry += (dirn_s, sex, age) == ("ENTRY", 2, 22)
        # duplicates: 25 of t1's records were also imported at t2 (a USB export), so they
        # reach the broker twice; the collector must count them once
        for r in originals[:25]:
            assert boxes["t2"].add_dict(r, imported=True)
        # a flagged crossing at t3 made while its clock was stuck at 1970, so the booth could
        # not date the age from the birth date; a heartbeat gives the offset and the centre
        # counts the woman at her age on the corrected day (35)
        flagged = make(
            post="MAPUTSOE",
            terminal="t3",
            date_of_birth="1990-06-15",
            at=datetime(1970, 1, 1, 0, 2, tzinfo=UTC),
            clock_synced=False,
            boot="boot-t3",
            monotonic_ns=1_000_000_000_000,
            tips=(TipIndicator.COMPANION_ANSWERS,),
            referral=TipReferral.POLICE_ANTI_TRAFFICKING,
        )
        assert flagged["age_band"] is None and flagged["minor"] is None
        boxes["t3"].add_dict(flagged)
        expected[("MAPUTSOE", "ENTRY")] += 1
        unique = len(originals) + len(amended) + len(voided) + 1

        threads = [
            threading.Thread(
                target=_forward, args=(boxes[t], tmp_path / t, mosquitto.port, post, t)
            )
            for t, post in terminals.items()
        ]
        for th in threads:
            th.start()
        heartbeat = {
            "terminal_id": "t3",
            "border_post": "MAPUTSOE",
            "boot_id": "boot-t3",
            "clock_synced": True,
            "monotonic_ns": 1_060_000_000_000,
            "sent_at": "2026-03-10T09:01:00.000Z",
        }
        publish_all(
            broker,
            [
                ("imdms/v1/MAPUTSOE/t3/heartbeat", json.dumps(heartbeat).encode(), 1),
                ("imdms/v1/MAPUTSOE/t3/crossing", b'{"record_id": "nope"}', 1),  # a bad message
            ],
        )
        for th in threads:
            th.join(30)
            assert not th.is_alive(), "a forwarder did not drain its outbox"
        assert all(b.status().pending == 0 for b in boxes.values())

        def all_in() -> bool:
            n = Counter[str]()
            for c in collectors:
                n.update(c.counts)
            return n["stored"] == unique and n["rejected"] == 1 and n["duplicate"] >= 25

        deadline = time.monotonic() + 30
        while not all_in() and time.monotonic() < deadline:
            # each collector notifies its own condition; a short wait covers the other one
            collectors[0].wait_for(lambda _: all_in(), 0.2)
        assert all_in(), [dict(c.counts) for c in collectors]
        # shared subscription: both collectors got part of the load
        assert all(c.counts["stored"] > 0 for c in collectors), [c.counts for c in collectors]
    finally:
        for c in collectors:
            c.stop()
        for b in boxes.values():
            b.close()

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
    assert sum(s.unaccompanied_minors.values()) == unaccompanied < minors
    assert (
        sum(n for k, n in s.cells.items() if k.startswith("ENTRY|FEMALE|20-24|LSO|"))
        == females_20_24_lso_entry
    )
    assert s.cells["ENTRY|FEMALE|35-39|LSO|MAPUTSOE|2026-03-10"] == 1  # the corrected age
    assert not any("|UNKNOWN|" in k for k in s.cells)
    got_refused: Counter[tuple[str, str]] = Counter()
    for key, n in s.refusals.items():
        _, reason, post, _ = key.split("|")
        got_refused[(post, reason)] += n
    assert got_refused == refused and s.refused == sum(refused.values()) > 0
    got_miners: Counter[str] = Counter()
    for key, n in s.breakdowns["traveller_category"].items():
        d, category, *_ = key.split("|")
        got_miners[d] += n if category == "MINEWORKER" else 0
    assert got_miners == miners
    assert s.sensitive.indicators == {"COMPANION_ANSWERS": 1}
    assert s.sensitive.referrals == {"POLICE_ANTI_TRAFFICKING": 1}

    # -- the CLI report over the same database ---------------------------------------------
    out = tmp_path / "report.csv"
    (tmp_path / "none.toml").write_text("")  # an empty config: a named config must exist
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
    assert net == {
        p: expected[(p, "ENTRY")] - expected[(p, "EXIT")] for p in ("MSU-BRIDGE", "MAPUTSOE")
    }


def test_imdms_collect_process_stores_and_stops_on_sigterm(
    mosquitto: Broker, store: Store, tmp_path: Path
) -> None:
    """The real `imdms collect` process: subscribe, store, stop cleanly on SIGTERM."""
    database = store.url
    cfg = tmp_path / "central.toml"
    cfg.write_text(
        f'[broker]\nhost = "127.0.0.1"\nport = {mosquitto.port}\n\n'
        f'[collector]\ndatabase = "{database}"\nshare_group = "cli"\n'
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "imdms.cli",
            "collect",
            "--config",
            str(cfg),
            "--client-id",
            "cli-collector",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # wait for the subscription, an event in its log
            if "collector subscribed" in line:
                break
        else:
            pytest.fail("imdms collect exited before connecting")
        broker = BrokerConfig.model_validate({"host": "127.0.0.1", "port": mosquitto.port})
        rec = make(post="MAPUTSOE", terminal="t7")
        publish_all(broker, [("imdms/v1/MAPUTSOE/t7/crossing", json.dumps(rec).encode(), 1)])
        deadline = time.monotonic() + 20
        stored = False
        while not stored and time.monotonic() < deadline:
            db = Database(database)
            stored = any(True for _ in db.iter_records())
            db.close()
            if not stored:
                time.sleep(0.05)  # another process's commit: no event to await
        assert stored
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_collector_config_errors(tmp_path: Path) -> None:
    ccfg = CollectorConfig.model_validate({"database": str(tmp_path / "c.sqlite3")})
    with pytest.raises(ConfigError, match="broker.host is empty"):
        Collector(BrokerConfig.model_validate({}), ccfg)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match="psycopg is not installed"):
            Database("postgresql://localhost/imdms")

"""Chaos with commit receipts (issue 17 item 3): a single Mosquitto with its default periodic
persistence is SIGKILLed five times mid-drain. It loses what it acknowledged since its last
save (queued crossings, queued receipts, the forwarder's session); the terminal keeps every
record until the real `imdms collect` receipts it, so nothing is lost end to end and no
"lost by the broker" excuse is needed. The verdict reads the central database itself."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from tests.chaos.harness import Harness
from tests.chaos.ledger import Row
from tests.chaos.scenario import backlog, begin, judge, wait_draining
from tests.helpers import wait_until
from tests.messaging.central_proc import central_ids, collect_config, start_collect, stop

pytestmark = [pytest.mark.chaos, pytest.mark.peer]

PERIODIC_SAVE = "autosave_interval 1800\n"  # Mosquitto's default: saved every 30 min, or on exit
RECEIPTS = "receipts = true\nreceipt_timeout_s = 2\nreceipt_attempts = 100\n"
KILLS = 5


def _save_now(h: Harness) -> None:
    """The collector's session on disk (SIGUSR1: mosquitto saves), so a SIGKILL keeps it."""
    db = h.broker.workdir / "mosquitto.db"
    before = db.stat().st_mtime_ns if db.exists() else 0
    assert h.broker.proc is not None
    os.kill(h.broker.proc.pid, signal.SIGUSR1)
    assert wait_until(lambda: db.exists() and db.stat().st_mtime_ns != before, 10, 0.05)


def test_broker_sigkilled_five_times_with_receipts(chaos_broker: Any, harness: Any,
                                                   record_row: Any) -> None:
    h: Harness = harness(chaos_broker(PERIODIC_SAVE), outbox_conf=RECEIPTS)
    database = h.root / "central.sqlite3"
    collector = start_collect(collect_config(h.root / "central.toml", h.broker.port, database),
                              h.root / "collect.log")
    at_kill: list[str] = []
    try:
        with h.step("before the faults"):
            begin(h)
            _save_now(h)
        for n in range(KILLS):
            with h.step(f"before kill {n + 1}"):
                # a fresh backlog each time (link cut while it is imported): every kill hits a
                # drain, not a broker that already delivered everything
                h.proxy.down(True)
                h.proxy.cut()
                backlog(h, 1500 if n == 0 else 500)
                h.proxy.down(False)
                wait_draining(h, 100)
            st = h.status()
            at_kill.append(f"{st.get('pending')}/{st.get('awaiting_receipt')}")
            h.broker.kill()
            time.sleep(0.5)
            h.broker.start()
        row = _finish(h, database, f"broker SIGKILL x{KILLS} mid-drain, receipts")
    finally:
        rc = stop(collector)
    row.notes.insert(0, "pending/awaiting receipt at each kill " + ", ".join(at_kill))
    if rc != 0:
        row.problems.append(f"collector exit status {rc}")
    log = (h.root / "collect.log").read_text(errors="replace")
    if "Traceback" in log:
        row.problems.append("collector log: Traceback")
    judge(row, record_row(row))


def _finish(h: Harness, database: Path, scenario: str) -> Row:
    """Stop adding; every accepted record must end in the central database and nothing
    pending (each receipted). Duplicates: deliveries the chaos centre saw twice (a broker that
    lost its queue makes the terminal re-send all it lost: no window bound applies)."""
    h.stop_players()
    h.stop_technician()
    expected = set(h.ledger.accepted())
    wait_until(lambda: expected <= central_ids(database), 120, 0.5)
    pending = h.wait_pending_zero(30)
    status = h.status()
    rc = h.stop_forwarder()
    central = central_ids(database)
    missing = expected - central
    deliveries = h.ledger.deliveries()
    hashes: dict[str, set[str]] = {}
    for rid, digest in deliveries:
        hashes.setdefault(rid, set()).add(digest)
    seen = {rid for rid, _ in deliveries if rid in expected}
    copies = sum(1 for rid, _ in deliveries if rid in expected) - len(seen)
    row = Row(scenario, len(expected), len(expected & central), len(missing), copies,
              KILLS * len(expected), [])
    row.notes.append("received = committed in the central database (imdms collect)")
    if status.get("quarantined"):
        row.notes.append(f"quarantined {status.get('quarantined')}: "
                         f"{status.get('quarantine_reasons')}")
        row.problems.append("records quarantined")
    if pending != 0:
        row.notes.append(f"pending at end: {pending}")
    if rc not in (0, None):
        row.notes.append(f"forwarder exit status {rc}")
    if missing:
        row.notes.append(f"e.g. missing {sorted(missing)[:2]}")
    row.notes.append(f"booth runs {h.player_runs}, forwarder starts {h.forwarder_starts}, "
                     f"cli {sum(h.cli_runs.values())}")
    row.notes += h.remarks
    row.problems += h.problems
    row.pending = pending
    row.conflicts = sum(1 for d in hashes.values() if len(d) > 1)
    return row

"""Steps shared by the chaos scenarios: start everything, build a backlog, finish and judge."""

from __future__ import annotations

import inspect
from typing import Any

from config.models import BrokerConfig
from messaging.forwarder import Forwarder
from tests.chaos.harness import Harness
from tests.chaos.ledger import Row, in_sent, whereabouts
from tests.helpers import wait_until

# [broker] inflight (the tests' mosquitto announces the same Receive Maximum, 100)
WINDOW = int(BrokerConfig.model_fields["inflight"].default)


def ack_batch() -> int:
    default = inspect.signature(Forwarder.__init__).parameters.get("ack_batch")
    return int(default.default) if default is not None else 500


def per_fault_bound() -> int:
    """Re-sends one fault may cause: the in-flight window plus acks not yet deleted (the
    forwarder pauses while two delete batches wait: messaging/forwarder.py)."""
    return WINDOW + 2 * ack_batch()


def begin(h: Harness, *, rate: float = 30.0, technician: bool = True, **player: Any) -> None:
    h.start_centre()
    h.start_forwarder()
    h.start_players(rate=rate, **player)
    if technician:
        h.start_technician()
    assert wait_until(lambda: len(h.ledger.received_ids()) >= 10, 30, 0.05), \
        "nothing arrived at the centre before any fault"


def backlog(h: Harness, records: int) -> None:
    """Queue `records` imported records (500 per file) while the link is down."""
    for _ in range(records // 500):
        h.import_batch(500)


def wait_draining(h: Harness, more: int = 200, timeout: float = 30) -> None:
    """Wait until `more` further records arrived: the fault then hits mid-drain."""
    start = len(h.ledger.deliveries())
    assert wait_until(lambda: len(h.ledger.deliveries()) >= start + more, timeout, 0.01), \
        "the drain did not start"


def quarantined_ids(status: dict[str, Any]) -> dict[str, str]:
    """record_id -> reason, as listed by `imdms outbox status --json`."""
    items = status.get("quarantined_records")
    if not isinstance(items, list):
        return {}
    return {str(i["record_id"]): str(i.get("reason") or "") for i in items
            if isinstance(i, dict) and "record_id" in i}


def finish(h: Harness, scenario: str, faults: int, *, may_quarantine: bool = False,
           broker_may_lose_acked: int = 0, notes: list[str] | None = None,
           deliver_timeout: float = 30) -> Row:
    """Stop adding, let the forwarder heal, and compare what was accepted with what arrived.

    broker_may_lose_acked: a single Mosquitto SIGKILLed loses what it PUBACKed since its last
    save (docs/messaging.md); up to this many missing records whose tombstone is in `sent` are
    reported as lost by the broker, not by the terminal. End-to-end receipts (issue 17) remove
    this excuse."""
    h.stop_players()
    h.stop_technician()
    accepted = h.ledger.accepted()
    expected = set(accepted)

    def delivered() -> bool:
        missing = expected - h.ledger.received_ids()
        if missing and may_quarantine and len(missing) < 50:
            return missing <= set(quarantined_ids(h.status()))
        return not missing

    wait_until(delivered, deliver_timeout, 0.3)
    pending = h.wait_pending_zero(10)
    status = h.status()
    quarantined = quarantined_ids(status)
    rc = h.stop_forwarder()
    deliveries = h.ledger.deliveries()
    received = {rid for rid, _ in deliveries}
    missing = expected - received
    excused = {rid for rid in missing if may_quarantine and quarantined.get(rid)}
    missing -= excused
    broker_lost: set[str] = set()
    if broker_may_lose_acked and missing:
        broker_lost = in_sent(h.data_dir / "outbox.sqlite3", missing)
        if len(broker_lost) <= broker_may_lose_acked:
            missing -= broker_lost
        else:
            broker_lost = set()
    copies = [rid for rid, _ in deliveries if rid in expected]
    hashes: dict[str, set[str]] = {}
    for rid, digest in deliveries:
        hashes.setdefault(rid, set()).add(digest)
    conflicts = sorted(rid for rid, d in hashes.items() if len(d) > 1)
    bound = faults * per_fault_bound()
    row = Row(scenario, len(expected), len(expected & received), len(missing),
              len(copies) - len(expected & received), bound, list(notes or []))
    refused = h.ledger.refused()
    if refused:
        row.notes.append("refused by add(): " + ", ".join(f"{k[8:]} {n}"
                                                          for k, n in sorted(refused.items())))
    if quarantined or status.get("quarantined"):
        row.notes.append(f"quarantined {status.get('quarantined')} "
                         f"({len(excused)} accepted ones listed with a reason)")
    if broker_lost:
        row.notes.append(f"{len(broker_lost)} PUBACKed by the broker, then lost by its SIGKILL "
                         f"(single-broker limit, at most {broker_may_lose_acked})")
    if pending != 0:
        row.notes.append(f"pending at end: {pending}")
    if conflicts:
        row.notes.append(f"{len(conflicts)} ids delivered with different bytes")
    if rc not in (0, None):
        row.notes.append(f"forwarder exit status {rc}")
    log = (h.root / "forwarder.log")
    text = log.read_text(errors="replace") if log.exists() else ""
    for sign in ("malformed", "Traceback", "database error"):
        if sign in text:
            row.notes.append(f"forwarder log: {text.count(sign)}x {sign!r}")
    if missing:
        row.notes.append(f"e.g. missing {sorted(missing)[:2]}")
        row.notes.append(whereabouts(h.data_dir / "outbox.sqlite3", missing))
    row.notes.append(f"booth runs {h.player_runs}, forwarder starts {h.forwarder_starts}, "
                     f"cli {sum(h.cli_runs.values())}")
    row.notes += h.remarks
    row.problems = list(h.problems)
    row.pending = pending
    row.conflicts = len(conflicts)
    return row


def judge(row: Row, table_text: str) -> None:
    """The assertion of every scenario (the table is the message)."""
    assert row.passed, "chaos scenario failed:\n" + table_text

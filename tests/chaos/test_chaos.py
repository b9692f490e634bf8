"""Store-and-forward under faults, across real process boundaries (issue 12 item 2).

Each scenario runs the booth player (Outbox.add() in its own process, restarted every few
seconds), `imdms forward` through a TCP proxy to a real Mosquitto, a persistent-session QoS 1
centre, and a technician running `imdms outbox status|export|import` and `imdms doctor` on
the same outbox file; then it injects one kind of fault. The verdict is the same for all:
every record add() accepted (and every imported one) reaches the centre, a duplicate is the
same bytes, at most (in-flight window + delete batch) re-sends per fault, and nothing is
pending once the fault healed. The table is printed per scenario and in the summary.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.chaos.harness import Harness
from tests.chaos.ledger import Row
from tests.chaos.scenario import backlog, begin, finish, judge, wait_draining
from tests.helpers import wait_until
from tests.peers import peers_required

pytestmark = [pytest.mark.chaos, pytest.mark.peer]

Record = Callable[[Row], str]
# Mosquitto saves after every change instead of every 30 min: a SIGKILL then loses at most what
# it acknowledged in its last loop (docs/messaging.md, delivery guarantees).
DURABLE_BROKER = "autosave_on_changes true\nautosave_interval 1\n"
BROKER_LAST_LOOP = 100  # at most one in-flight window acknowledged and not yet saved


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGKILL"])
def test_broker_dies_mid_drain(signal_name: str, chaos_broker: Any, harness: Any,
                               record_row: Record) -> None:
    h: Harness = harness(chaos_broker(DURABLE_BROKER))
    with h.step("before the fault"):
        begin(h)
        h.proxy.down(True)
        h.proxy.cut()
        backlog(h, 1000)
        h.proxy.down(False)
        wait_draining(h)
    if signal_name == "SIGTERM":
        h.broker.stop()
    else:
        h.broker.kill()
    time.sleep(2)
    h.broker.start()
    with h.step("after the fault"):
        wait_draining(h, 50)
    row = finish(h, f"broker {signal_name} mid-drain", faults=1,
                 broker_may_lose_acked=BROKER_LAST_LOOP if signal_name == "SIGKILL" else 0)
    judge(row, record_row(row))


@pytest.mark.parametrize("how", ["cut", "blackhole"])
def test_network_fault_mid_drain(how: str, chaos_broker: Any, harness: Any,
                                 record_row: Record) -> None:
    h: Harness = harness(chaos_broker())
    with h.step("before the fault"):
        begin(h)
        h.proxy.down(True)
        h.proxy.cut()
        backlog(h, 1000)
        h.proxy.down(False)
        wait_draining(h)
    if how == "cut":  # every connection reset, new ones refused for 3 s
        h.proxy.down(True)
        h.proxy.cut()
        time.sleep(3)
        h.proxy.down(False)
    else:  # a silent partition longer than 1.5 x keepalive (5 s)
        h.proxy.blackhole(True)
        time.sleep(9)
        h.proxy.blackhole(False)
    with h.step("after the fault"):
        wait_draining(h, 50)
    row = finish(h, f"network {how} mid-drain", faults=1)
    judge(row, record_row(row))


def test_forwarder_sigkilled_five_times_with_backlog(chaos_broker: Any, harness: Any,
                                                      record_row: Record) -> None:
    broker = chaos_broker()
    h: Harness = harness(broker)
    with h.step("before the faults"):
        begin(h)
    broker.stop()  # the backlog builds with the broker down
    backlog(h, 4000)
    broker.start()
    pending_at_kill = []
    for n in range(5):
        with h.step(f"before kill {n + 1}"):
            wait_draining(h, 200)
        # not yet received means still pending (or lost): a lower bound of the backlog
        pending_at_kill.append(len(set(h.ledger.accepted()) - h.ledger.received_ids()))
        h.kill_forwarder()
        h.start_forwarder()
    row = finish(h, "forwarder SIGKILL x5 mid-drain", faults=5,
                 notes=["pending at each kill >= " + ",".join(map(str, pending_at_kill))])
    record = record_row(row)
    assert min(pending_at_kill) >= 1000, "the kills did not hit a real backlog:\n" + record
    judge(row, record)


DAY = 86400


def test_wall_clock_jumps(clockshift: Path, chaos_broker: Any, harness: Any,
                          record_row: Record) -> None:
    h: Harness = harness(chaos_broker())
    shift = h.root / "clock-shift"
    shift.write_text("0\n")
    h.forwarder_env = {"LD_PRELOAD": str(clockshift), "CLOCKSHIFT_FILE": str(shift)}
    with h.step("before the faults"):
        begin(h)
    seen: list[str] = []
    for days in (400, -3):
        shift.write_text(f"{days * DAY}\n")
        want = datetime.now(UTC) + timedelta(days=days)

        def shifted(want: datetime = want) -> bool:
            for sent_at in h.ledger.heartbeats():
                at = datetime.fromisoformat(sent_at.replace("Z", "+00:00"))
                if abs((at - want).total_seconds()) < 600:
                    seen.append(sent_at[:10])
                    return True
            return False

        # the heartbeat carries the forwarder's wall clock: proof that the jump took effect
        with h.step(f"clock {days:+d} d"):
            assert wait_until(shifted, 15, 0.2), f"the forwarder's clock did not move {days} d"
        h.proxy.cut()  # records in flight become suspects with retry times on this clock
        with h.step(f"after the cut at {days:+d} d"):
            wait_draining(h, 30)
    row = finish(h, "wall clock +400 d, -3 d", faults=4,
                 notes=["forwarder heartbeats dated " + ", ".join(seen)])
    judge(row, record_row(row))


def test_poison_records_between_normal_ones(chaos_broker: Any, harness: Any,
                                            record_row: Record) -> None:
    # the broker refuses what is over 2500 bytes; [outbox] max_record_bytes stays 16384
    h: Harness = harness(chaos_broker("message_size_limit 2500\n"),
                         outbox_conf="quarantine_after = 2\n")
    with h.step("before the faults"):
        begin(h, poison_every=10)
    time.sleep(4)
    h.proxy.cut()
    time.sleep(4)
    accepted = h.ledger.accepted()
    poisons = sum(kind not in ("normal", "imported") for kind in accepted.values())
    # the cut, and each accepted poison may drop the link once with others in flight (alone
    # afterwards: it is then the only one re-sent)
    row = finish(h, "poison records", faults=1 + poisons, may_quarantine=True,
                 notes=[f"{poisons} poison records accepted by add()"])
    judge(row, record_row(row))


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """An 8 MiB tmpfs (needs root: CI is root; a missing capability fails in CI)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0:
        if peers_required():
            pytest.fail("the full-disk scenario needs root (mount) [IMDMS_REQUIRE_PEERS=1]")
        pytest.skip("the full-disk scenario needs root (mount)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(mount)],
                   check=True)
    try:
        yield mount
    finally:
        if subprocess.run(["umount", str(mount)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_then_drained(small_fs: Path, chaos_broker: Any, harness: Any,
                                record_row: Record) -> None:
    h: Harness = harness(chaos_broker(), data_dir=small_fs / "data")
    h.player_lifetime = (1e6, 1e6)  # neither process restarts in this scenario
    with h.step("before the fault"):
        begin(h, rate=0, notes_chars=1500)
    h.proxy.down(True)
    h.proxy.cut()

    def refusals() -> int:
        return sum(h.ledger.refused().values())

    with h.step("filling"):
        assert wait_until(lambda: refusals() > 0, 90, 0.2), "the disk never filled"
    time.sleep(2)
    full_at = len(h.ledger.accepted())
    h.proxy.down(False)
    accepted_again = wait_until(lambda: len(h.ledger.accepted()) >= full_at + 50, 40, 0.2)
    notes = [f"{full_at} accepted before the floor",
             f"after the drain: {len(h.ledger.accepted()) - full_at} more accepted"]
    row = finish(h, "disk full (8 MiB tmpfs)", faults=1, notes=notes)
    record = record_row(row)
    assert h.player_runs == 1 and h.forwarder_starts == 1, record
    assert accepted_again, "add() did not accept again after the drain freed room:\n" + record
    kinds = set(h.ledger.refused())
    assert kinds == {"refused:DiskFullError:normal"}, f"refused with {kinds}, not DiskFullError"
    judge(row, record)

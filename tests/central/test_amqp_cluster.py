"""A 3-node RabbitMQ cluster with 3-member quorum queues: nodes SIGKILLed five times (one at a
time, each restarted) while three booths' real `imdms forward` services drain backlogs into it
(each booth's officers add records before every kill, so each kill hits a draining forwarder)
and an `imdms collect` process (all three nodes in amqp_url) stores them in PostgreSQL.
Nothing acknowledged to a booth is lost; a record delivered twice is stored once."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.db import Database
from tests.central.cluster import RabbitCluster
from tests.central.helpers import ADMIN, TERMINALS, password_of, terminal_user
from tests.central.procs import (
    add_records,
    count,
    forward,
    pending,
    start_collect,
    stored_ids,
    terminal,
)
from tests.central.rabbit import COLLECTOR_USER, RabbitNode
from tests.collector.peers import Store
from tests.messaging.central_proc import stop

pytestmark = [pytest.mark.peer, pytest.mark.slow]
PER_TERMINAL = 2000  # more before each kill
KILLS = 5


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitCluster]:
    users = [COLLECTOR_USER, *(terminal_user(t) for t in TERMINALS)]
    c = RabbitCluster(
        tmp_path_factory.mktemp("cluster"),
        {u: password_of(u) for u in users},
        (ADMIN, password_of(ADMIN)),
    )
    try:
        c.start()
        print(f"3-node cluster started in {c.start_s:.1f} s")
        yield c
    finally:
        c.stop()


def _start_collector(
    tmp_path: Path, nodes: list[RabbitNode], database: str
) -> tuple[subprocess.Popen[str], Path]:
    """`imdms collect` with every node in amqp_url (its password a 0600 credential file)."""
    central = tmp_path / "central"
    central.mkdir()
    secret = central / "amqp-password"
    secret.write_text(password_of(COLLECTOR_USER))
    secret.chmod(0o600)
    urls = ",".join(n.amqp_url() for n in nodes)
    cfg = central / "central.toml"
    cfg.write_text(f'[collector]\nsource = "amqp"\namqp_url = "{urls}"\ndatabase = "{database}"\n')
    log = central / "collect.log"
    return start_collect(cfg, log), log


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)  # the national store
def test_node_kills_while_forwarders_drain_lose_nothing(
    cluster: RabbitCluster, store: Store, tmp_path: Path
) -> None:
    nodes = cluster.nodes
    booths = []
    for i, t in enumerate(TERMINALS):  # each booth talks to its own node, as if by DNS
        cfg, ids = terminal(tmp_path, nodes[i], t, PER_TERMINAL)
        booths.append((cfg, ids))
    want = {i for _, ids in booths for i in ids}
    collector, log = _start_collector(tmp_path, nodes, store.url)
    forwarders = [forward(c, daemon=True) for c, _ in booths]
    kills: list[tuple[str, int, int]] = []  # (node, stored then, records still in outboxes)
    try:
        for k in range(KILLS):
            for (c, _), t in zip(booths, TERMINALS, strict=True):
                want.update(add_records(c, PER_TERMINAL, t))
            # kill once the forwarders are well into the new backlog
            deadline = time.monotonic() + 60
            added = PER_TERMINAL * len(booths)
            while sum(pending(c) for c, _ in booths) > 0.8 * added:
                assert time.monotonic() < deadline, "the forwarders do not drain"
                time.sleep(0.02)  # other processes' progress: no event to await
            victim = nodes[k % len(nodes)]
            backlog = sum(pending(c) for c, _ in booths)
            victim.kill()
            kills.append((victim.name.split("-")[0], count(store.url), backlog))
            victim.start()  # back before the next kill: a majority stays up throughout
        deadline = time.monotonic() + 300
        while any(pending(c) for c, _ in booths) and time.monotonic() < deadline:
            time.sleep(0.1)  # other processes' progress: no event to await
        for proc in forwarders:
            proc.send_signal(signal.SIGTERM)
        for proc in forwarders:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err[-800:]
        got = count(store.url)
        deadline = time.monotonic() + 120
        while got < len(want) and time.monotonic() < deadline:
            time.sleep(0.1)  # another process's commits: no event to await
            got = count(store.url)
        collector.send_signal(signal.SIGTERM)
        assert collector.wait(30) == 0, log.read_text()[-800:]
    finally:
        for proc in [*forwarders, collector]:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    ids = stored_ids(store.url)
    db = Database(store.url)
    try:
        duplicates = db.counter("duplicates")
    finally:
        db.close()
    print(f"kills (node, stored, records still in the booths' outboxes): {kills}")
    print(f"{len(want)} records stored once; {duplicates} redelivered duplicates dropped")
    assert len(ids) == len(set(ids)), "a record was stored twice"
    assert set(ids) == want, f"{len(want - set(ids))} of {len(want)} lost; kills {kills}"
    assert all(backlog for _, _, backlog in kills), f"a kill missed the draining: {kills}"


RECEIPTS = "[outbox]\ndisk_floor_mb = 1\nreceipts = true\nreceipt_timeout_s = 5\n"


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_node_kills_every_record_still_receipted(
    cluster: RabbitCluster, store: Store, tmp_path: Path
) -> None:
    """With receipts on, five node kills: every booth's outbox ends empty (each record stored
    and receipted), so no terminal's receipt subscription is left dead by a kill."""
    nodes = cluster.nodes
    booths = []
    for i, t in enumerate(TERMINALS):
        cfg, _ = terminal(tmp_path, nodes[i], t, PER_TERMINAL // 2)
        cfg.write_text(cfg.read_text().replace("[outbox]\ndisk_floor_mb = 1\n", RECEIPTS))
        booths.append(cfg)
    collector, log = _start_collector(tmp_path, nodes, store.url)
    forwarders = [forward(c, daemon=True) for c in booths]
    added = PER_TERMINAL // 2 * len(booths)  # before each kill
    try:
        for k in range(KILLS):
            for c, t in zip(booths, TERMINALS, strict=True):
                add_records(c, PER_TERMINAL // 2, t)
            deadline = time.monotonic() + 60
            while sum(pending(c) for c in booths) > 0.8 * added:
                assert time.monotonic() < deadline, "the forwarders do not drain"
                time.sleep(0.02)  # other processes' progress: no event to await
            victim = nodes[k % len(nodes)]
            victim.kill()
            victim.start()
        deadline = time.monotonic() + 240
        while any(pending(c) for c in booths) and time.monotonic() < deadline:
            time.sleep(0.2)  # other processes' progress: no event to await
        left = {t: pending(c) for c, t in zip(booths, TERMINALS, strict=True)}
        assert not any(left.values()), f"records never receipted after the kills: {left}"
    finally:
        for proc in [*forwarders, collector]:
            stop(proc)  # by PID, killed if SIGTERM is not enough

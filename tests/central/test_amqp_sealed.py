"""Sealed crossings (crossing-v2) on the national path: a booth's outbox seals them, its real
`imdms forward` sends them over MQTT 3.1.1 to RabbitMQ, `imdms collect` consumes them over AMQP
and opens them with the centre's private key before storing. Before this test the AMQP path
skipped the opening, so every sealed record was rejected ("does not match crossing-v1")."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from central.db import Database
from messaging.outbox import Outbox
from messaging.seal import Sealer, new_key_pair
from tests.central.helpers import TERMINALS, collector_config
from tests.central.procs import forward, start_collect, terminal, wait_count
from tests.central.rabbit import RabbitNode
from tests.collector.peers import Store
from tests.messaging.records import make_record

pytestmark = [pytest.mark.peer]


def test_sealed_records_are_opened_and_stored(
    rabbit: RabbitNode, store: Store, tmp_path: Path
) -> None:
    private_pem, public_pem = new_key_pair()
    cfg, _ = terminal(tmp_path, rabbit, TERMINALS[1], 0)
    box = Outbox(cfg.parent / "outbox.sqlite3", disk_floor_mb=1,
                 sealer=Sealer.from_pem(public_pem))
    try:
        records = [make_record(terminal_id=TERMINALS[1]) for _ in range(50)]
        box.add_many(records)
        raw = (cfg.parent / "outbox.sqlite3").read_bytes()
        assert records[0].surname is not None and records[0].surname.encode() not in raw
    finally:
        box.close()
    fwd = forward(cfg)
    _, err = fwd.communicate(timeout=120)
    assert fwd.returncode == 0, err[-800:]

    central = tmp_path / "central"
    central.mkdir()
    key = central / "imdms-central.key"
    key.write_text(private_pem)
    key.chmod(0o600)
    proc = start_collect(collector_config(central / "central.toml", rabbit, store.url),
                         central / "collect.log")
    try:
        got = wait_count(store.url, len(records))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0, (central / "collect.log").read_text()[-800:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert got == len(records), (central / "collect.log").read_text()[-800:]
    db = Database(store.url)
    try:
        stored = {r["record_id"]: r for r in db.iter_records()}
        rejected = db.query("SELECT COUNT(*) FROM rejected")[0][0]
    finally:
        db.close()
    assert rejected == 0
    for record in records:
        assert stored[record.record_id]["surname"] == record.surname  # opened, not dropped

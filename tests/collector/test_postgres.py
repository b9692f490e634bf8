"""PostgreSQL faults through the real collector and Mosquitto: `pg_ctl restart` and a
terminated backend mid-ingest, the server's reason in every error, pg_dump + pg_restore.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

import pytest

from central.collector import Collector
from central.db import Database
from central.report import sql_summary
from config.models import BrokerConfig, CollectorConfig
from imdms.cli import main
from tests.collector.peers import Broker
from tests.collector.postgres import PASSWORD, PostgresServer
from tests.collector.publish import publish_all
from tests.collector.records import make, records_with_amendments

pytestmark = pytest.mark.peer
N = 1500


def _count(url: str) -> int:
    db = Database(url)
    try:
        return int(db.query("SELECT COUNT(*) FROM records")[0][0])
    finally:
        db.close()


def test_collector_survives_restart_and_terminated_backend_mid_ingest(
    mosquitto: Broker,
    postgres_server: PostgresServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = postgres_server.create_database()
    dbname = url.rsplit("/", 1)[1]
    broker = BrokerConfig.model_validate(
        {"host": mosquitto.host, "port": mosquitto.port, "protocol": "5"}
    )
    ccfg = CollectorConfig.model_validate({"database": url, "share_group": "restart"})
    collector = Collector(
        broker,
        ccfg,
        client_id="restart-collector",
        batch_size=50,
        batch_wait_s=0.01,
        retry_min_s=0.05,
        retry_max_s=0.5,
    )
    collector.start()
    recs = [make(age=i % 90, terminal="t1") for i in range(N)]
    recs, late = recs[:-200], recs[-200:]  # late: published while the server is down
    topic = "imdms/v1/MSU-BRIDGE/t1/crossing"
    publisher = threading.Thread(
        target=publish_all,
        args=(broker, [(topic, json.dumps(r).encode(), 1) for r in recs]),
        kwargs={"timeout_s": 120},
    )
    caplog.set_level(logging.DEBUG, logger="central.collector")
    try:
        publisher.start()
        assert collector.wait_for(lambda c: c["stored"] >= 200, 30), dict(collector.counts)
        postgres_server.restart()  # fast shutdown: the collector's connection is cut
        before = collector.counts["stored"]
        assert collector.wait_for(lambda c: c["stored"] >= before + 200, 30), "no recovery"
        killed = postgres_server.psql(
            "postgres",
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            f" WHERE datname = '{dbname}'",
        )
        assert killed.strip() == "1"
        before = collector.counts["stored"]
        assert collector.wait_for(lambda c: c["stored"] >= before + 100, 30), "no recovery"
        # an outage longer than one retry: reconnecting fails a few times, with backoff
        publisher.join(120)
        assert not publisher.is_alive()
        postgres_server.shutdown()
        publish_all(broker, [(topic, json.dumps(r).encode(), 1) for r in late], client_id="t1b")
        time.sleep(1.5)  # the outage's length is the point here, not a wait for an event
        postgres_server.start()
        assert collector.wait_for(lambda c: c["stored"] + c["duplicate"] >= N, 60), dict(
            collector.counts
        )
    finally:
        collector.stop()
    assert _count(url) == N  # nothing acknowledged before its commit was lost
    db = Database(url)
    try:
        # a collector cut off mid-batch cannot hold the ingest lock for longer than this
        assert db.query("SHOW idle_in_transaction_session_timeout") == [("1min",)]
        want = {r["record_id"] for r in recs + late}
        assert {r["record_id"] for r in db.iter_records()} == want
    finally:
        db.close()
    messages = [r.getMessage() for r in caplog.records]
    assert sum("reconnected to the central database" in m for m in messages) >= 3
    assert any("reconnecting to the central database failed" in m for m in messages)
    assert any("terminating connection due to administrator command" in m for m in messages)


def test_database_errors_give_the_server_reason(
    postgres_server: PostgresServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A technician sees why (the server's words), never a traceback or the password."""
    url = postgres_server.create_database()
    empty = tmp_path / "empty.toml"  # a named config must exist; an empty one means defaults
    empty.write_text("")
    base = ["--from", "2026-03-01", "--to", "2026-03-02", "--config", str(empty)]
    cases = [
        (
            url.replace(PASSWORD, "wrong-pw"),
            f'password authentication failed for user "{postgres_server.user}"',
        ),
        (
            url.replace(f":{postgres_server.port}/", ":1/"),
            'connection to server at "127.0.0.1", port 1 failed: Connection refused',
        ),
        (url.rsplit("/", 1)[0] + "/nosuchdb", 'database "nosuchdb" does not exist'),
    ]
    for bad, reason in cases:
        assert main(["report", "--database", bad, *base]) == 2
        err = capsys.readouterr().err
        assert reason in err, err
        assert "Traceback" not in err and "wrong-pw" not in err and PASSWORD not in err
        assert "what to do: check collector.database" in err
    # a reporting role that may only read: refused until granted, then the report runs
    Database(url).close()
    dbname = url.rsplit("/", 1)[1]
    postgres_server.psql(dbname, f"CREATE ROLE reader_{dbname} LOGIN PASSWORD '{PASSWORD}'")
    reader = url.replace(f"//{postgres_server.user}:", f"//reader_{dbname}:")
    assert main(["report", "--database", reader, *base]) == 2
    err = capsys.readouterr().err
    assert "permission denied for table records (SQLSTATE 42501)" in err, err
    assert "GRANT SELECT" in err and "Traceback" not in err
    postgres_server.psql(dbname, f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader_{dbname}")
    assert main(["report", "--database", reader, *base]) == 0
    capsys.readouterr()
    cfg = tmp_path / "central.toml"
    cfg.write_text(f'[broker]\nhost = "127.0.0.1"\nport = 1\n\n[collector]\ndatabase = "{bad}"\n')
    assert main(["collect", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert 'database "nosuchdb" does not exist' in err and "Traceback" not in err


def test_pg_dump_and_restore_keep_every_record_and_the_report(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """The backup documented in docs/central.md: pg_dump -Fc, then pg_restore into a new db."""
    url = postgres_server.create_database()
    db = Database(url)
    for rec in records_with_amendments(300, seed=3):
        db.ingest(json.dumps(rec).encode())
    db.ingest(b"\x00 poison", topic="imdms/v1/MSU-BRIDGE/t1/crossing")
    db.commit()
    dump = tmp_path / "central.dump"
    r = postgres_server.run_client("pg_dump", "--format=custom", "--file", str(dump), url)
    assert r.returncode == 0, r.stderr
    restored = postgres_server.create_database()
    r = postgres_server.run_client(
        "pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored, str(dump)
    )
    assert r.returncode == 0, r.stderr
    copy = Database(restored)
    try:
        assert list(copy.iter_records()) == list(db.iter_records())
        assert copy.rejected() == db.rejected()
        assert copy.counter("duplicates") == db.counter("duplicates") > 0
        for by_post in (False, True):
            assert sql_summary(copy, by_post=by_post, period="day") == sql_summary(
                db, by_post=by_post, period="day"
            )
        # the restored database takes new records (its sequences came along)
        assert copy.ingest(json.dumps(make()).encode()).outcome == "stored"
        copy.reject("t", b"x", "test")
        copy.commit()
    finally:
        copy.close()
        db.close()

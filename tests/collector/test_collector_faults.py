"""The collector's writer survives a bug on one message and a failing database (no broker),
on both stores."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from typing import Any

import pytest

import central.db
import central.ingest_batch
from central.collector import Collector, _Message
from central.db import Database
from config.models import BrokerConfig, CollectorConfig
from imdms.errors import ImdmsError
from tests.collector.peers import Store
from tests.collector.records import make
from tests.peers import require_peer


class FakeClient:
    def __init__(self) -> None:
        self.acked: list[int] = []
        self.published: list[tuple[str, bytes]] = []  # commit receipts

    def ack(self, mid: int, qos: int) -> None:
        self.acked.append(mid)

    def publish(self, topic: str, payload: bytes, qos: int = 0) -> None:
        self.published.append((topic, payload))


def _collector(store: Store) -> tuple[Collector, Database, FakeClient]:
    broker = BrokerConfig.model_validate({"host": "127.0.0.1", "port": 1})
    ccfg = CollectorConfig.model_validate({"database": store.url})
    col = Collector(broker, ccfg)
    client = FakeClient()
    col._client = client
    return col, Database(store.url), client


def _disk_error(store: Store) -> Exception:
    if store.kind == "postgresql":
        import psycopg

        return psycopg.OperationalError("could not extend file: No space left on device")
    return sqlite3.OperationalError("disk I/O error")


def _msg(mid: int, rec: dict[str, Any]) -> _Message:
    topic = f"imdms/v1/{rec['border_post']}/{rec['terminal_id']}/crossing"
    return _Message(topic, json.dumps(rec).encode(), mid, 1)


def test_a_bug_on_one_message_rejects_it_and_keeps_the_batch(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    col, db, client = _collector(store)
    good, poison = make(), make(age=41)
    real_row = central.db.record_row

    def failing_row(data: dict[str, Any], *args: Any) -> Any:
        if data["record_id"] == poison["record_id"]:
            raise KeyError("boom")
        return real_row(data, *args)

    # both ways of storing (a run of originals: central/ingest_batch.py; one record) fail
    monkeypatch.setattr(central.db, "record_row", failing_row)
    monkeypatch.setattr(central.ingest_batch, "record_row", failing_row)
    assert col._try_batch(db, [_msg(1, good), _msg(2, poison)])
    assert client.acked == [1, 2]
    assert [r["record_id"] for r in db.iter_records()] == [good["record_id"]]
    assert db.rejected()[0][1] == "internal error: KeyError"
    assert col.counts == {"stored": 1, "rejected": 1}


def test_database_failure_is_retried_and_not_acknowledged(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    col, db, client = _collector(store)
    rec = make()
    real_commit = Database.commit
    failures = [1]

    def commit(self: Database) -> None:
        if failures[0]:
            failures[0] -= 1
            raise _disk_error(store)
        real_commit(self)

    monkeypatch.setattr(Database, "commit", commit)
    assert not col._try_batch(db, [_msg(7, rec)])
    assert client.acked == [] and not list(db.iter_records())
    assert col._try_batch(db, [_msg(7, rec)])  # the retry stores it
    assert client.acked == [7] and len(list(db.iter_records())) == 1


def test_a_value_the_database_refuses_rejects_that_message_only(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server refusing a value (SQLSTATE class 22) is a bad message, never an outage."""
    col, db, client = _collector(store)
    good, poison = make(), make(age=41)
    real_row = central.db.record_row

    def refusing_row(data: dict[str, Any], *args: Any) -> Any:
        if data["record_id"] == poison["record_id"]:
            # a real refusal by the store, caught inside the message's savepoint
            if store.kind == "postgresql":
                db.execute("SELECT 'not a number'::bigint")
            raise sqlite3.DataError("string or blob too big")
        return real_row(data, *args)

    # both ways of storing (a run of originals: central/ingest_batch.py; one record) refuse
    monkeypatch.setattr(central.db, "record_row", refusing_row)
    monkeypatch.setattr(central.ingest_batch, "record_row", refusing_row)
    assert col._try_batch(db, [_msg(1, poison), _msg(2, good)])
    assert client.acked == [1, 2]
    assert [r["record_id"] for r in db.iter_records()] == [good["record_id"]]
    reason = db.rejected()[0][1]
    assert reason.startswith("the central store cannot hold a value:")
    assert "not a number" not in reason  # a data error may quote the value: left out
    assert col.counts == {"stored": 1, "rejected": 1}
    # the commit receipt names the stored record only (the terminal re-sends the other)
    assert client.published == [("imdms/v1/MSU-BRIDGE/t1/receipt",
                                  json.dumps({"ids": [good["record_id"]]},
                                             separators=(",", ":")).encode())]
    db.close()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://imdms:s%2Fcr3t-pw@[::1/imdms",  # malformed: libpq echoes the URL
        "postgresql://imdms:s%2Fcr3t-pw@127.0.0.1:notaport/imdms",
        "postgres://imdms:s%2Fcr3t-pw@nohost.invalid/imdms",
    ],
)
def test_a_bad_url_never_shows_its_password(url: str) -> None:
    require_peer("psycopg", importlib.util.find_spec("psycopg") is not None)
    with pytest.raises(ImdmsError) as info:
        Database(url)
    text = str(info.value)
    assert text.startswith("cannot connect to PostgreSQL: ") and len(text) > 60
    assert "cr3t" not in text

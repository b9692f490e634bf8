"""The referral path end to end, on SQLite and PostgreSQL: a referred crossing published to a
real Mosquitto -> `imdms collect` as its own process -> a case row -> the on-duty address gets
a mail (real SMTP server, no personal data) -> the booth's referral receipt on the broker ->
`imdms cases set-status` moves the case on."""

from __future__ import annotations

import json
import queue
import threading
from pathlib import Path
from typing import Any

import pytest

from central.cases.store import list_cases
from central.collector import make_client
from central.db import Database
from config.models import BrokerConfig
from imdms.cli import main
from messaging.referral_receipt import parse
from messaging.topics import Topics
from records.case_id import case_id
from tests.cases.conftest import SmtpServer
from tests.cases.records import PERSONAL, plain, referred
from tests.collector.peers import Broker, Store
from tests.collector.publish import publish_all
from tests.messaging.central_proc import start_collect, stop

pytestmark = pytest.mark.peer


def _subscribe(broker: BrokerConfig, topic: str) -> tuple[Any, queue.Queue[tuple[str, bytes]]]:
    got: queue.Queue[tuple[str, bytes]] = queue.Queue()
    ready = threading.Event()
    client = make_client(broker, "booth-t1", manual_ack=False)
    client.on_message = lambda c, u, m: got.put((m.topic, bytes(m.payload)))
    client.on_subscribe = lambda *a: ready.set()
    client.on_connect = lambda c, *a: c.subscribe(topic, qos=1)
    client.connect(broker.host, broker.port)
    client.loop_start()
    assert ready.wait(10), "the booth's subscription was not acknowledged"
    return client, got


def test_referral_end_to_end(tmp_path: Path, mosquitto: Broker, smtp_server: SmtpServer,
                             store: Store) -> None:
    config = tmp_path / "central.toml"
    config.write_text(f"""
[broker]
host = "127.0.0.1"
port = {mosquitto.port}
client_id = "collector"
backoff_min_s = 0.1
backoff_max_s = 1

[collector]
database = "{store.url}"

[cases]
retry_min_s = 0.1
retry_max_s = 1.0

[cases.smtp]
host = "127.0.0.1"
port = {smtp_server.port}
starttls = false

[[cases.roster.SOCIAL_WELFARE]]
email = ["duty@sw.example"]
""")
    broker = BrokerConfig(host="127.0.0.1", port=mosquitto.port, tls=None)
    topics = Topics("imdms/v1", "MSU-BRIDGE", "t1")
    booth, got = _subscribe(broker, topics.referral_receipt)
    proc = start_collect(config, tmp_path / "collect.log")
    try:
        rec = referred()
        publish_all(broker, [(topics.crossing, json.dumps(r).encode(), 1)
                             for r in (plain(), rec)])
        topic, payload = got.get(timeout=30)
        receipt = parse(payload)
        cid = case_id(rec["record_id"])
        assert topic == topics.referral_receipt
        assert (receipt.case_id, receipt.record_id, receipt.unit.value, receipt.notified) == (
            cid, rec["record_id"], "SOCIAL_WELFARE", True)
        assert "Social welfare" in receipt.text()
        (mail,) = smtp_server.wait_for(1)
        assert mail["To"] == "duty@sw.example" and cid in mail["Subject"]
        for value in PERSONAL:
            assert value not in mail.as_string()
        assert main(["cases", "set-status", cid, "contacted", "--operator", "sw-3",
                     "--database", store.url]) == 0
        db = Database(store.url)
        try:
            (case,) = list_cases(db, "test")
        finally:
            db.close()
        assert (case["case_id"], case["status"], case["notified"]) == (
            cid, "contacted", "sent 1/1")
        assert got.empty()  # one receipt for one case
    finally:
        assert stop(proc) == 0
        booth.disconnect()
        booth.loop_stop()
    log = (tmp_path / "collect.log").read_text()
    for value in PERSONAL:
        assert value not in log
    assert "notice delivered" in log

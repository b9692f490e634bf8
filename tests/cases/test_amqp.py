"""The referral path on the national transport: a terminal's MQTT 3.1.1 login -> RabbitMQ
(the shipped definitions and topic permissions) -> `imdms collect` over AMQP -> case and mail
-> the referral receipt through amq.topic back to the terminal's own subscription."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config.models import BrokerConfig
from messaging.referral_receipt import parse
from messaging.topics import Topics
from records.case_id import case_id
from records.codes import TipReferral
from tests.cases.conftest import SmtpServer
from tests.cases.records import PERSONAL, referred
from tests.cases.test_e2e import _subscribe
from tests.central import conftest as central_fixtures
from tests.central.helpers import POST, collector_config, password_of, terminal_user
from tests.central.procs import start_collect
from tests.central.rabbit import RabbitNode
from tests.collector.publish import publish_all
from tests.messaging.central_proc import stop

pytestmark = pytest.mark.peer
rabbit_node = central_fixtures.rabbit_node  # the central tests' session node, emptied per test
rabbit = central_fixtures.rabbit


def test_referral_over_rabbitmq(rabbit: RabbitNode, smtp_server: SmtpServer,
                                tmp_path: Path) -> None:
    central = tmp_path / "central"
    central.mkdir()
    cfg = collector_config(central / "central.toml", rabbit, str(central / "c.sqlite3"))
    with cfg.open("a") as f:
        f.write(f'\n[cases.smtp]\nhost = "127.0.0.1"\nport = {smtp_server.port}\n'
                'starttls = false\n\n[[cases.roster.POLICE_ANTI_TRAFFICKING]]\n'
                'email = ["duty@police.example"]\n')
    user = terminal_user("t1")
    secret = tmp_path / "mqtt.password"
    secret.write_text(password_of(user))
    broker = BrokerConfig(host="127.0.0.1", port=rabbit.mqtt_port, protocol="3.1.1", tls=None,
                          username=user, password_credential=str(secret))
    topics = Topics("imdms/v1", POST, "t1")
    booth, got = _subscribe(broker, topics.referral_receipt)
    collect = start_collect(cfg, central / "collect.log")
    try:
        rec = referred(TipReferral.POLICE_ANTI_TRAFFICKING, post=POST)
        publish_all(broker, [(topics.crossing, json.dumps(rec).encode(), 1)],
                    client_id="t1-forwarder")
        topic, payload = got.get(timeout=60)
        receipt = parse(payload)
        assert topic == topics.referral_receipt
        assert (receipt.case_id, receipt.unit.value, receipt.notified) == (
            case_id(rec["record_id"]), "POLICE_ANTI_TRAFFICKING", True)
        (mail,) = smtp_server.wait_for(1)
        for value in PERSONAL:
            assert value not in mail.as_string()
    finally:
        assert stop(collect) == 0
        booth.disconnect()
        booth.loop_stop()

"""The history path on the national transport: the shipped RabbitMQ definitions (a terminal
writes its own history-request and reads its own history-answer; the imdms-history user reads
every request and writes every answer), MQTT 3.1.1 logins with passwords."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.history.responder import HistoryResponder
from config.models import BrokerConfig
from messaging.outbox import Outbox
from messaging.seal import Opener, Sealer, new_key_pair
from terminal.history import HistoryClient
from tests.central.helpers import ADMIN, password_of, terminal_user
from tests.central.rabbit import RabbitNode
from tests.history.rig import DOC, central_store
from tests.messaging.helpers import start_forwarder
from tests.peers import require_executable

pytestmark = pytest.mark.peer
HISTORY_USER = "imdms-history"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitNode]:
    require_executable("rabbitmq-server")
    users = [terminal_user("t1"), HISTORY_USER]
    rabbit = RabbitNode(tmp_path_factory.mktemp("rabbit"), {u: password_of(u) for u in users},
                        (ADMIN, password_of(ADMIN)))
    try:
        rabbit.start()
        yield rabbit
    finally:
        rabbit.stop()


def test_history_over_rabbitmq(node: RabbitNode, tmp_path: Path) -> None:
    private, public = new_key_pair()
    secret = tmp_path / "history.password"
    secret.write_text(password_of(HISTORY_USER))
    broker = BrokerConfig(host="127.0.0.1", port=node.mqtt_port, protocol="3.1.1", tls=None,
                          username=HISTORY_USER, password_credential=str(secret))
    responder = HistoryResponder(broker, central_store(tmp_path / "c.sqlite3"),
                                 Opener.from_pem(private), client_id="imdms-history-test")
    stop, ready = threading.Event(), threading.Event()
    thread = threading.Thread(target=responder.run, args=(stop, ready), daemon=True)
    thread.start()
    data = tmp_path / "d"
    data.mkdir()
    user = terminal_user("t1")
    fwd = None
    try:
        assert ready.wait(30), "the responder could not subscribe"
        fwd = start_forwarder(Outbox(data / "outbox.sqlite3", disk_floor_mb=1), data,
                              node.mqtt_port, protocol="3.1.1", username=user,
                              password=password_of(user))
        deadline = time.monotonic() + 30
        while not (fwd.forwarder.connected and (data / "history.sock").exists()):
            assert time.monotonic() < deadline, fwd.forwarder.last_error
            time.sleep(0.05)
        time.sleep(0.5)  # the answer topic's subscription is made just after the CONNACK
        got = HistoryClient(data, Sealer.from_pem(public), 3.0).ask_document(DOC)
        assert got is not None and got.found and len(got.crossings) == 3
        assert responder.answered == 1
    finally:
        if fwd is not None:
            fwd.halt()
        stop.set()
        thread.join(10)

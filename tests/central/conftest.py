"""Peers of the RabbitMQ tests: one real node per session (about 10 s to start), the stores.

The node is shared to keep CI time low, so each test starts from empty queues (`rabbit`
purges them with a test-only admin user that the shipped definitions do not have).
"""

from __future__ import annotations

from collections.abc import Iterator

import pika
import pytest

from tests.central.helpers import ADMIN, QUEUES, TERMINALS, admin_url, password_of, terminal_user
from tests.central.rabbit import COLLECTOR_USER, RabbitNode
from tests.certs import make_pki
from tests.collector.peers import postgres_server, store  # noqa: F401 (fixtures)


@pytest.fixture(scope="session")
def rabbit_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitNode]:
    users = [COLLECTOR_USER, *(terminal_user(t) for t in TERMINALS)]
    node = RabbitNode(
        tmp_path_factory.mktemp("rabbit"),
        {u: password_of(u) for u in users},
        (ADMIN, password_of(ADMIN)),
        tls=make_pki(tmp_path_factory.mktemp("pki"),
                     {f"{u}_": u for u in map(terminal_user, TERMINALS)}, server_cn="localhost"),
    )
    try:
        node.start()
        print(f"RabbitMQ node started in {node.start_s:.1f} s")
        yield node
    finally:
        node.stop()


@pytest.fixture
def rabbit(rabbit_node: RabbitNode) -> RabbitNode:
    """The session's node with empty queues."""
    conn = pika.BlockingConnection(pika.URLParameters(admin_url(rabbit_node)))
    try:
        ch = conn.channel()
        for q in QUEUES:
            ch.queue_purge(q)
    finally:
        conn.close()
    return rabbit_node



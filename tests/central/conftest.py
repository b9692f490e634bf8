"""Peers of the RabbitMQ tests: one real node per session (about 10 s to start), the stores.

The node is shared to keep CI time low, so each test starts from empty queues (`rabbit`
purges them with a test-only admin user that the shipped definitions do not have).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pika
import pytest

from tests.central.certs import make_pki
from tests.central.rabbit import COLLECTOR_USER, RabbitNode
from tests.stats.conftest import postgres_server, store  # noqa: F401 (fixtures)

QUEUES = ("imdms.crossings", "imdms.heartbeats", "imdms.audit", "imdms.referrals")
TERMINALS = ("t1", "t2", "t3")
POST = "MSU-BRIDGE"
ADMIN = "imdms-test-admin"


def terminal_user(terminal: str, post: str = POST) -> str:
    """A terminal's RabbitMQ user: its certificate's CN in production."""
    return f"{post}.{terminal}"


def password_of(user: str) -> str:
    return f"pw-{user}"


@pytest.fixture(scope="session")
def rabbit_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitNode]:
    users = [COLLECTOR_USER, *(terminal_user(t) for t in TERMINALS)]
    node = RabbitNode(
        tmp_path_factory.mktemp("rabbit"),
        {u: password_of(u) for u in users},
        (ADMIN, password_of(ADMIN)),
        tls=make_pki(tmp_path_factory.mktemp("pki"), [terminal_user(t) for t in TERMINALS]),
    )
    try:
        node.start()
        print(f"RabbitMQ node started in {node.start_s:.1f} s")
        yield node
    finally:
        node.stop()


def admin_url(node: RabbitNode) -> str:
    return node.amqp_url(ADMIN, password_of(ADMIN))


def queue_depths(node: RabbitNode) -> dict[str, int]:
    """Messages ready in each queue (passive declare: the queues must exist)."""
    conn = pika.BlockingConnection(pika.URLParameters(admin_url(node)))
    try:
        ch = conn.channel()
        return {q: int(ch.queue_declare(q, passive=True).method.message_count) for q in QUEUES}
    finally:
        conn.close()


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


def collector_config(path: Path, node: RabbitNode, database: str) -> Path:
    """central.toml for `imdms collect` on AMQP; the password in a credential file (0600)."""
    secret = path.parent / "amqp-password"
    secret.write_text(password_of(COLLECTOR_USER))
    secret.chmod(0o600)
    path.write_text(
        f'[collector]\nsource = "amqp"\namqp_url = "{node.amqp_url()}"\ndatabase = "{database}"\n'
    )
    return path

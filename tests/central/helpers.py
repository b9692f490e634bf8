"""What the RabbitMQ tests share besides fixtures: the terminals and users of the session's node,
queue depths, the collector's and a booth's config."""

from __future__ import annotations

from pathlib import Path

import pika

from config.models import BrokerConfig
from tests.central.rabbit import COLLECTOR_USER, RabbitNode

QUEUES = ("imdms.crossings", "imdms.heartbeats", "imdms.audit", "imdms.referrals")
TERMINALS = ("t1", "t2", "t3")
POST = "MSU-BRIDGE"
ADMIN = "imdms-test-admin"


def terminal_user(terminal: str, post: str = POST) -> str:
    """A terminal's RabbitMQ user: its certificate's CN in production."""
    return f"{post}.{terminal}"


def password_of(user: str) -> str:
    return f"pw-{user}"


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


def collector_config(path: Path, node: RabbitNode, database: str) -> Path:
    """central.toml for `imdms collect` on AMQP; the password in a credential file (0600)."""
    secret = path.parent / "amqp-password"
    secret.write_text(password_of(COLLECTOR_USER))
    secret.chmod(0o600)
    path.write_text(
        f'[collector]\nsource = "amqp"\namqp_url = "{node.amqp_url()}"\ndatabase = "{database}"\n'
    )
    return path


def terminal_broker(node: RabbitNode, tmp_path: Path, terminal: str = "t1") -> BrokerConfig:
    """[broker] of a booth speaking MQTT 3.1.1 to the node (password in a 0600 file)."""
    user = terminal_user(terminal)
    secret = tmp_path / f"{terminal}.password"
    secret.write_text(password_of(user))
    secret.chmod(0o600)
    return BrokerConfig.model_validate(
        {
            "host": "127.0.0.1",
            "port": node.mqtt_port,
            "protocol": "3.1.1",
            "username": user,
            "password_credential": str(secret),
        }
    )

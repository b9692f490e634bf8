"""Checks of the central side (`imdms doctor --central`, `imdms collect --check`).

Each node in collector.amqp_url is reached over AMQP and every shipped queue is looked up by a
passive declare (ready messages, consumers); the database is opened. No personal data is read:
only counts. Results are imdms.checks CheckResults, one line each with what to do.
"""

from __future__ import annotations

import socket
from typing import Any

from central.amqp_source import (
    CROSSINGS_QUEUE,
    PASSWORD_CREDENTIAL,
    QUEUES,
    safe_url,
    split_urls,
    url_with_password,
)
from config.models import Config
from imdms.checks import CheckResult, Status
from imdms.errors import ImdmsError

# also shipped by deploy/central/definitions.json; not consumed by the collector yet
ALL_QUEUES = (*QUEUES, "imdms.audit", "imdms.referrals", "imdms.dead-letters")


def central_checks(config: Config, timeout_s: float = 5.0) -> list[CheckResult]:
    from central.cases.health import check_cases

    results = [check_database(config), check_cases(config)]
    if config.collector.source == "amqp":
        results += check_rabbitmq(config, timeout_s)
    else:
        results.append(check_mqtt_broker(config, timeout_s))
    return results


def check_database(config: Config) -> CheckResult:
    from central.db import Database

    try:
        db = Database(config.collector.database)
    except ImdmsError as err:
        return CheckResult("database", Status.FAIL, err.message, err.hint or "")
    try:
        n = int(db.query("SELECT COUNT(*) FROM records")[0][0])
        rejected = int(db.query("SELECT COUNT(*) FROM rejected")[0][0])
    except Exception as err:
        return CheckResult(
            "database",
            Status.FAIL,
            f"cannot read the tables: {db.describe(err)}",
            "check collector.database and the role's rights",
        )
    finally:
        db.close()
    status = Status.WARN if rejected else Status.PASS
    hint = "see the rejected table (imdms report lists the reasons)" if rejected else ""
    return CheckResult("database", status, f"{n} records, {rejected} rejected messages", hint)


def check_mqtt_broker(config: Config, timeout_s: float) -> CheckResult:
    b = config.broker
    if not b.host:
        return CheckResult(
            "broker", Status.FAIL, "no [broker] host", "set [broker] host or [collector] source"
        )
    try:
        socket.create_connection((b.host, b.port), timeout=timeout_s).close()
    except OSError as err:
        return CheckResult(
            "broker",
            Status.FAIL,
            f"cannot reach {b.host}:{b.port}: {err.strerror or err}",
            "start the broker or fix [broker] host/port",
        )
    return CheckResult("broker", Status.PASS, f"{b.host}:{b.port} reachable (MQTT)")


def check_rabbitmq(config: Config, timeout_s: float) -> list[CheckResult]:
    """One line per node of amqp_url, then one per queue (asked of the first node that
    answers)."""
    from config.secrets import credential as read_credential

    url = url_with_password(config.collector.amqp_url, read_credential(PASSWORD_CREDENTIAL))
    urls = split_urls(url)
    if not urls:
        return [
            CheckResult(
                "rabbitmq",
                Status.FAIL,
                "collector.source is amqp but amqp_url is empty",
                "set [collector] amqp_url",
            )
        ]
    results: list[CheckResult] = []
    depths: list[CheckResult] | None = None
    for u in urls:
        where = safe_url(u)
        try:
            conn = _connect(u, timeout_s)
        except Exception as err:
            results.append(
                CheckResult(
                    "rabbitmq",
                    Status.FAIL,
                    f"node {where} does not answer: {_reason(err)}",
                    "start it (systemctl start rabbitmq-server) or check amqp_url/password",
                )
            )
            continue
        try:
            results.append(CheckResult("rabbitmq", Status.PASS, f"node {where} up"))
            if depths is None:
                depths = _queues(conn)
        finally:
            conn.close()
    return results + (depths or [])


def _connect(url: str, timeout_s: float) -> Any:
    import pika

    params = pika.URLParameters(url)
    params.socket_timeout = timeout_s
    params.blocked_connection_timeout = timeout_s
    params.connection_attempts = 1
    return pika.BlockingConnection(params)


def _queues(conn: Any) -> list[CheckResult]:
    import pika.exceptions

    out = []
    for name in ALL_QUEUES:
        try:
            ch = conn.channel()
            q = ch.queue_declare(name, passive=True).method
            ch.close()
        except pika.exceptions.ChannelClosedByBroker as err:
            out.append(
                CheckResult(
                    "queue",
                    Status.FAIL,
                    f"{name}: {_reason(err)}",
                    "load deploy/central/definitions.json (rabbitmqctl import_definitions)"
                    " before pointing any terminal at this cluster",
                )
            )
            continue
        consumed = name in QUEUES
        message = f"{name}: {q.message_count} ready, {q.consumer_count} consumers"
        if consumed and q.consumer_count == 0:
            hint = "start a collector (systemctl start imdms-collector@1)"
            status = Status.FAIL if name == CROSSINGS_QUEUE else Status.WARN
            out.append(CheckResult("queue", status, message, hint))
        elif name == "imdms.dead-letters" and q.message_count:
            out.append(
                CheckResult(
                    "queue",
                    Status.WARN,
                    message,
                    "messages that failed 50 deliveries: inspect them (management UI)",
                )
            )
        else:
            out.append(CheckResult("queue", Status.PASS, message))
    return out


def _reason(err: BaseException) -> str:
    text = str(err) or err.__class__.__name__
    return text[:300]

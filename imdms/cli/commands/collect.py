"""`imdms collect`: central collector: broker to database (central side).

[collector] source = "mqtt" subscribes with an MQTT 5 shared subscription
($share/<collector.share_group>/...) using the [broker] settings; source = "amqp" consumes
RabbitMQ's quorum queues at collector.amqp_url (competing consumers). Either way crossings are
stored in collector.database until SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "collect",
        parents=[common],
        help="central collector: broker (MQTT or RabbitMQ) to database (central side)",
    )
    p.add_argument(
        "--database",
        metavar="PATH|URL",
        help="override collector.database (SQLite path or postgresql:// URL)",
    )
    p.add_argument("--share-group", metavar="NAME", help="override collector.share_group")
    p.add_argument(
        "--source", choices=("mqtt", "amqp"), help="override collector.source (the transport)"
    )
    p.add_argument(
        "--client-id",
        metavar="ID",
        help="MQTT client id, unique per collector (default imdms-collector-<host>)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="check the central side and exit: database, RabbitMQ nodes and queues (or the"
        " MQTT broker); exit status 1 when a check fails",
    )
    p.set_defaults(func=run)


def check(cfg: Any) -> int:
    """One line per check (as imdms doctor prints them); 1 when any fails."""
    from central.health import central_checks
    from imdms.checks import Status

    results = central_checks(cfg)
    width = max(len(r.name) for r in results)
    for result in results:
        print(result.line(width))
    return 1 if any(r.status is Status.FAIL for r in results) else 0


def run(args: argparse.Namespace) -> int:
    from central.collector import Collector
    from config.loader import load_config
    from imdms.cli import setup_logging

    cfg = load_config(args.config, required=True)
    setup_logging(cfg.logging.level, dict(cfg.logging.levels))
    collector_cfg = cfg.collector
    if args.share_group:
        collector_cfg = collector_cfg.model_copy(update={"share_group": args.share_group})
    if args.source:
        collector_cfg = collector_cfg.model_copy(update={"source": args.source})
    if args.database:
        collector_cfg = collector_cfg.model_copy(update={"database": args.database})
    if args.check:
        return check(cfg.model_copy(update={"collector": collector_cfg}))
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    collector = Collector(
        cfg.broker, collector_cfg, database=args.database, client_id=args.client_id,
        cases=cfg.cases,
    )
    collector.run(stop)
    return 0

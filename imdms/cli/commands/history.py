"""`imdms history serve`: answer the booths' history questions (central side, issue 18 item 4).

    imdms history serve [--database PATH|URL] [--client-id ID] [--share-group NAME]

Uses [broker] (the central broker, like `imdms collect`), [collector] database and
private_key_credential (the centre's X25519 keys open the sealed questions). Runs until
SIGTERM or Ctrl-C (deploy/central/imdms-history.service).
"""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Any

from imdms.errors import ImdmsError


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("history", parents=[common],
                       help="the centre's answers to the booths' history questions")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    serve = actions.add_parser("serve", parents=[common],
                               help="answer history questions from the person index")
    serve.add_argument("--database", metavar="PATH|URL",
                       help="override collector.database (SQLite path or postgresql:// URL)")
    serve.add_argument("--client-id", metavar="ID",
                       help="MQTT client id (default imdms-history-<host>)")
    serve.add_argument("--share-group", metavar="NAME", default="imdms-history",
                       help="MQTT 5 shared subscription the responders split the questions in"
                       " (default imdms-history; '' for none; MQTT 3.1.1 brokers: none)")
    serve.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from central.history.responder import HistoryResponder
    from central.unseal import opener_for
    from config.loader import load_config
    from imdms.cli import setup_logging

    cfg = load_config(args.config, required=True)
    setup_logging(cfg.logging.level, dict(cfg.logging.levels))
    opener = opener_for(cfg.collector.private_key_credential)
    if opener is None:
        raise ImdmsError(
            f"no central private key (credential {cfg.collector.private_key_credential})",
            "give the centre's X25519 key with LoadCredential= (see docs/security.md)",
        )
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    responder = HistoryResponder(cfg.broker, args.database or cfg.collector.database, opener,
                                 client_id=args.client_id,
                                 share_group=args.share_group or None)
    responder.run(stop)
    return 0

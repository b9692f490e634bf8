"""`imdms forward`: forward the outbox to the central MQTT broker (daemon, systemd Type=notify).

Runs until SIGTERM/SIGINT; on stop it waits briefly for in-flight acknowledgements, publishes
"offline" and exits 0. Rows not acknowledged stay in the outbox for the next start.
`--exit-when-empty` drains once and exits 0; with an empty outbox at once, without connecting.
"""

from __future__ import annotations

import argparse
import signal
import sqlite3
import sys
import threading
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "forward", parents=[common], help="forward the outbox to the central MQTT broker (daemon)"
    )
    p.add_argument(
        "--exit-when-empty",
        action="store_true",
        help="exit once the outbox is drained (one-shot sync, benchmarks)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # signals first: a SIGTERM during the imports below must still stop cleanly (exit 0)
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    from config.loader import load_config
    from imdms.cli import setup_logging

    config = load_config(args.config, required=True)
    setup_logging(config.logging.level, dict(config.logging.levels))
    if not config.broker.host and not args.exit_when_empty:
        return _idle(stop)

    from messaging.forwarder import Forwarder, settings_from_config
    from messaging.officer_directory import handle_update
    from messaging.outbox import Outbox
    from messaging.receipts import ReceiptPolicy
    from messaging.topics import Topics

    settings = settings_from_config(config)
    o = config.outbox
    with Outbox(
        config.outbox_path(),
        disk_floor_mb=o.disk_floor_mb,
        max_record_bytes=o.max_record_bytes,
        quarantine_after=o.quarantine_after, sent_retention_days=o.sent_retention_days,
    ) as outbox:
        topics = Topics(config.broker.topic_prefix, config.terminal.border_post,
                        config.terminal.terminal_id)
        policy = (ReceiptPolicy(timeout_s=o.receipt_timeout_s, attempts=o.receipt_attempts)
                  if o.receipts else None)
        forwarder = Forwarder(settings, outbox, topics, config.terminal.data_dir,
                              receipts=policy, watchlist_key=config.watchlist.public_key,
                              on_officers=lambda payload: handle_update(config, payload))
        try:
            forwarder.run(stop, exit_when_empty=args.exit_when_empty)
        except sqlite3.Error as err:
            # systemd restarts us; unacknowledged rows are still queued
            print(f"imdms forward: outbox database error ({err.__class__.__name__}: {err})",
                  file=sys.stderr)
            print("  what to do: check disk space and health (imdms doctor); "
                  "the service restarts by itself", file=sys.stderr)
            return 1
    return 0


def _idle(stop: threading.Event) -> int:
    """No broker configured (a demo or not-yet-configured booth): stay up for systemd, say so
    once, and keep records in the outbox; restarting every few seconds would only flood the
    journal."""
    import logging

    from messaging.sdnotify import notify, watchdog_interval_s

    logging.getLogger(__name__).warning(
        "forwarding is disabled: [broker] host is empty; records stay in the outbox"
    )
    notify("READY=1")
    notify("STATUS=forwarding disabled: set [broker] host")
    interval = watchdog_interval_s() or 30.0
    while not stop.wait(interval):
        notify("WATCHDOG=1")
    notify("STOPPING=1")
    return 0

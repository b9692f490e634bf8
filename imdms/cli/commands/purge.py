"""`imdms purge [--dry-run]`: delete the central rows [retention] no longer allows.

Run daily by imdms-purge.timer (deploy/central/systemd/). Prints the counts per kind; the purge
itself is a row of the audit log (counts and cut-offs only). --dry-run counts and changes
nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from imdms.cli.commands.audit import add_database, open_central


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("purge", parents=[common], help="delete expired central data (audited)")
    p.add_argument("--dry-run", action="store_true", help="count what would go, delete nothing")
    p.add_argument("--operator", metavar="ID", default="imdms-purge",
                   help="who purges, for the audit row (default: imdms-purge, the timer)")
    p.add_argument("--json", action="store_true", help="the counts as JSON")
    add_database(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from central.retention.purge import purge
    from config.loader import load_config
    from records.clock import utc_now

    retention = load_config(args.config, required=args.config_given).retention
    with open_central(args) as db:
        result = purge(db, retention, now=utc_now(), operator=args.operator,
                       dry_run=args.dry_run)
    if args.json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n")
        return 0
    verb = "would delete" if result.dry_run else "deleted"
    k = result.kinds
    print(f"imdms purge: {verb} {k['crossings']} crossings, {k['cases']} cases,"
          f" {k['photos']} photos, {k['audit']} audit rows, {k['rejected']} rejected messages;"
          f" kept past {retention.crossings_days} days: {k['kept_overstay']} overstay,"
          f" {k['kept_cases']} case crossings")
    return 0

"""`imdms doctor`: check config, readers, camera, chip, broker, disk, clock and outbox.

One line per check: PASS, WARN (works, needs attention), FAIL (fix before opening the booth) or
SKIP (not used by this booth), with what to do. Exit status 1 when any check FAILs, else 0.
Run it with sudo on a booth: it reads the credentials and the officers file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "doctor", parents=[common],
        help="check config, readers, camera, chip, broker, disk, clock and outbox",
        description="One line per check: PASS/WARN/FAIL/SKIP and what to do. "
        "Exit status 1 when any check fails. Stop the kiosk first to test the readers "
        "(sudo systemctl stop imdms-terminal).",
    )
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--only", metavar="NAMES", default="",
                   help="comma-separated checks to run (see --list)")
    p.add_argument("--list", action="store_true", help="list the checks and exit")
    p.add_argument("--central", action="store_true",
                   help="check the central host instead: database, RabbitMQ nodes and queues")
    p.add_argument("--timeout", type=float, default=5.0, metavar="S",
                   help="network and helper timeout in seconds (default %(default)s)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import logging

    from imdms.cli.doctor import CHECKS, DoctorContext, Status, run_checks

    # The readers log their retries; the doctor's own lines already say it (no-op when the
    # caller configured logging).
    logging.basicConfig(level=logging.ERROR, format="  (%(name)s: %(message)s)")
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")  # read when cv2 is first imported

    if args.list:
        for name, check in CHECKS.items():
            doc = (check.__doc__ or "").strip().splitlines()[0]
            print(f"{name:<10}  {doc}")
        return 0
    only = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in only if n not in CHECKS]
    if unknown:
        print(f"imdms doctor: unknown check(s) {', '.join(unknown)}", file=sys.stderr)
        print("  what to do: see imdms doctor --list", file=sys.stderr)
        return 2
    ctx = DoctorContext(config_path=Path(args.config), timeout_s=args.timeout)
    if args.central:  # central/health.py: the same lines, for the collector's host
        from central.health import central_checks
        from config.loader import load_config
        from imdms.cli.doctor.migrations import check_migrations

        central_config = load_config(args.config, required=True)
        results = central_checks(central_config, args.timeout)
        results.append(check_migrations(central_config))
    else:
        results = run_checks(ctx, only)
    counts = {s.value.lower(): sum(r.status is s for r in results) for s in Status}
    failed = counts["fail"] > 0
    if args.json:
        print(json.dumps({"ok": not failed, "summary": counts,
                          "checks": [r.to_dict() for r in results]}, indent=2))
    else:
        width = max((len(r.name) for r in results), default=8)
        for result in results:
            print(result.line(width))
        print(f"doctor: {counts['pass']} pass, {counts['warn']} warn, {counts['fail']} fail, "
              f"{counts['skip']} skip")
    return 1 if failed else 0

"""`imdms report`: migration statistics report (central side).

    imdms report --from 2026-03-01 --to 2026-03-31 [--post MSU-BRIDGE] [--format csv|html|json]
                 [--by day|month] [--suppress-below N] [--public | --sensitive] [-o FILE]

Computed in SQL over collector.database; equal to records.stats.summarise on the same records.
--public always suppresses small cells (collector.suppress_below, or PUBLIC_SUPPRESS_BELOW when
that is 0); trafficking figures appear only with --sensitive (docs/statistics.md: who may).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from imdms.errors import ImdmsError

PUBLIC_SUPPRESS_BELOW = 5  # public tables' threshold when collector.suppress_below is 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from err


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "report", parents=[common], help="migration statistics report (central side)"
    )
    p.add_argument(
        "--from",
        dest="since",
        type=_day,
        required=True,
        metavar="YYYY-MM-DD",
        help="first local day (inclusive)",
    )
    p.add_argument(
        "--to",
        dest="until",
        type=_day,
        required=True,
        metavar="YYYY-MM-DD",
        help="last local day (inclusive)",
    )
    p.add_argument("--post", metavar="CODE", help="only this border post")
    p.add_argument(
        "--format",
        choices=("csv", "html", "json"),
        default="csv",
        help="output format (default csv)",
    )
    p.add_argument(
        "--by", choices=("day", "month"), default="day", help="period of the tables (default day)"
    )
    p.add_argument(
        "--suppress-below",
        type=int,
        metavar="N",
        help="blank cells under N persons (default collector.suppress_below; 0: off; with"
        f" --public at least 2, default {PUBLIC_SUPPRESS_BELOW} when the configured one is 0)",
    )
    audience = p.add_mutually_exclusive_group()
    audience.add_argument(
        "--public",
        action="store_true",
        help="for publication: small cells always suppressed, no trafficking figures",
    )
    audience.add_argument(
        "--sensitive",
        action="store_true",
        help="add the restricted trafficking indicator and referral section (anti-trafficking"
        " unit only; the file is written 0600)",
    )
    p.add_argument(
        "--utc-offset",
        type=int,
        default=None,
        metavar="MINUTES",
        help="local time of days and months, minutes from UTC (default 120, Lesotho)",
    )
    p.add_argument("--database", metavar="PATH|URL", help="override collector.database")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    p.add_argument(
        "--progress",
        action="store_true",
        help="draw the progress bar even when stderr is not a terminal",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from central.db import Database
    from central.render import ReportMeta, render
    from central.report import ProgressBar, sql_summary
    from config.loader import load_config
    from records.stats import DEFAULT_UTC_OFFSET_MINUTES

    if args.until < args.since:
        raise ImdmsError(
            "--to is before --from", "give the first day with --from and the last with --to"
        )
    cfg = load_config(args.config, required=args.database is None)
    database = args.database or cfg.collector.database
    if "://" not in database and not Path(database).exists():
        raise ImdmsError(
            f"no central database at {database}",
            "run `imdms collect` first, or pass --database PATH",
        )
    threshold = cfg.collector.suppress_below if args.suppress_below is None else args.suppress_below
    if threshold < 0:
        raise ImdmsError("--suppress-below must be 0 or more", "use 0 to publish every cell")
    if args.public and threshold == 0 and args.suppress_below is None:
        threshold = PUBLIC_SUPPRESS_BELOW
    if args.public and threshold < 2:
        raise ImdmsError(
            f"--public needs small-cell suppression, but --suppress-below is {threshold}",
            "give --suppress-below 2 or more, or leave it out to use"
            f" collector.suppress_below (or {PUBLIC_SUPPRESS_BELOW})",
        )
    offset = DEFAULT_UTC_OFFSET_MINUTES if args.utc_offset is None else args.utc_offset
    db = Database(database, create=False)  # a report user may only read
    try:
        summary = sql_summary(
            db,
            by_post=args.post is None,
            period=args.by,
            since=args.since,
            until=args.until,
            border_post=args.post,
            utc_offset_minutes=offset,
            progress=ProgressBar("report", force=args.progress),
        )
    except Exception as err:
        if not db.is_db_error(err):
            raise
        raise ImdmsError(
            f"reading the central database failed: {db.describe(err)}",
            "check collector.database, that `imdms collect` has created the tables there, and"
            " that the database user may read them (GRANT SELECT)",
        ) from err
    finally:
        try:
            db.close()
        except Exception:  # the error above is the one to show
            pass
    meta = ReportMeta(
        args.since,
        args.until,
        args.post,
        args.by,
        threshold,
        offset,
        include_sensitive=args.sensitive,
        public=args.public,
    )
    text = render(summary, meta, args.format)
    if args.output:
        out = Path(args.output)
        mode = 0o600 if args.sensitive else 0o640
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        if args.sensitive:
            os.fchmod(fd, mode)  # an existing file keeps its mode on open: restrict it
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"imdms report: wrote {out} ({summary.persons} persons)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0

"""`imdms subject-access`: one person's records for a lawful request (central, audited).

    imdms subject-access --doc NUMBER [--issuer CODE] [--dob DATE] --reason TEXT --operator ID
                         --out FILE

Writes JSON (mode 0600: it holds the person's data) and an audit row; stderr says how many
records, never whose.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from imdms.cli.commands.audit import add_database, open_central
from imdms.errors import ImdmsError


def _dob(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as err:
        raise argparse.ArgumentTypeError("not a date YYYY-MM-DD") from err


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("subject-access", parents=[common],
                       help="export one person's records for a lawful request (audited)")
    p.add_argument("--doc", metavar="NUMBER", required=True, help="the document number")
    p.add_argument("--issuer", metavar="CODE", help="issuing state, ICAO 3 letters (e.g. LSO)")
    p.add_argument("--dob", metavar="YYYY-MM-DD", type=_dob, help="date of birth")
    p.add_argument("--reason", metavar="TEXT", help="the request (required, audited)")
    p.add_argument("--operator", metavar="ID", help="your officer id (required, audited)")
    p.add_argument("--out", metavar="FILE", type=Path, required=True,
                   help="the JSON file to write (0600)")
    add_database(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from central.subject_access import export
    from central.trace.audit import require

    operator, reason = require(args.operator, args.reason)
    if args.out.exists() and args.out.is_dir():
        raise ImdmsError(f"{args.out} is a directory", "give a file name, e.g. --out req.json")
    with open_central(args) as db:
        n = export(db, doc=args.doc, issuer=args.issuer, dob=args.dob, operator=operator,
                   reason=reason, out=args.out)
    print(f"imdms subject-access: {n} records written to {args.out} (audited)", file=sys.stderr)
    return 0

"""`imdms cases`: referral cases at the centre (audited; docs/tracing.md, "Case lifecycle").

    imdms cases list [--status S] [--json]
    imdms cases show CASE --reason TEXT --operator ID [--json]
    imdms cases set-status CASE STATUS --operator ID [--note TEXT]

`list` shows no personal data (ids, post, unit, status, notices) and, under "watchlist hits",
every hit the booths reported (newest 100: category, match kind, post, record, list entry, and
the case of that crossing if any); --json prints {"cases": [...], "hits": [...]}. It is logged
under the login name unless --operator is given; `show` prints the referred person and needs a
reason and an operator. Every call writes a row to the append-only case_audit table.
Exit codes: 0 done, 2 refused (missing reason, unknown case, a change the lifecycle forbids).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imdms.errors import ImdmsError

if TYPE_CHECKING:
    from central.db import Database

STATUSES = ("received", "contacted", "interviewed", "identified", "not_a_victim", "closed")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("cases", parents=[common], help="referral cases (central, audited)")
    actions = p.add_subparsers(dest="cases_cmd", metavar="ACTION", required=True)
    ls = actions.add_parser("list", parents=[common], help="cases and their notices")
    ls.add_argument("--status", metavar="S", help="only cases in this status: "
                    + ", ".join(STATUSES))
    ls.add_argument("--json", action="store_true", help="JSON instead of a table")
    ls.add_argument("--operator", metavar="ID", help="your officer id (default: login name)")
    ls.set_defaults(func=run_list)
    show = actions.add_parser("show", parents=[common], help="one case with the person")
    show.add_argument("case", metavar="CASE", help="case id, e.g. TIP-7K3MQ-9XA2B")
    show.add_argument("--reason", metavar="TEXT", help="why you look (required, audited)")
    show.add_argument("--operator", metavar="ID", help="your officer id (required, audited)")
    show.add_argument("--json", action="store_true", help="JSON instead of text")
    show.set_defaults(func=run_show)
    st = actions.add_parser("set-status", parents=[common], help="record a step of the case")
    st.add_argument("case", metavar="CASE", help="case id")
    st.add_argument("status", metavar="STATUS", help=" -> ".join(STATUSES[:4])
                    + " | not_a_victim -> closed")
    st.add_argument("--operator", metavar="ID", help="your officer id (required, audited)")
    st.add_argument("--note", metavar="TEXT", help="what happened (needed to close early)")
    st.set_defaults(func=run_set_status)
    for q in (ls, show, st):
        q.add_argument("--database", metavar="PATH|URL", help="override collector.database")


@contextmanager
def _open(args: argparse.Namespace) -> Iterator[Database]:
    from central.cases.schema import ensure_schema
    from central.db import Database
    from config.loader import load_config

    database = args.database or load_config(args.config, required=True).collector.database
    if "://" not in database and not Path(database).exists():
        raise ImdmsError(f"no central database at {database}",
                         "run `imdms collect` first, or pass --database PATH")
    db = Database(database, create=False)
    try:
        ensure_schema(db)
        yield db
    except Exception as err:
        if not db.is_db_error(err):
            raise
        raise ImdmsError(f"the central database refused: {db.describe(err)}",
                         "check collector.database and that this user may use the case tables"
                         ) from err
    finally:
        try:
            db.close()
        except Exception:  # noqa: S110 - the error above is the one to show
            pass


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows) + "\n"


def render_list(cases: list[dict[str, Any]], hits: list[dict[str, Any]] | None = None) -> str:
    out = "no case\n"
    if cases:
        rows = [["case", "opened (UTC)", "post", "unit", "status", "updated by", "notified",
                 "hits"]]
        rows += [[c["case_id"], c["opened_at"][:19], c["border_post"], c["unit"], c["status"],
                  c["updated_by"], c["notified"], ", ".join(c.get("hits") or []) or "-"]
                 for c in cases]
        out = _table(rows)
    if hits is None:
        return out
    if not hits:
        return out + "\nwatchlist hits: none\n"
    rows = [["hit (UTC)", "category", "match", "post", "terminal", "record", "entry", "list",
             "case"]]
    rows += [[h["occurred_at"][:19], h["category"], h["match"], h["border_post"],
              h["terminal_id"], h["record_id"], h["entry_id"], h["list_version"],
              h["case_id"] or "-"] for h in hits]
    return out + "\nwatchlist hits (newest first):\n" + _table(rows)


def render_case(case: dict[str, Any]) -> str:
    p = case["person"]
    lines = [
        f"case {case['case_id']}  {case['status']}  unit {case['unit']}",
        f"  crossing {case['crossed_at']} at {case['border_post']} (terminal "
        f"{case['terminal_id']}), record {case['record_id']}",
        f"  person: {p.get('surname') or '?'}, {p.get('given_names') or '?'}; sex "
        f"{p.get('sex')}; born {p.get('date_of_birth') or '?'} (age {p.get('age_at_crossing')})"
        f"; nationality {p.get('nationality') or '?'}",
        f"  document: {p.get('document_type')} {p.get('issuing_state') or ''} "
        f"{p.get('document_number') or '-'}; {p.get('direction')}, {p.get('decision')}",
        f"  indicators: {', '.join(p.get('tip_indicators') or []) or '-'}",
        f"  officer's note: {p.get('tip_note') or '-'}",
        "  history:",
    ]
    lines += [f"    {e['at'][:19]}  {e['from'] or '-'} -> {e['to']}  by {e['operator']}"
              + (f": {e['note']}" if e["note"] else "") for e in case["events"]]
    lines.append("  notices:")
    lines += [f"    {n['channel']} {n['target']}: {n['state']} after {n['attempts']} tries"
              + (f" ({n['last_error']})" if n["last_error"] else "") for n in case["notices"]]
    return "\n".join(lines) + "\n"


def run_list(args: argparse.Namespace) -> int:
    from central.cases.lifecycle import parse_status
    from central.cases.store import case_list

    status = parse_status(args.status) if args.status else None
    operator = (args.operator or "").strip() or getpass.getuser()
    with _open(args) as db:
        cases, hits = case_list(db, operator, status)
    if args.json:
        json.dump({"cases": cases, "hits": hits}, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_list(cases, hits))
    return 0


def run_show(args: argparse.Namespace) -> int:
    from central.cases.store import show

    with _open(args) as db:
        case = show(db, args.case, operator=args.operator, reason=args.reason)
    if args.json:
        json.dump(case, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_case(case))
    return 0


def run_set_status(args: argparse.Namespace) -> int:
    from central.cases.lifecycle import parse_status
    from central.cases.store import set_status

    new = parse_status(args.status)
    with _open(args) as db:
        cid, old = set_status(db, args.case, new, operator=args.operator, note=args.note)
    sys.stdout.write(f"case {cid}: {old.value} -> {new.value}\n")
    return 0

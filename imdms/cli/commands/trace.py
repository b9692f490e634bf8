"""`imdms trace`: a person's movement history across posts (central side, audited).

    imdms trace (--doc ISSUER:NUMBER[:DOB] | --name NAME --dob DATE | --record ID | --group ID)
                --reason TEXT --operator ID [--json] [--photos DIR]
    imdms trace --reindex                       rebuild the person index from the records
    imdms trace flags --from DATE --to DATE     entry/exit flag counts (aggregates only)
    imdms trace link list --person ID --reason TEXT --operator ID
    imdms trace link confirm|split LINK --reason TEXT --operator ID

Every query and link decision is written to the append-only trace_audit table.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imdms.errors import ImdmsError

if TYPE_CHECKING:
    from central.db import Database


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from err


def _who(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reason", metavar="TEXT", help="why you look (required, audited)")
    p.add_argument("--operator", metavar="ID", help="your officer id (required, audited)")
    p.add_argument("--database", metavar="PATH|URL", help="override collector.database")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "trace", parents=[common], help="a person's crossings across posts (central, audited)"
    )
    what = p.add_mutually_exclusive_group()
    what.add_argument("--doc", metavar="ISSUER:NUMBER[:DOB]", help="by document")
    what.add_argument("--name", metavar="NAME", help="by name (any order; needs --dob)")
    what.add_argument("--record", metavar="ID", help="the person of one crossing record")
    what.add_argument("--group", metavar="ID", help="every member of a travelling group")
    what.add_argument("--reindex", action="store_true", help="rebuild the person index")
    p.add_argument("--dob", metavar="YYYY-MM-DD|YYYY", help="date or year of birth")
    p.add_argument("--json", action="store_true", help="JSON instead of a table")
    p.add_argument("--photos", metavar="DIR", type=Path,
                   help="also write the crossings' photos there (JPEG, 0600; audited)")
    _who(p)
    p.set_defaults(func=run, trace_cmd=None)
    actions = p.add_subparsers(dest="trace_cmd", metavar="ACTION")
    f = actions.add_parser("flags", parents=[common], help="flag counts over a period")
    f.add_argument("--from", dest="since", type=_day, required=True, metavar="YYYY-MM-DD")
    f.add_argument("--to", dest="until", type=_day, required=True, metavar="YYYY-MM-DD")
    f.add_argument("--json", action="store_true", help="JSON instead of a table")
    f.add_argument("--database", metavar="PATH|URL", help="override collector.database")
    f.set_defaults(func=run_flags)
    link = actions.add_parser("link", parents=[common], help="a supervisor's link decisions")
    link.add_argument("decision", choices=("list", "confirm", "split"))
    link.add_argument("link", nargs="?", type=int, metavar="LINK", help="link number")
    link.add_argument("--person", metavar="ID", help="list: the person whose links to show")
    _who(link)
    link.set_defaults(func=run_link)


@contextmanager
def _open(args: argparse.Namespace) -> Iterator[Database]:
    from central.db import Database
    from config.loader import load_config

    database = args.database or load_config(args.config, required=True).collector.database
    if "://" not in database and not Path(database).exists():
        raise ImdmsError(
            f"no central database at {database}",
            "run `imdms collect` first, or pass --database PATH",
        )
    db = Database(database, create=False)
    try:
        yield db
    except Exception as err:
        if not db.is_db_error(err):
            raise
        raise ImdmsError(
            f"the central database refused: {db.describe(err)}",
            "check collector.database and that this user may write the trace_* tables",
        ) from err
    finally:
        try:
            db.close()
        except Exception:  # the error above is the one to show
            pass


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return (
        "\n".join(
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
        )
        + "\n"
    )


def render_table(people: list[Any]) -> str:
    if not people:
        return "no person found\n"
    parts = []
    for p in people:
        docs = ", ".join(p.documents) or "no document"
        head = f"person {p.person_id} ({len(p.crossings)} crossings; {docs})\n"
        rows = [
            [
                "time (UTC)",
                "dir",
                "post",
                "clock",
                "companions",
                "referral",
                "watchlist",
                "flags",
                "photo",
                "record",
            ]
        ]
        for c in p.crossings:
            d = c.to_dict()
            comp = ", ".join(f"{x['relation']} {x['person_id']}" for x in c.companions)
            rows.append(
                [
                    d["at"],
                    c.direction,
                    c.post,
                    c.clock,
                    comp or "-",
                    "-" if c.referral == "NONE" else c.referral,
                    c.watchlist,
                    ",".join(c.flags) or "-",
                    ",".join(c.photos) or "-",
                    c.record_id,
                ]
            )
        parts.append(head + _table(rows))
    return "\n".join(parts)


def run(args: argparse.Namespace) -> int:
    from central.trace.audit import require
    from central.trace.index import refresh
    from central.trace.search import Query, trace

    if args.reindex:
        with _open(args) as db:
            n = refresh(db, full=True)
        print(f"imdms trace: indexed {n} crossings", file=sys.stderr)
        return 0
    if args.dob and not args.name:
        raise ImdmsError("--dob goes with --name", 'for example --name "Lerato Mokoena" --dob 1990')
    require(args.operator, args.reason)
    q = Query(doc=args.doc, name=args.name, dob=args.dob, record=args.record, group=args.group)
    with _open(args) as db:
        people = trace(db, q, operator=args.operator, reason=args.reason)
        if args.photos is not None:
            from central.trace.photos import export_photos

            files = export_photos(db, people, args.photos, operator=args.operator,
                                  reason=args.reason)
            print(f"imdms trace: {len(files)} photos written to {args.photos}", file=sys.stderr)
    if args.json:
        sys.stdout.write(json.dumps([p.to_dict() for p in people], indent=2) + "\n")
    else:
        sys.stdout.write(render_table(people))
    return 0


def run_flags(args: argparse.Namespace) -> int:
    from central.trace.flags import FLAGS, flag_counts
    from central.trace.index import refresh

    if args.until < args.since:
        raise ImdmsError(
            "--to is before --from", "give the first day with --from, the last with --to"
        )
    with _open(args) as db:
        refresh(db)
        counts = flag_counts(db, args.since, args.until)
    if args.json:
        out = {
            "from": str(args.since),
            "to": str(args.until),
            "persons_seen": counts.persons_seen,
            "crossings": counts.events,
            "persons": counts.persons,
        }
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0
    rows = [["flag", "crossings", "persons"]]
    rows += [[f, str(counts.events[f]), str(counts.persons[f])] for f in FLAGS]
    sys.stdout.write(f"{args.since} to {args.until}: {counts.persons_seen} persons crossed\n")
    sys.stdout.write(_table(rows))
    return 0


def run_link(args: argparse.Namespace) -> int:
    from central.trace import links
    from central.trace.audit import record_access, require

    operator, reason = require(args.operator, args.reason)
    with _open(args) as db:
        if args.decision == "list":
            if not args.person:
                raise ImdmsError("link list needs --person ID", "take the id from `imdms trace`")
            found = links.list_links(db, args.person)
            record_access(
                db,
                operator=operator,
                reason=reason,
                action="link-list",
                params={"person": args.person},
                result_count=len(found),
            )
            db.commit()
            sys.stdout.write(json.dumps(found, indent=2) + "\n")
            return 0
        if args.link is None:
            raise ImdmsError(
                f"link {args.decision} needs a LINK number",
                "see `imdms trace link list --person ID`",
            )
        act: Callable[..., Any] = links.confirm if args.decision == "confirm" else links.split
        result = act(db, args.link, operator=operator, reason=reason)
    done = "confirmed" if args.decision == "confirm" else "split"
    print(f"imdms trace: link {args.link} {done}; person ids now: {result}", file=sys.stderr)
    return 0

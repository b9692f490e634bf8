"""`imdms watchlist`: the centre's signed national watchlist (docs/tracing.md, Watchlist).

    imdms watchlist publish FILE [--operator ID]      the national entries (JSON or CSV)
    imdms watchlist import-sltd FILE [--operator ID]  an Interpol SLTD-style export (CSV)
    imdms watchlist republish                         send the latest version again
    imdms watchlist show [--json]                     version and counts (no entries)
    imdms watchlist hits [--record ID] [--limit N] [--json]   hits reported by the booths

publish and import-sltd make version N+1 from the stored version N (each replaces only its
own source's entries), sign it with the [watchlist] signing_key_credential key and publish the
delta and the retained full list to [broker].
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imdms.errors import ImdmsError

if TYPE_CHECKING:
    from nacl.signing import SigningKey

    from central.db import Database
    from config.models import Config

KEY_HINT = ("make the key once: `openssl genpkey -algorithm ed25519 -out watchlist.key`, "
            "install it as the credential named by [watchlist] signing_key_credential, and "
            "give the booths `openssl pkey -in watchlist.key -pubout` as watchlist.pub")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("watchlist", parents=[common],
                       help="publish the signed national watchlist (central)")
    p.set_defaults(func=lambda _a: p.print_help() or 2)
    actions = p.add_subparsers(dest="watchlist_cmd", metavar="ACTION")
    for name, helptext, func in (
        ("publish", "sign and publish the national entries of FILE (JSON or CSV)", run_publish),
        ("import-sltd", "replace the SLTD entries with an SLTD-style export FILE (CSV)",
         run_import),
    ):
        a = actions.add_parser(name, parents=[common], help=helptext)
        a.add_argument("file", type=Path, metavar="FILE")
        a.add_argument("--operator", metavar="ID", help="who publishes (default: login name)")
        a.add_argument("--database", metavar="PATH|URL", help="override collector.database")
        a.set_defaults(func=func)
    r = actions.add_parser("republish", parents=[common], help="send the latest version again")
    r.add_argument("--database", metavar="PATH|URL", help="override collector.database")
    r.set_defaults(func=run_republish)
    s = actions.add_parser("show", parents=[common], help="the current version and counts")
    s.add_argument("--json", action="store_true", help="JSON instead of text")
    s.add_argument("--database", metavar="PATH|URL", help="override collector.database")
    s.set_defaults(func=run_show)
    h = actions.add_parser("hits", parents=[common], help="hits reported by the booths")
    h.add_argument("--record", metavar="ID", help="only the hits of this crossing record")
    h.add_argument("--limit", type=int, default=50, metavar="N", help="newest N (default 50)")
    h.add_argument("--json", action="store_true", help="JSON instead of a table")
    h.add_argument("--database", metavar="PATH|URL", help="override collector.database")
    h.set_defaults(func=run_hits)


def _config(args: argparse.Namespace) -> Config:
    from config.loader import load_config

    return load_config(args.config, required=bool(getattr(args, "config_given", False)))


@contextmanager
def _open(args: argparse.Namespace, config: Config, *, create: bool = True
          ) -> Iterator[Database]:
    from central.db import Database

    database = args.database or config.collector.database
    if not create and "://" not in database and not Path(database).exists():
        raise ImdmsError(f"no central database at {database}",
                         "publish a list first, or pass --database PATH")
    db = Database(database, create=create)
    try:
        yield db
    except Exception as err:
        if not db.is_db_error(err):
            raise
        raise ImdmsError(f"the central database refused: {db.describe(err)}",
                         "check collector.database and that this user may write the "
                         "watchlist_* tables") from err
    finally:
        db.close()


def _signing_key(config: Config) -> SigningKey:
    from config.loader import credential
    from messaging.export_file import signing_key_from_pem
    from messaging.seal import SealError

    name = config.watchlist.signing_key_credential
    text = credential(name)
    if text is None:
        raise ImdmsError(f"the watchlist signing key credential {name} is missing", KEY_HINT)
    try:
        return signing_key_from_pem(text)
    except SealError as err:
        raise ImdmsError(f"signing key credential {name}: {err.message}", KEY_HINT) from err


def _publish(args: argparse.Namespace, source: str) -> int:
    from central.watchlist.publish import prepare, send
    from central.watchlist.sltd import read_sltd
    from central.watchlist.source import read_entries

    config = _config(args)
    key = _signing_key(config)
    entries = read_sltd(args.file) if source == "sltd" else read_entries(args.file)
    operator = args.operator or os.environ.get("SUDO_USER") or getpass.getuser()
    with _open(args, config) as db:
        try:
            done = prepare(db, source, entries, key, operator=operator)
        except ValueError as err:
            raise ImdmsError(f"{args.file}: {err}", "give the entries their own ids") from err
        if done is None:
            from central.watchlist.store import current

            print(f"no change: version {current(db)[0]} stands ({len(entries)} {source} "
                  "entries)")
            return 0
    send(config.broker, done.full, done.delta)
    print(f"watchlist version {done.version} published: {len(done.entries)} entries "
          f"({len(done.change.upsert)} added or changed, {len(done.change.remove)} removed)")
    return 0


def run_publish(args: argparse.Namespace) -> int:
    return _publish(args, "national")


def run_import(args: argparse.Namespace) -> int:
    return _publish(args, "sltd")


def run_republish(args: argparse.Namespace) -> int:
    from central.watchlist.publish import latest, send

    config = _config(args)
    with _open(args, config) as db:
        found = latest(db)
    if found is None:
        raise ImdmsError("no watchlist version is stored", "run `imdms watchlist publish FILE`")
    send(config.broker, found[1], found[2])
    print(f"watchlist version {found[0]} sent again")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from central.watchlist.store import current

    config = _config(args)
    with _open(args, config, create=False) as db:
        version, entries = current(db)
    counts = {"by_category": dict(Counter(e.category.value for e in entries)),
              "by_source": dict(Counter(e.source for e in entries))}
    summary: dict[str, Any] = {"version": version, "entries": len(entries), **counts}
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        print(f"version {version}: {len(entries)} entries")
        for group in counts.values():
            for name, count in sorted(group.items()):
                print(f"  {name:<24} {count}")
    return 0


def run_hits(args: argparse.Namespace) -> int:
    from central.watchlist.hits import list_hits

    config = _config(args)
    with _open(args, config, create=False) as db:
        hits = list_hits(db, limit=args.limit, record_id=args.record)
    if args.json:
        print(json.dumps(hits, sort_keys=True))
        return 0
    cols = ("occurred_at", "category", "match", "border_post", "terminal_id", "record_id",
            "entry_id", "list_version")
    rows = [list(cols)] + [[h[c] for c in cols] for h in hits]
    widths = [max(len(r[i]) for r in rows) for i in range(len(cols))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return 0

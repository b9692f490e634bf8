"""`imdms audit`: the central hash-chained audit log (central/audit/).

    imdms audit verify [--head FILE]   walk the chain: exit 0 and the count, or exit 1 and the
                                       first broken row; --head: a head saved earlier must
                                       still be in the chain (a truncated tail is detected)
    imdms audit head [--out FILE]      the last row's seq and hash, to keep off this host

Neither prints personal data: rows are named by their seq only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imdms.errors import ImdmsError

if TYPE_CHECKING:
    from central.db import Database


def add_database(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database", metavar="PATH|URL", help="override collector.database")


@contextmanager
def open_central(args: argparse.Namespace) -> Iterator[Database]:
    """The central store of --database or [collector] database; database errors become
    ImdmsError with the server's reason (shared by audit, purge and subject-access)."""
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
            "check collector.database and that this user may use the audit_log table",
        ) from err
    finally:
        try:
            db.close()
        except Exception:  # the error above is the one to show
            pass


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("audit", parents=[common], help="check the central audit log's chain")
    actions = p.add_subparsers(dest="audit_cmd", metavar="ACTION", required=True)
    v = actions.add_parser("verify", parents=[common], help="walk the hash chain")
    v.add_argument("--head", metavar="FILE", type=Path,
                   help="a head saved by `imdms audit head`: it must still be in the chain")
    add_database(v)
    v.set_defaults(func=run_verify)
    h = actions.add_parser("head", parents=[common], help="the chain's last seq and hash")
    h.add_argument("--out", metavar="FILE", type=Path, help="write it here (default: stdout)")
    add_database(h)
    h.set_defaults(func=run_head)


def _saved_head(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
        if isinstance(data, dict) and isinstance(data["seq"], int) and isinstance(
            data["hash"], str
        ):
            return data
    except (OSError, ValueError, KeyError) as err:
        raise ImdmsError(f"cannot read the saved head {path}: {err.__class__.__name__}",
                         "give a file written by `imdms audit head --out FILE`") from err
    raise ImdmsError(f"{path} is not a saved head",
                     "give a file written by `imdms audit head --out FILE`")


def run_verify(args: argparse.Namespace) -> int:
    from central.audit.verify import verify

    saved = _saved_head(args.head) if args.head else None
    with open_central(args) as db:
        verdict = verify(db, saved)
    if verdict.ok:
        span = f" (seq {verdict.first_seq} to {verdict.last_seq})" if verdict.count else ""
        rows = "row" if verdict.count == 1 else "rows"
        print(f"audit log intact: {verdict.count} {rows}{span}")
        return 0
    print(f"audit log BROKEN at seq {verdict.broken_seq}: {verdict.problem}", file=sys.stderr)
    print(f"  {verdict.count} rows before it are intact", file=sys.stderr)
    return 1


def run_head(args: argparse.Namespace) -> int:
    from central.audit.verify import head

    with open_central(args) as db:
        text = json.dumps(head(db), sort_keys=True) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    tmp = args.out.with_name(args.out.name + ".tmp")
    try:
        tmp.write_text(text)
        os.replace(tmp, args.out)  # whole or not at all: a torn head would fail every verify
    except OSError as err:
        raise ImdmsError(f"cannot write {args.out}: {err.strerror}",
                         "choose a writable path for --out") from err
    return 0

"""`imdms console`: the headquarters web console (Django, central side).

    imdms console [--bind HOST:PORT] [--workers N] [--tls-cert PEM --tls-key PEM]
                                                       serve with gunicorn (collector.database)
    imdms console --demo [--bind HOST:PORT] [--records N] [--data-dir DIR]
                                                       sample data in a temp SQLite, a login
                                                       per role
    imdms console migrate                              create/upgrade the tables (one schema with
                                                       the collector's), collect static files
    imdms console warm [--rebuild]                     refresh the per-day statistics roll-up
                                                       (changed days; all with --rebuild) and
                                                       recompute the default statistics views
    imdms console user NAME --role ROLE [--totp]       add or update a user (password on stdin)

The database is collector.database (or --database); the secret key the systemd credential
console-secret-key or IMDMS_CONSOLE_SECRET (console/settings.py lists the variables).
"""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn

from imdms.errors import ImdmsError

ROLES = ("analyst", "trafficking", "supervisor", "administrator")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("console", parents=[common], help="headquarters web console (central)")
    p.add_argument("--database", metavar="PATH|URL", help="override collector.database")
    p.add_argument("--bind", default="127.0.0.1:8000", metavar="HOST:PORT", help="listen here")
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (2)")
    p.add_argument("--tls-cert", metavar="PATH", help="serve HTTPS with this certificate (PEM)")
    p.add_argument("--tls-key", metavar="PATH", help="... and this private key (PEM)")
    p.add_argument("--demo", action="store_true", help="serve sample data from a temp SQLite")
    p.add_argument("--records", type=int, default=3000, help="sample crossings with --demo")
    p.add_argument("--data-dir", metavar="DIR", help="--demo: keep the demo database here")
    p.set_defaults(func=run, console_cmd=None)
    actions = p.add_subparsers(dest="console_cmd", metavar="ACTION")
    m = actions.add_parser("migrate", parents=[common], help="create or upgrade the tables")
    m.add_argument("--database", metavar="PATH|URL", help="override collector.database")
    w = actions.add_parser(
        "warm", parents=[common], help="recompute the default statistics views (timer)"
    )
    w.add_argument("--database", metavar="PATH|URL", help="override collector.database")
    w.add_argument("--rebuild", action="store_true", help="recompute every day of the roll-up")
    u = actions.add_parser("user", parents=[common], help="add or update a console user")
    u.add_argument("name")
    u.add_argument("--role", choices=ROLES, required=True)
    u.add_argument("--totp", action="store_true", help="require a TOTP code (prints the secret)")
    u.add_argument("--database", metavar="PATH|URL", help="override collector.database")


def _environment(args: argparse.Namespace, database: str | None = None) -> None:
    if args.config_given or os.path.exists(args.config):
        os.environ["IMDMS_CONFIG"] = args.config
    db = database or args.database
    if db:
        os.environ["IMDMS_CONSOLE_DATABASE"] = db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")


def _django() -> None:
    try:
        import django
    except ImportError as err:
        raise ImdmsError(
            "the console needs Django", "pip install 'imdms-terminal[central]'"
        ) from err
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as err:
        raise ImdmsError(str(err), "see docs/console.md, 'Running it'") from err


def migrate(static: bool = True) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)  # console_cache (statistics tables)
    if static:
        call_command("collectstatic", interactive=False, verbosity=0)


def _serve(bind: str, workers: int, cert: str | None = None, key: str | None = None) -> NoReturn:
    tls = ["--certfile", cert, "--keyfile", key] if cert and key else []
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "console.wsgi",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        # the request line carries query strings: the statistics filters only, never a
        # person (traces are POSTed)
        "--access-logformat",
        '%(h)s "%(m)s %(U)s" %(s)s %(L)ss',
        *tls,
    ]
    sys.stdout.flush()
    sys.stderr.flush()
    # gunicorn takes this process's PID: systemd and the tests stop the server by it
    os.execv(sys.executable, cmd)


def _demo(args: argparse.Namespace) -> int:
    base = Path(args.data_dir or tempfile.mkdtemp(prefix="imdms-console-demo-"))
    base.mkdir(parents=True, exist_ok=True)
    secret = base / "secret-key"
    if not secret.exists():
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    database = args.database or str(base / "central.sqlite3")
    os.environ.update(
        IMDMS_CONSOLE_SECRET=str(secret),
        IMDMS_CONSOLE_HTTP="1",  # plain HTTP on loopback: a demo, not a deployment
        IMDMS_CONSOLE_STATIC_ROOT=str(base / "static"),
    )
    _environment(args, database)
    from console.demo import DEMO_PASSWORD, ROLE_USERS, TRACED_DOC, load

    fresh = not (base / "loaded").exists()
    if fresh:
        load(database, args.records)
        (base / "loaded").touch()
    _django()
    migrate()
    from console.demo import heartbeats, make_users

    make_users()
    if fresh:
        from central.db import Database
        from console.demo_cases import load_cases
        from console.rollup import refresh

        heartbeats(database)
        load_cases(database)
        db = Database(database, create=False)
        try:
            refresh(db)  # the statistics page sums the per-day roll-up
        finally:
            db.close()
    host, _, port = args.bind.rpartition(":")
    print(f"IMDMS console demo: http://{host or '127.0.0.1'}:{port}/")
    print(f"  database {database}")
    for role, name in ROLE_USERS.items():
        print(f"  {role:<14} user {name:<14} password {DEMO_PASSWORD}")
    print(f"  try a trace of {TRACED_DOC}; Ctrl-C stops")
    sys.stdout.flush()
    return _serve(args.bind, args.workers)


def run(args: argparse.Namespace) -> int:
    if args.console_cmd is None and args.demo:
        return _demo(args)
    _environment(args)
    _django()
    if args.console_cmd == "migrate":
        migrate()
        print("imdms console: tables migrated, static files collected", file=sys.stderr)
        return 0
    if args.console_cmd == "warm":
        from console.operations import terminals
        from console.tables_cache import warm

        n, done = warm(sorted({t.border_post for t in terminals()}), rebuild=args.rebuild)
        print(
            f"imdms console: roll-up {done.days} days recomputed in {done.seconds:.1f} s"
            f"{' (rebuilt)' if done.rebuilt else ''}; {n} statistics views computed",
            file=sys.stderr,
        )
        return 0
    if args.console_cmd == "user":
        from console.accounts import create_user

        if sys.stdin.isatty():
            password = getpass.getpass(f"password for {args.name}: ")
        else:
            password = sys.stdin.readline().rstrip("\n")
        secret = create_user(args.name, password, args.role, totp=args.totp)
        print(f"imdms console: user {args.name} has the role {args.role}", file=sys.stderr)
        if secret:
            print(f"TOTP secret (add it to the authenticator app): {secret}")
        return 0
    if bool(args.tls_cert) != bool(args.tls_key):
        raise ImdmsError("--tls-cert and --tls-key go together", "give both, or neither")
    return _serve(args.bind, args.workers, args.tls_cert, args.tls_key)

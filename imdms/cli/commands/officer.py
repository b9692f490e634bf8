"""`imdms officer add ID | list | remove ID`: manage officer ids and hashed PINs.

The officers file is `[terminal] officers_file` in the config (default
/etc/imdms/officers.toml), or `--file PATH`. `add` prompts for the PIN twice without echo;
`--pin-stdin` reads it from standard input (provisioning scripts).

At the centre (`--central`, or the centre-only verbs): `imdms officer --central add ID
[--role supervisor] | list`, `imdms officer revoke ID`, `imdms officer publish`. They manage
`[directory] store_file`; `publish` signs it with the `[directory] signing_key_credential`
Ed25519 key and publishes it retained on `<prefix>/officers`, where every booth applies it.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from imdms.errors import ConfigError


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("officer", parents=[common], help="manage officer ids and PINs")
    p.add_argument("--file", metavar="PATH", help="officers file (default: from the config)")
    p.add_argument("--central", action="store_true",
                   help="the centre's officer directory ([directory] store_file), not a booth's")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = verbs.add_parser(
        "add", parents=[common], help="add an officer or change their PIN (prompts for the PIN)"
    )
    add.add_argument("officer_id", metavar="ID", help="pseudonymous officer id, e.g. msu-017")
    add.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input")
    add.add_argument("--role", action="append", choices=("officer", "supervisor"),
                     help="with --central: a role (repeatable; default officer)")
    verbs.add_parser("list", parents=[common], help="list officer ids")
    rm = verbs.add_parser("remove", parents=[common], help="remove an officer")
    rm.add_argument("officer_id", metavar="ID")
    rv = verbs.add_parser("revoke", parents=[common],
                          help="centre: revoke an officer in the directory (then publish)")
    rv.add_argument("officer_id", metavar="ID")
    rv.add_argument("--no-publish", action="store_true", help="record only; publish later")
    verbs.add_parser("publish", parents=[common],
                     help="centre: sign the officer directory and publish it to every booth")
    p.set_defaults(func=run)


def _officers_file(args: argparse.Namespace) -> Path:
    if args.file:
        return Path(args.file)
    from config.loader import load_config

    return load_config(args.config, required=True).terminal.officers_file


def _read_pin(args: argparse.Namespace) -> str:
    if args.pin_stdin:
        return sys.stdin.readline().strip()
    try:
        first = getpass.getpass("PIN (4-12 digits): ")
        second = getpass.getpass("PIN again: ")
    except EOFError as err:
        raise ConfigError("no PIN was typed", "run it in a terminal, or use --pin-stdin") from err
    if first != second:
        raise ConfigError("the two PINs differ", "run the command again and type the same PIN")
    return first


def run(args: argparse.Namespace) -> int:
    from terminal.officers import OfficerStore, check_officer_id, check_pin

    if args.central or args.verb in ("revoke", "publish"):
        from imdms.cli.commands._directory import run_central

        return run_central(args, _read_pin)
    store = OfficerStore(_officers_file(args))
    if args.verb == "list":
        if not store.path.exists():
            print(f"imdms officer: no officers file at {store.path}", file=sys.stderr)
            print("  what to do: add the first officer with `imdms officer add ID`, or check "
                  "[terminal] officers_file / --file", file=sys.stderr)
            return 1
        officers = store.load()
        if not officers:
            print(f"imdms officer: no officers in {store.path}", file=sys.stderr)
        for officer in sorted(officers.values(), key=lambda o: o.officer_id):
            print(f"{officer.officer_id}\tadded {officer.added_at or '?'}")
        return 0
    officer_id = check_officer_id(args.officer_id)
    if args.verb == "remove":
        if not store.remove(officer_id):
            print(f"imdms officer: no officer {officer_id!r} in {store.path}", file=sys.stderr)
            return 1
        print(f"removed {officer_id}")
        return 0
    pin = check_pin(_read_pin(args))
    store.add(officer_id, pin)
    print(f"officer {officer_id} saved in {store.path}")
    return 0

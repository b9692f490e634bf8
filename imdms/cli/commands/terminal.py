"""`imdms terminal`: run the officer booth UI.

`imdms terminal --demo` needs no config file and no broker: the simulator reader (F2 presents
the next specimen), a local outbox in the demo folder, and the demo officer (id "demo", PIN
shown on the sign-in screen).

At the centre: `imdms terminal register ID CERT`, `imdms terminal revoke ID [--reason TEXT]`
(records it and rewrites the CRL the broker checks), `imdms terminal crl`, `imdms terminal
list` (imdms/cli/commands/_directory.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "terminal",
        parents=[common],
        help="run the officer booth UI (--demo: simulated reader, local outbox)",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="simulated reader, local outbox, demo officer; no config file or broker needed",
    )
    p.add_argument(
        "--demo-dir",
        metavar="DIR",
        help="--demo data folder (default: $XDG_DATA_HOME/imdms-demo, ~/.local/share/...)",
    )
    verbs = p.add_subparsers(dest="verb", metavar="VERB")  # none: the booth UI
    reg = verbs.add_parser("register", parents=[common],
                           help="centre: record a terminal's client certificate")
    reg.add_argument("terminal_id", metavar="ID")
    reg.add_argument("cert", metavar="CERT", help="the terminal's client certificate (PEM)")
    rv = verbs.add_parser("revoke", parents=[common],
                          help="centre: revoke a terminal (e.g. stolen) and rewrite the CRL")
    rv.add_argument("terminal_id", metavar="ID")
    rv.add_argument("--reason", help="why (kept in the registry), e.g. stolen")
    verbs.add_parser("crl", parents=[common], help="centre: rewrite the CRL (before it expires)")
    verbs.add_parser("list", parents=[common], help="centre: registered terminals")
    p.set_defaults(func=run)


def _screen_streams() -> bool:
    """Make sure Textual can draw on the terminal; False when there is none.

    Textual draws on the process's stderr (sys.__stderr__). With stderr redirected
    (`imdms terminal 2>booth.log`) but stdout on the terminal, fd 2 becomes the terminal for the
    screen and `sys.stderr` keeps the redirected file, so log lines still go there.
    """
    if not sys.stdin.isatty():
        return False
    if sys.stderr.isatty():
        return True
    if not sys.stdout.isatty():
        return False
    sys.stderr.flush()
    log_fd = os.dup(2)
    os.dup2(sys.stdout.fileno(), 2)
    sys.stderr = os.fdopen(log_fd, "w", encoding="utf-8", errors="replace", buffering=1)
    return True


def run(args: argparse.Namespace) -> int:
    if getattr(args, "verb", None):
        from imdms.cli.commands._directory import run_terminal_verb

        return run_terminal_verb(args)
    config = None
    if not args.demo:
        from config.loader import load_config

        config = load_config(args.config, required=True)
    if not _screen_streams():
        print(
            "imdms terminal: needs a terminal (it is the officer's screen)",
            file=sys.stderr,
        )
        print("  what to do: run it on the booth's console or in a terminal window "
              "(stdin and stdout or stderr on the terminal)", file=sys.stderr)
        return 2
    if config is None:
        from terminal.app import run_demo

        return run_demo(Path(args.demo_dir) if args.demo_dir else None)
    from imdms.cli import setup_logging
    from terminal.app import run_terminal

    setup_logging(config.logging.level, dict(config.logging.levels))
    return run_terminal(config)

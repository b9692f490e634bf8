"""`imdms terminal`: run the officer booth UI.

`imdms terminal --demo` needs no config file and no broker: the simulator reader (F2 presents
the next specimen), a local outbox in the demo folder, and the demo officer (id "demo", PIN
shown on the sign-in screen).
"""

from __future__ import annotations

import argparse
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
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not sys.stdin.isatty() or not sys.stderr.isatty():  # textual draws on stderr
        print(
            "imdms terminal: needs a terminal (it is the officer's screen)",
            file=sys.stderr,
        )
        print("  what to do: run it on the booth's console or in a terminal window",
              file=sys.stderr)
        return 2
    if args.demo:
        from terminal.app import run_demo

        return run_demo(Path(args.demo_dir) if args.demo_dir else None)
    from config.loader import load_config
    from imdms.cli import setup_logging
    from terminal.app import run_terminal

    config = load_config(args.config, required=True)
    setup_logging(config.logging.level, dict(config.logging.levels))
    return run_terminal(config)

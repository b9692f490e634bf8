"""`imdms`: one console script, one module per subcommand in imdms/commands/.

Each command module defines `register(sub)` which adds its parser and sets `func(args) -> int`.
Command modules keep heavy imports (textual, cv2, pyscard, paho) inside their functions so
`imdms --help` stays fast and works on a booth missing an optional extra.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from imdms import __version__
from imdms.errors import ImdmsError

COMMANDS = (
    "terminal",
    "read",
    "ocr",
    "chip",
    "mrz",
    "forward",
    "outbox",
    "config_cmd",
    "officer",
    "doctor",
    "collect",
    "report",
)
DEFAULT_CONFIG = "/etc/imdms/terminal.toml"
log = logging.getLogger(__name__)


def config_path_default() -> str:
    return os.environ.get("IMDMS_CONFIG", DEFAULT_CONFIG)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=config_path_default(),
        help="configuration file (default: $IMDMS_CONFIG or %(default)s)",
    )
    parser = argparse.ArgumentParser(
        prog="imdms",
        description="Border-post terminal of Lesotho's migration data system (IMDMS).",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"imdms {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"imdms.commands.{name}")
        module.register(sub, common)
    return parser


def setup_logging(level: str = "INFO", levels: dict[str, str] | None = None) -> None:
    """Log to stderr (journald under systemd). Never log personal data."""
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    for name, lvl in (levels or {}).items():
        logging.getLogger(name).setLevel(lvl)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        result: int = args.func(args)
        return result
    except ImdmsError as err:
        print(f"imdms {args.command}: {err.message}", file=sys.stderr)
        if err.hint:
            print(f"  what to do: {err.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())

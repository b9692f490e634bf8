"""`imdms`: one console script, one module per subcommand in imdms/cli/commands/.

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
from imdms.errors import ConfigError, ImdmsError

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
    "trace",
    "watchlist",
    "cases",
    "audit",
    "purge",
    "subject_access",
    "history",
    "console",
)
DEFAULT_CONFIG = "/etc/imdms/terminal.toml"
log = logging.getLogger(__name__)


def _add_config(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=default,
        help=f"configuration file (default: $IMDMS_CONFIG or {DEFAULT_CONFIG})",
    )


def build_parser() -> argparse.ArgumentParser:
    # Subcommands inherit --config with SUPPRESS: argparse copies a subparser's defaults over the
    # namespace, so a real default there would silently undo `imdms --config X COMMAND`.
    common = argparse.ArgumentParser(add_help=False)
    _add_config(common, argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="imdms",
        description="Border-post terminal of Lesotho's migration data system (IMDMS).",
    )
    _add_config(parser, None)
    parser.add_argument("--version", action="version", version=f"imdms {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"imdms.cli.commands.{name}")
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


def resolve_config(args: argparse.Namespace) -> None:
    """Set `args.config` (the path to use) and `args.config_given` (named by --config or
    $IMDMS_CONFIG, so it must exist; the built-in default may be absent on a laptop)."""
    given = args.config or os.environ.get("IMDMS_CONFIG")
    args.config_given = bool(given)
    args.config = given or DEFAULT_CONFIG


def _missing_config(args: argparse.Namespace) -> ConfigError | None:
    """A named config file that does not exist: every command refuses it (falling back to the
    defaults would act on another outbox or officer list), except `config validate`, which
    reports it itself."""
    if not args.config_given or os.path.exists(args.config):
        return None
    if args.command == "config" and getattr(args, "action", None) == "validate":
        return None
    return ConfigError(
        f"config file {args.config} does not exist",
        "check the path, or copy config/terminal.example.toml "
        "(/etc/imdms/terminal.toml.example on a booth) there",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    resolve_config(args)
    try:
        if (missing := _missing_config(args)) is not None:
            raise missing
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


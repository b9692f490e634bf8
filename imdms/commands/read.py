"""`imdms read`: read one document from the configured reader and print it as JSON."""

from __future__ import annotations

import argparse
from typing import Any

from imdms.commands._stub import not_built


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("read", parents=[common], help="read one document from the configured reader and print it as JSON")
    p.set_defaults(func=not_built("read", 3))

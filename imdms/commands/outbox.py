"""`imdms outbox`: inspect, export and import the local outbox."""

from __future__ import annotations

import argparse
from typing import Any

from imdms.commands._stub import not_built


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("outbox", parents=[common], help="inspect, export and import the local outbox")
    p.set_defaults(func=not_built("outbox", 8))

"""`imdms terminal`: run the officer booth UI (--demo: simulated reader, local outbox)."""

from __future__ import annotations

import argparse
from typing import Any

from imdms.commands._stub import not_built


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("terminal", parents=[common], help="run the officer booth UI (--demo: simulated reader, local outbox)")
    p.set_defaults(func=not_built("terminal", 4))

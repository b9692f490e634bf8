"""`imdms forward`: forward the outbox to the central MQTT broker (daemon)."""

from __future__ import annotations

import argparse
from typing import Any

from imdms.commands._stub import not_built


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("forward", parents=[common], help="forward the outbox to the central MQTT broker (daemon)")
    p.set_defaults(func=not_built("forward", 8))

"""Helpers for subcommands whose capability another open issue builds."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable


def not_built(what: str, issue: int) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        print(f"imdms: {what} is not built yet (issue {issue})", file=sys.stderr)
        return 3

    return run

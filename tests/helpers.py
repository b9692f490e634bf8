"""Waiting, for every test folder: poll a condition that has no event to wait on.

Prefer an event or a queue when the code under test offers one; these are for states reached in
another thread or process (a reader's state, a broker's log, rows in a database, the UI after a
worker). Both return as soon as the condition holds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


def wait_until(predicate: Callable[[], bool], timeout: float = 20.0, step: float = 0.02) -> bool:
    """Poll `predicate` every `step` seconds for up to `timeout`; its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


async def wait_for(pilot: Any, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """In a Textual Pilot test: await a condition the UI reaches asynchronously (reader
    threads, the save worker); AssertionError naming the screen after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"UI did not reach the expected state; screen {pilot.app.screen}")
        await pilot.pause(0.02)

"""Every key the booth receives, before any widget: a keyboard-wedge reader's burst becomes a
document read (`terminal.wedge_input`), a person's keys go on to the widgets one at a time and
in order (`terminal.key_order`), whatever the timing or load."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from textual import events
from textual.timer import Timer

from terminal.i18n import _
from terminal.key_order import KeyDone, KeyOrder
from terminal.wedge_input import WedgeFilter, WedgeOutcome

if TYPE_CHECKING:
    from terminal.booth import BoothApp


class Keyboard:
    """`app` is the BoothApp; `route` hands one key to the base App.on_event (bindings, then
    the focused widget)."""

    def __init__(self, app: BoothApp, route: Callable[[events.Key], Awaitable[None]]) -> None:
        self.app = app
        self._wedge: WedgeFilter[events.Key] = WedgeFilter()
        self._timer: Timer | None = None
        self._order = KeyOrder(app, route)

    async def key(self, event: events.Key) -> None:
        """A key from the terminal: held while it may be part of a wedge burst, else sent."""
        result = self._wedge.key(event.key, event.character, event.time, event)
        for held in result.replay:
            await self._order.send(held)
        self._after_wedge(result)
        if result.consumed:
            self._arm_timer()
            return
        await self._order.send(event)

    def close(self) -> None:
        self._wedge.reader.close()

    async def came_back(self, event: events.Key) -> None:
        """A key forwarded back from the widgets (after the base App handled it)."""
        await self._order.came_back(event)

    async def done(self, message: KeyDone) -> None:
        await self._order.done(message)

    def _arm_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        delay = max(0.0, self._wedge.deadline() - time.monotonic()) + 0.005
        self._timer = self.app.set_timer(delay, self._flush)

    async def _flush(self) -> None:
        self._timer = None
        result = self._wedge.flush(time.monotonic())
        for held in result.replay:
            await self._order.send(held)
        self._after_wedge(result)
        if self._wedge.pending:
            self._arm_timer()

    def _after_wedge(self, result: WedgeOutcome[events.Key]) -> None:
        if result.partial:
            self.app.notify(
                _("The keyboard reader sent an incomplete document: present it again."),
                severity="warning",
            )
        if result.document is not None:
            self.app.post_message(self.app.DocumentRead(result.document))

"""One key at a time: a key is routed to the focused widget only after the previous one has
been dealt with, so every key reaches the widget that had the focus when it was typed.

Textual routes a key to the focused widget at once, but runs that widget's bindings (Space on a
tick box, Left/Right on a choice, Tab) only when the key comes back up to the App, behind any
keys already queued there. When keys arrive in a bunch (a paste, tmux, a Pi frozen for 100 ms)
the later keys are routed before the earlier ones moved the focus: "Space Tab Right" sent the
Right to the tick box. Here a key is "done" when it comes back to the App (its bindings ran),
or when a widget on its way stopped it (a text field consumed it: seen through the widgets'
`message_signal`), or after `MAX_WAIT_S` (a busy handler must not hold the keyboard)."""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.app import App
from textual.message import Message

MAX_WAIT_S = 0.5


class KeyDone(Message):
    """Posted to the App when a routed key was consumed by a widget (or took too long)."""

    def __init__(self, key: events.Key) -> None:
        super().__init__()
        self.key = key


class KeyOrder:
    def __init__(self, app: App[Any], route: Callable[[events.Key], Awaitable[None]]) -> None:
        self.app = app
        self.route = route  # App.on_event of the base class: priority bindings or forward
        self.in_flight: events.Key | None = None
        self.waiting: deque[events.Key] = deque()
        self._watched: weakref.WeakSet[Any] = weakref.WeakSet()

    async def send(self, key: events.Key) -> None:
        """Route `key` now, or after the keys before it are done."""
        self.waiting.append(key)
        await self._pump()

    async def came_back(self, key: events.Key) -> None:
        """Call after the App ran the bindings of a forwarded key."""
        if key is self.in_flight:
            self.in_flight = None
            await self._pump()

    async def done(self, message: KeyDone) -> None:
        if message.key is self.in_flight:
            self.in_flight = None
            await self._pump()

    async def _pump(self) -> None:
        while self.in_flight is None and self.waiting:
            key = self.waiting.popleft()
            self._watch(self._chain())
            self.in_flight = key
            await self.route(key)
            if not key.is_forwarded:  # a priority binding of the App took it
                self.in_flight = None
                continue
            asyncio.get_running_loop().call_later(MAX_WAIT_S, self._give_up, key)

    def _chain(self) -> list[Any]:
        node: Any = self.app.focused or (self.app.screen if self.app.screen_stack else None)
        chain = []
        while node is not None and node is not self.app:
            chain.append(node)
            node = node.parent
        return chain

    def _watch(self, chain: list[Any]) -> None:
        """Hear each message these widgets have handled (once per widget)."""
        for node in chain:
            if node in self._watched or not node.is_running:
                continue
            self._watched.add(node)
            node.message_signal.subscribe(self.app, self._handled, immediate=True)

    def _handled(self, message: Message) -> None:
        if message is self.in_flight and message._stop_propagation:
            self.app.post_message(KeyDone(message))  # consumed: it will not come back

    def _give_up(self, key: events.Key) -> None:
        if key is self.in_flight:
            self.app.post_message(KeyDone(key))

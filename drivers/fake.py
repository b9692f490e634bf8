"""A reader for unit tests: it returns whatever the test feeds it, in order."""

from __future__ import annotations

import queue
from collections.abc import Iterable, Sequence
from typing import Any

from drivers.base import DocumentRead, DocumentReader, ReaderStatus
from drivers.framing import Frame, line_problem
from imdms.errors import ReaderError

Item = DocumentRead | ReaderError


class FakeReader(DocumentReader):
    """`feed()` DocumentReads (or ReaderErrors to raise); `read(timeout)` returns them in order.

    Construct as any backend (`FakeReader(config, name=...)`; config is ignored) or with
    `reads=[...]`. `set_state()` lets a test show the terminal a disconnected reader.
    """

    source = "fake"

    def __init__(self, config: Any = None, name: str = "fake", *,
                 reads: Iterable[Item] = ()) -> None:
        super().__init__(name)
        self.config = config
        self._items: queue.Queue[Item | None] = queue.Queue()
        for item in reads:
            self.feed(item)
        self._set_state(ReaderStatus.CONNECTED, "fake reader")

    def feed(self, item: Item) -> None:
        """Queue one DocumentRead to return, or a ReaderError for read() to raise."""
        self._items.put(item)

    def feed_lines(self, lines: Sequence[str]) -> None:
        """Queue the DocumentRead a reader would produce for these MRZ lines."""
        from drivers.serial_mrz import document_read

        frame = Frame(tuple(lines), line_problem(lines))
        self.feed(document_read(self.source, self.name, frame))

    def set_state(self, status: ReaderStatus, reason: str = "") -> None:
        self._set_state(status, reason)

    def read(self, timeout: float | None = None) -> DocumentRead | None:
        if self.closed:
            return None
        try:
            item = self._items.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is None:
            self._items.put(None)
            return None
        if isinstance(item, ReaderError):
            raise item
        return item

    def _close(self) -> None:
        self._items.put(None)
        self._set_state(ReaderStatus.DISCONNECTED, "closed")

"""What the booth needs from the outbox it is given (messaging.outbox.Outbox, or a test's
fake): typed here so the booth and its screens never reach for `Any`. No textual import."""

from __future__ import annotations

from typing import Protocol

from records.record import CrossingRecord


class OutboxStatusLike(Protocol):
    """The counts of messaging.outbox_model.OutboxStatus the booth shows (fakes may lack the
    receipt fields: the booth reads those with defaults)."""

    @property
    def pending(self) -> int: ...

    @property
    def quarantined(self) -> int: ...

    @property
    def last_error(self) -> str | None: ...


class CountsOutbox(Protocol):
    """`status` is cheap (called every few seconds from the UI thread)."""

    def status(self) -> OutboxStatusLike: ...


class OutboxLike(CountsOutbox, Protocol):
    """`add` stores a record durably or raises ImdmsError (DiskFullError when the disk is
    full). An outbox that also has `add_audit(event)` stores audit events (terminal/audit.py)."""

    def add(self, record: CrossingRecord) -> None: ...

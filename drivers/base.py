"""The one interface every document reader implements, and the DocumentRead it produces.

Readers block with timeouts; the terminal calls them from worker threads (python-can style).
Backends never leak their details: serial, camera and chip reads all end as a DocumentRead whose
MRZ was parsed by `ocr.mrz.parse_mrz`.
"""

from __future__ import annotations

import queue
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar

from ocr.mrz import MrzRecord

if TYPE_CHECKING:
    from pydantic import BaseModel


class ReaderStatus(StrEnum):
    CONNECTED = "connected"  # device open, idle
    WAITING = "waiting"  # waiting for a document or for the device to come back
    DISCONNECTED = "disconnected"  # device gone; the backend retries with backoff
    ERROR = "error"  # needs a person: see ReaderState.reason


@dataclass(frozen=True, slots=True)
class ReaderState:
    status: ReaderStatus
    reason: str = ""  # for the officer: what happened and what to do; never personal data


@dataclass(frozen=True, slots=True)
class ChipSummary:
    """What the chip backend adds to a read (issue 9); None for optical reads."""

    protocol: str  # "BAC" | "PACE"
    data_groups: tuple[str, ...]
    passive_authentication: dict[str, str]  # step -> "passed" | "failed: why" | "not checked"
    dg1_matches_print: bool | None  # None when no optical MRZ to compare with
    face_image: bytes | None = field(default=None, repr=False)  # decoded to PNG/JPEG
    dg1_lines: tuple[str, ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class ReadFailure:
    """Why a read failed, typed: `kind` is machine-readable (the chip reader's: wrong_keys,
    card_removed, no_keys, ...), `hint` says what to do, `resumable`: reading the card again
    resumes where it stopped. Never personal data."""

    kind: str
    hint: str = ""
    resumable: bool = False

    @classmethod
    def from_extra(cls, extra: dict[str, Any]) -> ReadFailure | None:
        """The failure a backend reported the untyped way (extra["kind"|"hint"|"resumable"])."""
        if not extra.get("kind") and not extra.get("hint"):
            return None
        return cls(str(extra.get("kind") or ""), str(extra.get("hint") or ""),
                   bool(extra.get("resumable")))


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class DocumentRead:
    """One document presented to one reader.

    `ok` is False when the reader saw something but could not read it (garbled frame, wrong BCC,
    unreadable characters); `error` then says why, without personal data, and `failure` (when
    the backend knows more) what kind of failure and what to do. A read whose MRZ parsed but
    failed a check digit is ok=True with `mrz.valid` False: the officer decides.
    """

    source: str  # backend type, e.g. "serial_mrz", "simulator", "camera", "chip"
    reader_name: str
    raw_lines: tuple[str, ...] = field(default=(), repr=False)
    mrz: MrzRecord | None = None
    error: str | None = None
    started_at: datetime = field(default_factory=utc_now)
    finished_at: datetime = field(default_factory=utc_now)
    confidence: float | None = None  # camera OCR only, 0..1
    chip: ChipSummary | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    failure: ReadFailure | None = None

    def __post_init__(self) -> None:
        if self.failure is None and self.extra:  # a backend that still reports it in extra
            object.__setattr__(self, "failure", ReadFailure.from_extra(self.extra))

    @property
    def ok(self) -> bool:
        return self.error is None and self.mrz is not None

    def to_json(self) -> dict[str, Any]:
        """JSON form for `imdms read` (contains personal data: print, never log)."""
        return {
            "source": self.source,
            "reader_name": self.reader_name,
            "ok": self.ok,
            "error": self.error,
            "raw_lines": list(self.raw_lines),
            "mrz": self.mrz.to_dict() if self.mrz is not None else None,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "confidence": self.confidence,
            "chip": None
            if self.chip is None
            else {
                "protocol": self.chip.protocol,
                "data_groups": list(self.chip.data_groups),
                "passive_authentication": self.chip.passive_authentication,
                "dg1_matches_print": self.chip.dg1_matches_print,
                "face_image_bytes": len(self.chip.face_image or b""),
            },
        }


class ReadQueue(queue.Queue["DocumentRead | None"]):
    """Hand-off from a backend's producer to its blocking read(); `wake()` (on close) releases
    every waiter, now and later."""

    def take(self, timeout: float | None) -> DocumentRead | None:
        """The next read, or None on timeout or after wake()."""
        try:
            item = self.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is None:
            self.put(None)  # keep the wake-up for any other blocked reader
        return item

    def wake(self) -> None:
        self.put(None)


class DocumentReader(ABC):
    """A blocking document reader. Thread-safe to close from another thread.

    `read(timeout)` returns one DocumentRead (possibly ok=False with the reason), or None when
    nothing arrived within `timeout` seconds (None: wait until a document or close()).
    It raises ReaderError subclasses only for faults that retrying will not fix.
    """

    source: str = "reader"
    # A plugin backend's `[reader]` settings (config/readers.py): a pydantic model with
    # `type: Literal["<its entry point name>"]`; the built-ins' models are in config/models.py.
    config_model: ClassVar[type[BaseModel] | None] = None

    def __init__(self, name: str = "reader") -> None:
        self.name = name
        self._closed = threading.Event()
        self._state = ReaderState(ReaderStatus.WAITING)
        self._state_lock = threading.Lock()

    @abstractmethod
    def read(self, timeout: float | None = None) -> DocumentRead | None: ...

    def _close(self) -> None:  # noqa: B027 - optional hook, most backends override it
        """Release the device. Called once."""

    def close(self) -> None:
        """Idempotent: release the device and wake any blocked read()."""
        with self._state_lock:
            if self._closed.is_set():
                return
            self._closed.set()
        self._close()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    @property
    def state(self) -> ReaderState:
        return self._state

    def _set_state(self, status: ReaderStatus, reason: str = "") -> None:
        self._state = ReaderState(status, reason)

    def __enter__(self) -> DocumentReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

"""The error hierarchy every module raises. Standard library only.

Every error carries a message for the user and a hint saying what to do. Messages must never
contain personal data (names, document numbers, MRZ lines): they reach logs.
"""

from __future__ import annotations


class ImdmsError(Exception):
    """Base error: `message` says what went wrong, `hint` what the user should do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(ImdmsError):
    """The configuration file is missing, unreadable or invalid."""


class MrzError(ImdmsError):
    """The text is not an MRZ at all (wrong shape, no known layout)."""


class ReaderError(ImdmsError):
    """A document reader failed."""


class ReaderUnavailable(ReaderError):
    """The backend's library (pyserial, pyscard, cv2) is not installed."""


class ReaderInitError(ReaderError):
    """The device could not be opened (missing, busy, no permission)."""


class ReaderIOError(ReaderError):
    """The device failed mid-read (unplugged, card pulled, garbled frame)."""


class OutboxError(ImdmsError):
    """The outbox refused or could not store a record."""


class DiskFullError(OutboxError):
    """Free space is below the configured floor: new records are refused, nothing is lost."""


class SchemaError(ImdmsError):
    """A record does not match the published JSON Schema."""

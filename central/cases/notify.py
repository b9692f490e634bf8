"""Pluggable notifiers: tell a receiving unit that a case is waiting for it.

A notice carries the case id, the post, the time and the unit, and nothing about the person
(no name, document, date of birth, indicator or note): it travels through mail servers and SMS
gateways the centre does not control. The duty officer reads the person in `imdms cases show`.

NOTIFIERS maps a roster channel to its backend, imported on first use (as drivers/registry.py
does for readers); a backend raises NoticeError with a reason fit for `imdms cases list`.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from config.models import CasesConfig
from imdms.errors import ImdmsError
from records.codes import RECEIVING_UNIT_LABELS, ReceivingUnit

NOTIFIERS: dict[str, tuple[str, str]] = {
    "email": ("central.cases.smtp", "SmtpNotifier"),
    "hook": ("central.cases.http_hook", "HookNotifier"),
}
MAX_REASON = 300


class NoticeError(ImdmsError):
    """A notice could not be delivered (retried with backoff until cases.attempts)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message[:MAX_REASON], hint)


@dataclass(frozen=True, slots=True)
class Notice:
    """What a unit is told: no personal data, by construction (there is no field for it)."""

    case_id: str
    unit: str
    border_post: str
    terminal_id: str
    crossed_at: str  # ISO 8601 UTC, the booth's (corrected) time of the crossing
    opened_at: str

    @property
    def unit_label(self) -> str:
        try:
            return RECEIVING_UNIT_LABELS[ReceivingUnit(self.unit)]
        except ValueError:
            return self.unit

    def subject(self) -> str:
        return f"IMDMS referral {self.case_id} at {self.border_post}"

    def text(self) -> str:
        return (
            f"A traveller was referred to {self.unit_label} at border post "
            f"{self.border_post} (terminal {self.terminal_id}) at {self.crossed_at}.\n\n"
            f"Case: {self.case_id}\nOpened: {self.opened_at}\n\n"
            "The traveller's details are in the central console only:\n"
            f"    imdms cases show {self.case_id} --reason TEXT --operator ID\n"
            "Record each step there:\n"
            f"    imdms cases set-status {self.case_id} contacted --operator ID\n"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "unit": self.unit,
            "border_post": self.border_post,
            "terminal_id": self.terminal_id,
            "crossed_at": self.crossed_at,
            "opened_at": self.opened_at,
            "text": f"IMDMS referral {self.case_id} to {self.unit_label} at {self.border_post}"
            f" {self.crossed_at}",
        }


class Notifier(ABC):
    """One channel. send() blocks up to the channel's timeout; raises NoticeError."""

    @abstractmethod
    def send(self, target: str, notice: Notice) -> None: ...

    def close(self) -> None:  # noqa: B027 - most backends hold nothing open
        """Release what send() kept open. Idempotent."""


def make_notifier(channel: str, config: CasesConfig) -> Notifier:
    """The backend of `channel` built from [cases]; NoticeError for an unknown channel."""
    try:
        module_name, class_name = NOTIFIERS[channel]
    except KeyError:
        raise NoticeError(f"no notifier for channel {channel!r}") from None
    cls = getattr(importlib.import_module(module_name), class_name)
    notifier: Notifier = cls(config)
    return notifier

"""The result of one health check: a line of `imdms doctor` or `imdms doctor --central`.

In the kernel because both the booth's doctor (imdms.cli.doctor) and the centre's checks
(central.health) produce them, and central/ must not import the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    PASS = "PASS"
    WARN = "WARN"  # works, but needs attention soon
    FAIL = "FAIL"  # the booth cannot work properly: fix before opening the booth
    SKIP = "SKIP"  # not applicable to this booth's config


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One line of `imdms doctor`: `message` says what was found, `hint` what to do."""

    name: str
    status: Status
    message: str
    hint: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status.value, "message": self.message,
                "hint": self.hint}

    def line(self, width: int = 10) -> str:
        text = f"{self.status.value}  {self.name:<{width}}  {self.message}"
        return f"{text} -> {self.hint}" if self.hint else text


__all__ = ["CheckResult", "Status"]

"""ePassport chip backend (PC/SC): BAC, PACE, secure messaging, LDS files, passive authentication.

`ChipReader` is resolved lazily so importing this package never imports pyscard (nor
drivers.base, which needs ocr.mrz): the registry maps "chip" -> ("drivers.chip", "ChipReader").
"""

from __future__ import annotations

from typing import Any

__all__ = ["ChipReader"]


def __getattr__(name: str) -> Any:
    if name == "ChipReader":
        from drivers.chip.reader import ChipReader

        return ChipReader
    raise AttributeError(name)

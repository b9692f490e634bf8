"""MRZ layouts, check digits and the character buffer shared by parsing and correction.

Internal to ocr.mrz (import the public names from there). Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import cycle
from typing import Any, Literal

DocType = Literal["TD1", "TD2", "TD3", "MRVA", "MRVB"]
FILLER = "<"
ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
DIGITS = frozenset("0123456789")
MRZ_CHARS = ALNUM | {FILLER}
_WEIGHTS = (7, 3, 1)
# YYMMDD, YYMM<< or YY<<<< (all '<' is handled apart: an unknown date).
DATE_SHAPE = re.compile(r"[0-9]{2}(?:[0-9]{4}|[0-9]{2}<<|<<<<)")
COUNTRY = re.compile(r"[A-Z]{3}|D<<")
LAYOUTS: dict[DocType, tuple[int, int]] = {
    "TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44), "MRVA": (2, 44), "MRVB": (2, 36),
}  # fmt: skip


_VALUES = {c: (ord(c) - 48 if c in DIGITS else ord(c) - 55) for c in ALNUM} | {FILLER: 0}


def check_digit(data: str) -> str:
    """ICAO 9303 check digit (weights 7-3-1, '<'=0, A=10..Z=35) as one character.

    Raises ValueError for a character outside A-Z, 0-9 and '<'.
    """
    try:
        total = sum(_VALUES[c] * w for c, w in zip(data, cycle(_WEIGHTS), strict=False))
    except KeyError as err:
        raise ValueError(f"{err.args[0]!r} is not an MRZ character") from err
    return str(total % 10)


def check_or_none(data: str) -> str | None:
    try:
        return check_digit(data)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Correction:
    """One character changed by OCR correction, at 1-based (line, column)."""

    field: str
    line: int
    column: int
    found: str
    corrected: str

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "line": self.line, "column": self.column,
                "found": self.found, "corrected": self.corrected}  # fmt: skip


# --------------------------------------------------------------------------- layouts

Pos = tuple[int, int]  # 0-based (line, column) into the working buffer


def span(line: int, start: int, end: int) -> list[Pos]:
    return [(line, c) for c in range(start, end)]


@dataclass(slots=True)
class Layout:
    code: list[Pos]
    issuer: list[Pos]
    name: list[Pos]
    number: list[Pos]
    number_check: Pos
    nationality: list[Pos]
    birth: list[Pos]
    birth_check: Pos
    sex: Pos
    expiry: list[Pos]
    expiry_check: Pos
    optional: list[Pos]
    optional_check: Pos | None = None
    optional_2: list[Pos] = field(default_factory=list)
    composite: list[Pos] = field(default_factory=list)
    composite_check: Pos | None = None
    long_number: bool = False  # TD1/TD2: the number may continue in the optional data


@cache
def layout_of(doc_type: DocType) -> Layout:
    """Field positions of a layout (cached: treat as read-only)."""
    if doc_type == "TD1":
        return Layout(
            code=span(0, 0, 2), issuer=span(0, 2, 5), name=span(2, 0, 30),
            number=span(0, 5, 14), number_check=(0, 14), nationality=span(1, 15, 18),
            birth=span(1, 0, 6), birth_check=(1, 6), sex=(1, 7),
            expiry=span(1, 8, 14), expiry_check=(1, 14), optional=span(0, 15, 30),
            optional_2=span(1, 18, 29),
            composite=span(0, 5, 30) + span(1, 0, 7) + span(1, 8, 15) + span(1, 18, 29),
            composite_check=(1, 29), long_number=True,
        )  # fmt: skip
    width = LAYOUTS[doc_type][1]
    lay = Layout(
        code=span(0, 0, 2), issuer=span(0, 2, 5), name=span(0, 5, width),
        number=span(1, 0, 9), number_check=(1, 9), nationality=span(1, 10, 13),
        birth=span(1, 13, 19), birth_check=(1, 19), sex=(1, 20),
        expiry=span(1, 21, 27), expiry_check=(1, 27), optional=span(1, 28, width),
    )  # fmt: skip
    if doc_type == "TD3":
        lay.optional = span(1, 28, 42)
        lay.optional_check = (1, 42)
        lay.composite = span(1, 0, 10) + span(1, 13, 20) + span(1, 21, 43)
        lay.composite_check = (1, 43)
    elif doc_type == "TD2":
        lay.optional = span(1, 28, 35)
        lay.composite = span(1, 0, 10) + span(1, 13, 20) + span(1, 21, 35)
        lay.composite_check = (1, 35)
        lay.long_number = True
    return lay


class Buffer:
    """The MRZ characters being corrected, addressed by 0-based (line, column)."""

    def __init__(self, lines: list[str]) -> None:
        self.rows = [list(line) for line in lines]
        self.corrections: list[Correction] = []

    def get(self, pos: Pos) -> str:
        return self.rows[pos[0]][pos[1]]

    def text(self, positions: Sequence[Pos]) -> str:
        rows = self.rows
        return "".join([rows[r][c] for r, c in positions])

    def put(self, name: str, pos: Pos, char: str) -> None:
        old = self.get(pos)
        if old != char:
            self.rows[pos[0]][pos[1]] = char
            self.corrections.append(Correction(name, pos[0] + 1, pos[1] + 1, old, char))

    def lines(self) -> tuple[str, ...]:
        return tuple("".join(row) for row in self.rows)


def check_ok(data: str, found: str) -> bool:
    """True when `found` is the check digit of `data` ('<' is accepted for all-filler data)."""
    if found == FILLER:
        return set(data) <= {FILLER}
    return check_or_none(data) == found


def number_positions(buf: Buffer, lay: Layout) -> tuple[list[Pos], Pos, list[Pos]]:
    """Document-number characters, its check digit and the remaining optional data.

    TD1/TD2 long numbers: a '<' at the check position means the number continues in the optional
    data up to the first '<'; the last of those characters is the check digit.
    """
    if not lay.long_number or buf.get(lay.number_check) != FILLER:
        return lay.number, lay.number_check, lay.optional
    ext: list[Pos] = []
    for pos in lay.optional:
        if buf.get(pos) == FILLER:
            break
        ext.append(pos)
    if not ext:  # '<' with nothing after it: the check digit is simply missing
        return lay.number, lay.number_check, lay.optional
    rest = lay.optional[len(ext) :]
    return lay.number + ext[:-1], ext[-1], rest

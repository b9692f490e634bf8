"""ICAO 9303 machine-readable zones: parse, validate, correct OCR slips, generate. Stdlib only.

Every source of an MRZ (serial reader, camera OCR, chip DG1, typed text) ends in `parse_mrz`.
Layouts: TD1 (3x30), TD2 (2x36), TD3 (2x44), MRV-A (2x44, code V), MRV-B (2x36, code V).

Contract:
- `parse_mrz` raises `MrzError` only when the text is not MRZ-shaped at all (line count/length,
  mostly non-MRZ characters). Anything else (bad check digit, illegal character, impossible date)
  is returned as a `FieldIssue` in `MrzRecord.errors`, and `MrzRecord.valid` is False.
- Issuing state and nationality are covered by no check digit, and real documents print codes
  outside the ICAO/ISO list (`<<<` on a Macau ID, `SI<` on a Slovenian one, `132` on a Romanian
  one). Such a code is a `nonstandard_code` issue in `MrzRecord.warnings`, kept as printed: it
  never makes the record invalid (the officer sees it; the record carries the flag).
- OCR correction (`correct=True`) only touches fields whose character class is known, only when
  the result passes that field's check digit (or, for letter-only fields without a check digit,
  when the digit maps to exactly one letter), and is always listed in `MrzRecord.corrections`.
  Names and optional data are never corrected.
- Positions (line, column) are 1-based, as in ICAO 9303.
- Messages never contain personal data: only field names, single characters and positions.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from imdms.errors import MrzError
from ocr.country_codes import is_known_code
from ocr.mrz_correct import DIGIT_TO_LETTER, LETTER_TO_DIGIT, correct_ocr
from ocr.mrz_layout import (
    DATE_SHAPE,
    DIGITS,
    FILLER,
    LAYOUTS,
    LETTERS,
    MRZ_CHARS,
    Buffer,
    Correction,
    DocType,
    Pos,
    check_digit,
    check_ok,
    check_or_none,
    layout_of,
    number_positions,
)
from ocr.mrz_make import make_mrz

__all__ = [
    "DIGIT_TO_LETTER", "EXPIRY_YEARS_AHEAD", "FILLER", "LAYOUTS", "LETTER_TO_DIGIT", "MRZ_CHARS",
    "Correction", "DocType", "FieldIssue", "MrzRecord", "PartialDate", "check_digit",
    "make_mrz", "normalise", "parse_mrz",
]  # fmt: skip

EXPIRY_YEARS_AHEAD = 20


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date whose month and/or day may be unknown ('<<' in the MRZ)."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        """"1974-08-12", "1974-08" or "1974"."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def earliest(self) -> date:
        """First day the date can be."""
        return date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> date:
        """Last day the date can be."""
        month = self.month or 12
        return date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])


@dataclass(frozen=True, slots=True)
class FieldIssue:
    """One problem in one field. `kind`: check_digit, illegal_char, invalid_date (errors);
    nonstandard_code (a warning: a code outside the ICAO/ISO list, in a field no check covers).

    `expected`/`found` are the check digit (or character class / character); `position` is the
    1-based (line, column) of the offending character, when there is one.
    """

    field: str
    kind: str
    message: str
    expected: str | None = None
    found: str | None = None
    position: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        pos = self.position
        where = None if pos is None else {"line": pos[0], "column": pos[1]}
        return {"field": self.field, "kind": self.kind, "message": self.message,
                "expected": self.expected, "found": self.found, "position": where}  # fmt: skip


@dataclass(frozen=True, slots=True)
class MrzRecord:
    """A parsed MRZ. Personal fields are kept out of repr (it reaches logs)."""

    doc_type: DocType
    document_code: str
    issuing_state: str
    document_number: str = field(repr=False)
    surname: str = field(repr=False)
    given_names: str = field(repr=False)
    nationality: str
    date_of_birth: PartialDate | None = field(repr=False)
    sex: Literal["M", "F", "X"]
    date_of_expiry: PartialDate | None = field(repr=False)
    optional_data: str = field(repr=False)
    optional_data_2: str = field(repr=False)
    checks: dict[str, bool]
    corrections: tuple[Correction, ...]
    errors: tuple[FieldIssue, ...]
    lines: tuple[str, ...] = field(repr=False)
    expired: bool | None = None
    warnings: tuple[FieldIssue, ...] = ()

    @property
    def valid(self) -> bool:
        """Every check digit passes and no field has an error (warnings do not count)."""
        return not self.errors and all(self.checks.values())

    @property
    def nonstandard_codes(self) -> tuple[str, ...]:
        """Fields ("issuing_state", "nationality") holding a code outside the ICAO/ISO list."""
        return tuple(w.field for w in self.warnings if w.kind == "nonstandard_code")

    def to_dict(self) -> dict[str, Any]:
        """The object `imdms mrz parse` prints (plain JSON types)."""
        def iso(d: PartialDate | None) -> str | None:
            return None if d is None else d.iso()

        return {
            "doc_type": self.doc_type,
            "document_code": self.document_code,
            "issuing_state": self.issuing_state,
            "document_number": self.document_number,
            "surname": self.surname,
            "given_names": self.given_names,
            "nationality": self.nationality,
            "date_of_birth": iso(self.date_of_birth),
            "sex": self.sex,
            "date_of_expiry": iso(self.date_of_expiry),
            "optional_data": self.optional_data,
            "optional_data_2": self.optional_data_2,
            "expired": self.expired,
            "checks": dict(self.checks),
            "corrections": [c.to_dict() for c in self.corrections],
            "valid": self.valid,
            "errors": [e.to_dict() for e in self.errors],
            "warnings": [w.to_dict() for w in self.warnings],
            "nonstandard_codes": list(self.nonstandard_codes),
        }

    def to_json(self) -> str:
        """`to_dict()` as JSON text, exactly what `imdms mrz parse` prints."""
        return json.dumps(self.to_dict(), ensure_ascii=True)


# --------------------------------------------------------------------------- input shape

def _describe(lengths: list[int]) -> str:
    if not lengths:
        return "no text"
    noun = "line" if len(lengths) == 1 else "lines"
    if len(lengths) > 4:  # keep the message one short line
        return f"{len(lengths)} lines"
    if len(set(lengths)) == 1:
        return f"{len(lengths)} {noun} of {lengths[0]}"
    parts = [str(n) for n in lengths]
    return f"{len(lengths)} {noun} of {', '.join(parts[:-1])} and {parts[-1]}"


def _as_text(line: object) -> str:
    if isinstance(line, bytes | bytearray):
        return bytes(line).decode("ascii", errors="replace")
    return str(line)


def normalise(text: str | Sequence[str]) -> tuple[DocType, list[str]]:
    """Clean the input lines and find the layout. Raises MrzError when no layout fits."""
    if isinstance(text, bytes | bytearray):  # tolerated: a device's raw bytes
        text = bytes(text).decode("ascii", errors="replace")
    if isinstance(text, str):
        raw = text.splitlines()
    elif isinstance(text, Sequence):
        raw = [_as_text(line) for line in text]
    else:
        raise MrzError("MRZ input must be text or a list of lines", "pass the MRZ lines as text")
    lines = [line.strip().upper() for line in raw]
    lines = [line for line in lines if line]
    # Some readers send one unbroken line: split it when its length is exactly two or three lines.
    if len(lines) == 1 and len(lines[0]) in (72, 88, 90):
        one = lines[0]
        width = {72: 36, 88: 44, 90: 30}[len(one)]
        lines = [one[i : i + width] for i in range(0, len(one), width)]
    lengths = [len(line) for line in lines]
    shape = (len(lines), set(lengths))
    doc_type: DocType | None = None
    if shape == (3, {30}):
        doc_type = "TD1"
    elif shape == (2, {36}):
        doc_type = "MRVB" if lines[0][0] == "V" else "TD2"
    elif shape == (2, {44}):
        doc_type = "MRVA" if lines[0][0] == "V" else "TD3"
    if doc_type is None:
        raise MrzError(
            f"not an MRZ: expected 2 lines of 44 or 36, or 3 lines of 30 characters, "
            f"got {_describe(lengths)}",
            "rescan the document, or type the MRZ lines exactly as printed",
        )
    foreign = sum(1 for line in lines for c in line if c not in MRZ_CHARS)
    if foreign * 2 > sum(lengths):
        raise MrzError(
            f"not an MRZ: {foreign} of {sum(lengths)} characters are not A-Z, 0-9 or '<'",
            "rescan the document, or type the MRZ lines exactly as printed",
        )
    return doc_type, lines


# --------------------------------------------------------------------------- validation

class _Report:
    def __init__(self, buf: Buffer) -> None:
        self.buf = buf
        self.issues: list[FieldIssue] = []
        self.warnings: list[FieldIssue] = []
        self.checks: dict[str, bool] = {}

    def illegal(self, name: str, cells: Sequence[Pos], allowed: frozenset[str], what: str) -> bool:
        """Report every character of the field outside `allowed`; True when there was none."""
        clean = True
        for pos in cells:
            char = self.buf.get(pos)
            if char not in allowed:
                clean = False
                line, col = pos[0] + 1, pos[1] + 1
                self.issues.append(FieldIssue(
                    name, "illegal_char",
                    f"{name}: character {char!r} at line {line} column {col} is not {what}",
                    expected=what, found=char, position=(line, col),
                ))  # fmt: skip
        return clean

    def check(self, name: str, data: Sequence[Pos], check: Pos) -> None:
        text = self.buf.text(data)
        found = self.buf.get(check)
        expected = check_or_none(text)
        ok = check_ok(text, found)
        self.checks[name] = ok
        if ok:
            return
        line, col = check[0] + 1, check[1] + 1
        if expected is None:
            message = f"{name}: check digit cannot be computed (illegal characters in the field)"
        else:
            message = (
                f"{name}: check digit at line {line} column {col} is {found!r}, expected {expected}"
            )
        self.issues.append(FieldIssue(name, "check_digit", message, expected, found, (line, col)))


def _name(raw: str) -> tuple[str, str]:
    raw = raw.rstrip(FILLER)
    surname, _, given = raw.partition("<<")
    surname = " ".join(p for p in surname.split(FILLER) if p)
    given_names = " ".join(p for p in given.split(FILLER) if p)
    return surname, given_names


def _month_days(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _date(
    raw: str, name: str, kind: Literal["birth", "expiry"], today: date, rep: _Report, at: Pos
) -> PartialDate | None:
    """YYMMDD with '<<' for an unknown month/day, century inferred from `today`."""
    if set(raw) <= {FILLER}:
        return None
    line, col = at[0] + 1, at[1] + 1

    def bad(why: str) -> None:
        rep.issues.append(FieldIssue(name, "invalid_date", f"{name}: {why}", position=(line, col)))

    if not DATE_SHAPE.fullmatch(raw):
        bad("not YYMMDD with '<<' only for an unknown month and day, or day")
        return None
    yy, mm, dd = raw[0:2], raw[2:4], raw[4:6]
    base = today.year - today.year % 100
    year = base + int(yy)
    month = None if mm == "<<" else int(mm)
    day = None if dd == "<<" else int(dd)
    if month is not None and not 1 <= month <= 12:
        bad("month is not 01-12")
        return None
    if kind == "birth":
        if date(year, month or 1, min(day or 1, 28)) > today:
            year -= 100
    elif year > today.year + EXPIRY_YEARS_AHEAD:
        year -= 100
    elif year <= today.year + EXPIRY_YEARS_AHEAD - 100:
        year += 100
    if month is not None and day is not None and not 1 <= day <= _month_days(year, month):
        bad("day does not exist in that month")
        return None
    return PartialDate(year, month, day)


def parse_mrz(
    text: str | Sequence[str], *, today: date | None = None, correct: bool = True
) -> MrzRecord:
    """Parse and validate an MRZ (newline-separated text or a list of lines).

    `today` (default: the system date) drives century inference and `expired`. With `correct`,
    OCR slips are fixed under the rules in the module docstring and listed in `corrections`.
    Raises MrzError only when the text is not MRZ-shaped; field problems go to `errors`.
    """
    if today is None:
        today = date.today()
    elif isinstance(today, datetime):  # a datetime does not compare with a date
        today = today.date()
    doc_type, lines = normalise(text)
    lay = layout_of(doc_type)
    buf = correct_ocr(lines, lay) if correct else Buffer(lines)
    rep = _Report(buf)
    get = buf.text

    rep.illegal("document_code", lay.code[:1], LETTERS, "a letter")
    rep.illegal("document_code", lay.code[1:], LETTERS | {FILLER}, "a letter or '<'")
    for name, cells in (("issuing_state", lay.issuer), ("nationality", lay.nationality)):
        code = get(cells)
        # Characters outside the MRZ set are errors; any MRZ characters are kept as printed.
        if rep.illegal(name, cells, MRZ_CHARS, "A-Z, 0-9 or '<'") and not is_known_code(code):
            rep.warnings.append(FieldIssue(
                name, "nonstandard_code",
                f"{name}: not an ICAO 9303 / ISO 3166 code (kept as printed; check the document)",
                expected="ICAO/ISO code", found=None,
                position=(cells[0][0] + 1, cells[0][1] + 1),
            ))  # fmt: skip
    rep.illegal("name", lay.name, LETTERS | {FILLER}, "a letter or '<'")

    number, number_check, optional = number_positions(buf, lay)
    rep.illegal("document_number", number, frozenset(MRZ_CHARS), "A-Z, 0-9 or '<'")
    if rep.illegal("document_number_check", [number_check], DIGITS | {FILLER}, "a digit"):
        rep.check("document_number", number, number_check)
    else:
        rep.checks["document_number"] = False

    dates: dict[str, PartialDate | None] = {}
    for name, cells, chk, kind in (
        ("date_of_birth", lay.birth, lay.birth_check, "birth"),
        ("date_of_expiry", lay.expiry, lay.expiry_check, "expiry"),
    ):
        clean = rep.illegal(name, cells, DIGITS | {FILLER}, "a digit or '<'")
        if rep.illegal(f"{name}_check", [chk], DIGITS | {FILLER}, "a digit"):
            rep.check(name, cells, chk)
        else:
            rep.checks[name] = False
        dates[name] = _date(get(cells), name, kind, today, rep, cells[0]) if clean else None  # type: ignore[arg-type]

    sex_char = buf.get(lay.sex)
    rep.illegal("sex", [lay.sex], frozenset("MFX<"), "M, F, X or '<'")
    sex: Literal["M", "F", "X"] = "M" if sex_char == "M" else "F" if sex_char == "F" else "X"

    rep.illegal("optional_data", optional, frozenset(MRZ_CHARS), "A-Z, 0-9 or '<'")
    rep.illegal("optional_data_2", lay.optional_2, frozenset(MRZ_CHARS), "A-Z, 0-9 or '<'")
    if lay.optional_check is not None:
        if rep.illegal("optional_data_check", [lay.optional_check], DIGITS | {FILLER}, "a digit"):
            rep.check("optional_data", lay.optional, lay.optional_check)
        else:
            rep.checks["optional_data"] = False
    if lay.composite_check is not None:
        if rep.illegal("composite_check", [lay.composite_check], DIGITS | {FILLER}, "a digit"):
            rep.check("composite", lay.composite, lay.composite_check)
        else:
            rep.checks["composite"] = False

    surname, given_names = _name(get(lay.name))
    expiry = dates["date_of_expiry"]
    return MrzRecord(
        doc_type=doc_type,
        document_code=get(lay.code).rstrip(FILLER),
        issuing_state=get(lay.issuer).rstrip(FILLER),
        document_number=get(number).rstrip(FILLER),
        surname=surname,
        given_names=given_names,
        nationality=get(lay.nationality).rstrip(FILLER),
        date_of_birth=dates["date_of_birth"],
        sex=sex,
        date_of_expiry=expiry,
        optional_data=get(optional).strip(FILLER),
        optional_data_2=get(lay.optional_2).strip(FILLER),
        checks=rep.checks,
        corrections=tuple(buf.corrections),
        errors=tuple(rep.issues),
        lines=buf.lines(),
        expired=None if expiry is None else expiry.latest() < today,
        warnings=tuple(rep.warnings),
    )

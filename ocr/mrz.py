"""ICAO 9303 machine-readable zones: parse, validate, correct OCR slips, generate. Stdlib only.

Every source of an MRZ (serial reader, camera OCR, chip DG1, typed text) ends in `parse_mrz`.
Layouts: TD1 (3x30), TD2 (2x36), TD3 (2x44), MRV-A (2x44, code V), MRV-B (2x36, code V).

Contract:
- `parse_mrz` raises `MrzError` only when the text is not MRZ-shaped at all (line count/length,
  mostly non-MRZ characters). Anything else (bad check digit, illegal character, impossible date)
  is returned as a `FieldIssue` in `MrzRecord.errors`, and `MrzRecord.valid` is False.
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
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import cycle
from typing import Any, Literal

from imdms.errors import MrzError

DocType = Literal["TD1", "TD2", "TD3", "MRVA", "MRVB"]
FILLER = "<"
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")
MRZ_CHARS = _ALNUM | {FILLER}
_WEIGHTS = (7, 3, 1)
# OCR confusions. In a digit field a letter becomes the digit it is mistaken for; in a letter
# field only the unambiguous pairs apply (0 is read as O, never as D or Q).
LETTER_TO_DIGIT = {"O": "0", "I": "1", "B": "8", "S": "5", "Z": "2", "G": "6", "D": "0", "Q": "0"}
DIGIT_TO_LETTER = {"0": "O", "1": "I", "8": "B", "5": "S", "2": "Z", "6": "G"}
# Document numbers are alphanumeric: both directions are candidates. A 0 may also have been
# a D or Q: those candidates only make a correction ambiguous, they are never applied.
_ALNUM_SWAPS: dict[str, tuple[str, ...]] = {
    "O": ("0",), "0": ("O", "D", "Q"), "I": ("1",), "1": ("I",), "B": ("8",), "8": ("B",),
    "S": ("5",), "5": ("S",), "Z": ("2",), "2": ("Z",), "G": ("6",), "6": ("G",),
    "D": ("0",), "Q": ("0",),
}  # fmt: skip
# YYMMDD, YYMM<< or YY<<<< (all '<' is handled apart: an unknown date).
_DATE_SHAPE = re.compile(r"[0-9]{2}(?:[0-9]{4}|[0-9]{2}<<|<<<<)")
_NEVER_APPLIED = {("0", "D"), ("0", "Q")}
_COUNTRY = re.compile(r"[A-Z]{3}|D<<")
EXPIRY_YEARS_AHEAD = 20
LAYOUTS: dict[DocType, tuple[int, int]] = {
    "TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44), "MRVA": (2, 44), "MRVB": (2, 36),
}  # fmt: skip


_VALUES = {c: (ord(c) - 48 if c in _DIGITS else ord(c) - 55) for c in _ALNUM} | {FILLER: 0}


def check_digit(data: str) -> str:
    """ICAO 9303 check digit (weights 7-3-1, '<'=0, A=10..Z=35) as one character.

    Raises ValueError for a character outside A-Z, 0-9 and '<'.
    """
    try:
        total = sum(_VALUES[c] * w for c, w in zip(data, cycle(_WEIGHTS), strict=False))
    except KeyError as err:
        raise ValueError(f"{err.args[0]!r} is not an MRZ character") from err
    return str(total % 10)


def _check_or_none(data: str) -> str | None:
    try:
        return check_digit(data)
    except ValueError:
        return None


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
    """One problem in one field. `kind`: check_digit, illegal_char, invalid_date, invalid_code.

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

    @property
    def valid(self) -> bool:
        """Every check digit passes and no field has an issue."""
        return not self.errors and all(self.checks.values())

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
        }

    def to_json(self) -> str:
        """`to_dict()` as JSON text, exactly what `imdms mrz parse` prints."""
        return json.dumps(self.to_dict(), ensure_ascii=True)


# --------------------------------------------------------------------------- input shape

def _describe(lengths: list[int]) -> str:
    if not lengths:
        return "no text"
    noun = "line" if len(lengths) == 1 else "lines"
    if len(set(lengths)) == 1:
        return f"{len(lengths)} {noun} of {lengths[0]}"
    parts = [str(n) for n in lengths]
    return f"{len(lengths)} {noun} of {', '.join(parts[:-1])} and {parts[-1]}"


def normalise(text: str | Sequence[str]) -> tuple[DocType, list[str]]:
    """Clean the input lines and find the layout. Raises MrzError when no layout fits."""
    if isinstance(text, str):
        raw = text.splitlines()
    elif isinstance(text, Sequence):
        raw = [str(line) for line in text]
    else:
        raise MrzError("MRZ input must be text or a list of lines", "pass the MRZ lines as text")
    lines = [line.strip().upper() for line in raw]
    lines = [line for line in lines if line]
    # Some readers send one unbroken line: split it when its length is exactly two or three lines.
    if len(lines) == 1 and len(lines[0]) in (60, 72, 88, 90):
        one = lines[0]
        width = {60: 30, 72: 36, 88: 44, 90: 30}[len(one)]
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


# --------------------------------------------------------------------------- layouts

Pos = tuple[int, int]  # 0-based (line, column) into the working buffer


def _span(line: int, start: int, end: int) -> list[Pos]:
    return [(line, c) for c in range(start, end)]


@dataclass(slots=True)
class _Layout:
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
def _layout(doc_type: DocType) -> _Layout:
    """Field positions of a layout (cached: treat as read-only)."""
    if doc_type == "TD1":
        return _Layout(
            code=_span(0, 0, 2), issuer=_span(0, 2, 5), name=_span(2, 0, 30),
            number=_span(0, 5, 14), number_check=(0, 14), nationality=_span(1, 15, 18),
            birth=_span(1, 0, 6), birth_check=(1, 6), sex=(1, 7),
            expiry=_span(1, 8, 14), expiry_check=(1, 14), optional=_span(0, 15, 30),
            optional_2=_span(1, 18, 29),
            composite=_span(0, 5, 30) + _span(1, 0, 7) + _span(1, 8, 15) + _span(1, 18, 29),
            composite_check=(1, 29), long_number=True,
        )  # fmt: skip
    width = LAYOUTS[doc_type][1]
    lay = _Layout(
        code=_span(0, 0, 2), issuer=_span(0, 2, 5), name=_span(0, 5, width),
        number=_span(1, 0, 9), number_check=(1, 9), nationality=_span(1, 10, 13),
        birth=_span(1, 13, 19), birth_check=(1, 19), sex=(1, 20),
        expiry=_span(1, 21, 27), expiry_check=(1, 27), optional=_span(1, 28, width),
    )  # fmt: skip
    if doc_type == "TD3":
        lay.optional = _span(1, 28, 42)
        lay.optional_check = (1, 42)
        lay.composite = _span(1, 0, 10) + _span(1, 13, 20) + _span(1, 21, 43)
        lay.composite_check = (1, 43)
    elif doc_type == "TD2":
        lay.optional = _span(1, 28, 35)
        lay.composite = _span(1, 0, 10) + _span(1, 13, 20) + _span(1, 21, 35)
        lay.composite_check = (1, 35)
        lay.long_number = True
    return lay


class _Buffer:
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


def _check_ok(data: str, found: str) -> bool:
    """True when `found` is the check digit of `data` ('<' is accepted for all-filler data)."""
    if found == FILLER:
        return set(data) <= {FILLER}
    return _check_or_none(data) == found


def _number_positions(buf: _Buffer, lay: _Layout) -> tuple[list[Pos], Pos, list[Pos]]:
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


# --------------------------------------------------------------------------- correction

def _correct_date(buf: _Buffer, name: str, data: list[Pos], check: Pos) -> None:
    """Map letters to digits in a date and its check digit if that makes it pass and leaves a
    well-formed date ('<' and '0' weigh the same, so the check alone cannot tell them apart)."""
    cells = [*data, check]
    old = [buf.get(p) for p in cells]
    new = [LETTER_TO_DIGIT.get(c, c) for c in old]
    if new == old:
        return
    date_text = "".join(new[:-1])
    if not (_DATE_SHAPE.fullmatch(date_text) or set(date_text) == {FILLER}):
        return
    if _check_ok(date_text, new[-1]) and not _check_ok("".join(old[:-1]), old[-1]):
        for pos, char in zip(cells, new, strict=True):
            buf.put(name if pos != check else f"{name}_check", pos, char)


def _correct_check_only(buf: _Buffer, name: str, data: list[Pos], check: Pos) -> None:
    """Fields of unknown class: only a letter in the check-digit position may be mapped."""
    found = buf.get(check)
    digit = LETTER_TO_DIGIT.get(found)
    if digit and _check_ok(buf.text(data), digit):
        buf.put(f"{name}_check", check, digit)


def _composite_ok(buf: _Buffer, lay: _Layout) -> bool:
    """True when the layout has no composite, or it passes (a letter check digit mapped)."""
    if lay.composite_check is None:
        return True
    found = buf.get(lay.composite_check)
    return _check_ok(buf.text(lay.composite), LETTER_TO_DIGIT.get(found, found))


def _correct_number(buf: _Buffer, lay: _Layout) -> None:
    """Alphanumeric document number: one O/0-style substitution, applied only when exactly one
    candidate passes the number's check digit."""
    data, check, _ = _number_positions(buf, lay)
    text = buf.text(data)
    found = buf.get(check)
    digit = LETTER_TO_DIGIT.get(found, found)
    if _check_ok(text, digit):
        if digit != found:
            buf.put("document_number_check", check, digit)
        return
    candidates: list[tuple[int, str]] = []
    for i, char in enumerate(text):
        for swap in _ALNUM_SWAPS.get(char, ()):
            if _check_ok(text[:i] + swap + text[i + 1 :], digit):
                candidates.append((i, swap))
    if len(candidates) != 1:
        return
    i, swap = candidates[0]
    if (text[i], swap) not in _NEVER_APPLIED:
        buf.put("document_number", data[i], swap)
        buf.put("document_number_check", check, digit)


def _correct_letters(buf: _Buffer, name: str, cells: list[Pos], ok: Any) -> None:
    """Letter-only fields: map digits to letters when the result has the field's shape."""
    old = buf.text(cells)
    new = "".join(DIGIT_TO_LETTER.get(c, c) for c in old)
    if new != old and not ok(old) and ok(new):
        for pos, char in zip(cells, new, strict=True):
            buf.put(name, pos, char)


def _code_ok(code: str) -> bool:
    return code[0] in _LETTERS and (code[1] in _LETTERS or code[1] == FILLER)


def _correct(lines: list[str], lay: _Layout) -> _Buffer:
    """The buffer after OCR correction.

    Letter-only fields first (no check digit involved). Then the fields with check digits; with
    a composite (TD1/TD2/TD3) those fixes stand only if the composite then passes too: it weighs
    the dates differently from their own check digits, so a lucky wrong fix is caught. If it
    fails, none of them is applied and the errors stand as read.
    """
    buf = _Buffer(lines)
    _correct_letters(buf, "document_code", lay.code, _code_ok)
    _correct_letters(buf, "issuing_state", lay.issuer, _COUNTRY.fullmatch)
    _correct_letters(buf, "nationality", lay.nationality, _COUNTRY.fullmatch)
    _correct_letters(buf, "sex", [lay.sex], lambda s: s in "MFX<")
    rows, done = [list(row) for row in buf.rows], len(buf.corrections)
    _correct_date(buf, "date_of_birth", lay.birth, lay.birth_check)
    _correct_date(buf, "date_of_expiry", lay.expiry, lay.expiry_check)
    if lay.optional_check is not None:
        _correct_check_only(buf, "optional_data", lay.optional, lay.optional_check)
    _correct_number(buf, lay)
    if lay.composite_check is not None:
        _correct_check_only(buf, "composite", lay.composite, lay.composite_check)
        if len(buf.corrections) > done and not _composite_ok(buf, lay):
            buf.rows, buf.corrections = rows, buf.corrections[:done]
    return buf


# --------------------------------------------------------------------------- validation

class _Report:
    def __init__(self, buf: _Buffer) -> None:
        self.buf = buf
        self.issues: list[FieldIssue] = []
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
        expected = _check_or_none(text)
        ok = _check_ok(text, found)
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

    if not _DATE_SHAPE.fullmatch(raw):
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
    today = today or date.today()
    doc_type, lines = normalise(text)
    lay = _layout(doc_type)
    buf = _correct(lines, lay) if correct else _Buffer(lines)
    rep = _Report(buf)
    get = buf.text

    rep.illegal("document_code", lay.code[:1], _LETTERS, "a letter")
    rep.illegal("document_code", lay.code[1:], _LETTERS | {FILLER}, "a letter or '<'")
    for name, cells in (("issuing_state", lay.issuer), ("nationality", lay.nationality)):
        code = get(cells)
        clean = rep.illegal(name, cells, _LETTERS | {FILLER}, "a letter")
        if clean and not _COUNTRY.fullmatch(code):
            rep.issues.append(FieldIssue(
                name, "invalid_code", f"{name}: not three letters or D<<", expected="AAA",
                found=None, position=(cells[0][0] + 1, cells[0][1] + 1),
            ))  # fmt: skip
    rep.illegal("name", lay.name, _LETTERS | {FILLER}, "a letter or '<'")

    number, number_check, optional = _number_positions(buf, lay)
    rep.illegal("document_number", number, frozenset(MRZ_CHARS), "A-Z, 0-9 or '<'")
    if rep.illegal("document_number_check", [number_check], _DIGITS | {FILLER}, "a digit"):
        rep.check("document_number", number, number_check)
    else:
        rep.checks["document_number"] = False

    dates: dict[str, PartialDate | None] = {}
    for name, cells, chk, kind in (
        ("date_of_birth", lay.birth, lay.birth_check, "birth"),
        ("date_of_expiry", lay.expiry, lay.expiry_check, "expiry"),
    ):
        clean = rep.illegal(name, cells, _DIGITS | {FILLER}, "a digit or '<'")
        if rep.illegal(f"{name}_check", [chk], _DIGITS | {FILLER}, "a digit"):
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
        if rep.illegal("optional_data_check", [lay.optional_check], _DIGITS | {FILLER}, "a digit"):
            rep.check("optional_data", lay.optional, lay.optional_check)
        else:
            rep.checks["optional_data"] = False
    if lay.composite_check is not None:
        if rep.illegal("composite_check", [lay.composite_check], _DIGITS | {FILLER}, "a digit"):
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
    )


# --------------------------------------------------------------------------- generator

def _mrz_text(value: str, what: str) -> str:
    """Upper-case, spaces/hyphens to '<', apostrophes dropped; reject anything else."""
    out = value.upper().replace("'", "").replace(" ", FILLER).replace("-", FILLER).replace(",", "")
    bad = sorted(set(out) - MRZ_CHARS)
    if bad:
        raise MrzError(f"{what} has characters an MRZ cannot hold: {''.join(bad)!r}",
                       "transliterate to A-Z (ICAO 9303 part 3) first")  # fmt: skip
    return out


def _fit(value: str, width: int, what: str) -> str:
    if len(value) > width:
        raise MrzError(f"{what} is longer than {width} characters", "shorten it")
    return value.ljust(width, FILLER)


def _name_field(surname: str, given_names: str, width: int) -> str:
    """Primary and secondary identifiers, '<<' between, truncated to `width` (ICAO 9303 p3)."""
    primary = _mrz_text(surname.strip(), "surname").strip(FILLER)
    secondary = _mrz_text(" ".join(given_names.split()), "given names").strip(FILLER)
    text = f"{primary}<<{secondary}" if secondary else primary
    if len(text) > width:
        if len(primary) + 3 <= width:  # truncate the given names, keep at least one letter
            text = f"{primary}<<{secondary}"[:width].rstrip(FILLER)
        else:
            text = primary[:width]
    return text.ljust(width, FILLER)


def _country(code: str, what: str) -> str:
    code = _mrz_text(code.strip(), what).ljust(3, FILLER)
    if not _COUNTRY.fullmatch(code):
        raise MrzError(f"{what} must be three letters or D", "use an ICAO 9303 code")
    return code


def make_mrz(
    doc_type: DocType,
    *,
    document_code: str,
    issuing_state: str,
    document_number: str,
    surname: str,
    given_names: str,
    nationality: str,
    date_of_birth: str,
    sex: str,
    date_of_expiry: str,
    optional_data: str = "",
    optional_data_2: str = "",
) -> list[str]:
    """Build a valid MRZ from fields, computing every check digit.

    Dates are "YYMMDD" ('<<' for an unknown month/day); sex is M, F, X or '<' (X is written '<').
    A TD1/TD2 document number longer than 9 continues in the optional data (long-number rule).
    Raises MrzError when a field cannot be represented.
    """
    if doc_type not in LAYOUTS:
        raise MrzError(f"unknown MRZ type {doc_type!r}", "use TD1, TD2, TD3, MRVA or MRVB")
    lines_n, width = LAYOUTS[doc_type]
    code = _fit(_mrz_text(document_code, "document code"), 2, "document code")
    if doc_type.startswith("MRV") != code.startswith("V"):
        raise MrzError("visa layouts (MRVA/MRVB) need a document code starting with V, others not",
                       "fix the document code or the type")  # fmt: skip
    issuer = _country(issuing_state, "issuing state")
    nation = _country(nationality, "nationality")
    number = _mrz_text(document_number, "document number")
    dob = _fit(_mrz_text(date_of_birth, "date of birth"), 6, "date of birth")
    doe = _fit(_mrz_text(date_of_expiry, "date of expiry"), 6, "date of expiry")
    sex_char = {"M": "M", "F": "F", "X": FILLER, FILLER: FILLER, "": FILLER}.get(sex.upper())
    if sex_char is None:
        raise MrzError("sex must be M, F or X", "use X when unspecified")
    opt = _mrz_text(optional_data, "optional data")
    opt2 = _mrz_text(optional_data_2, "optional data 2")
    number_field, number_check = number.ljust(9, FILLER), check_digit(number)
    if len(number) > 9:
        if doc_type not in ("TD1", "TD2"):
            raise MrzError("document number is longer than 9 characters", "only TD1/TD2 allow it")
        number_field, number_check = number[:9], FILLER
        opt = number[9:] + check_digit(number) + (FILLER + opt if opt else "")
    dates = f"{dob}{check_digit(dob)}{sex_char}{doe}{check_digit(doe)}"
    name_width = 30 if doc_type == "TD1" else width - 5
    name = _name_field(surname, given_names, name_width)
    head = f"{code}{issuer}"
    if doc_type == "TD1":
        l1 = f"{head}{number_field}{number_check}{_fit(opt, 15, 'optional data')}"
        l2 = f"{dates}{nation}{_fit(opt2, 11, 'optional data 2')}"
        comp = l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
        return [l1, l2 + check_digit(comp), name]
    l2 = f"{number_field}{number_check}{nation}{dates}"
    if doc_type == "TD3":
        opt_f = _fit(opt, 14, "optional data")
        l2 += opt_f + (check_digit(opt_f) if opt_f.strip(FILLER) else FILLER)
        l2 += check_digit(l2[0:10] + l2[13:20] + l2[21:43])
    elif doc_type == "TD2":
        l2 += _fit(opt, 7, "optional data")
        l2 += check_digit(l2[0:10] + l2[13:20] + l2[21:35])
    else:
        l2 += _fit(opt, width - 28, "optional data")
    assert len(l2) == width and lines_n == 2
    return [head + name, l2]

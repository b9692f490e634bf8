"""OCR correction of an MRZ: only known-class fields, only when a check digit proves it.

Internal to ocr.mrz; see its docstring and docs/mrz.md for the rules. Standard library only.
"""

from __future__ import annotations

from typing import Any

from ocr.country_codes import is_known_code
from ocr.mrz_layout import (
    DATE_SHAPE,
    FILLER,
    LETTERS,
    Buffer,
    Layout,
    Pos,
    check_ok,
    number_positions,
)

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
_NEVER_APPLIED = {("0", "D"), ("0", "Q")}


# --------------------------------------------------------------------------- correction

def _correct_date(buf: Buffer, name: str, data: list[Pos], check: Pos) -> None:
    """Map letters to digits in a date and its check digit if that makes the check pass and
    leaves a well-formed date ('<' and '0' weigh the same: the check cannot tell them apart)."""
    cells = [*data, check]
    old = [buf.get(p) for p in cells]
    new = [LETTER_TO_DIGIT.get(c, c) for c in old]
    if new == old:
        return
    # One cell only: weights 7, 3, 1 are prime to 10, so a wrong single digit always fails the
    # check; two changed cells (say a slip in the date and one in its check digit) can pass it
    # by chance, and the composite only catches nine in ten of those. Such a date stays as
    # read, with its failing check named for the officer.
    if sum(a != b for a, b in zip(old, new, strict=True)) > 1:
        return
    date_text = "".join(new[:-1])
    if not (DATE_SHAPE.fullmatch(date_text) or set(date_text) == {FILLER}):
        return
    # The original cannot be right: it has letters in a digit field (even when G, weighing 16,
    # happens to pass a check meant for 6).
    if check_ok(date_text, new[-1]):
        for pos, char in zip(cells, new, strict=True):
            buf.put(name if pos != check else f"{name}_check", pos, char)


def _correct_check_only(buf: Buffer, name: str, data: list[Pos], check: Pos) -> None:
    """Fields of unknown class: only a letter in the check-digit position may be mapped."""
    found = buf.get(check)
    digit = LETTER_TO_DIGIT.get(found)
    if digit and check_ok(buf.text(data), digit):
        buf.put(f"{name}_check", check, digit)


def _composite_ok(buf: Buffer, lay: Layout) -> bool:
    """True when the layout has no composite, or it passes (a letter check digit mapped)."""
    if lay.composite_check is None:
        return True
    found = buf.get(lay.composite_check)
    return check_ok(buf.text(lay.composite), LETTER_TO_DIGIT.get(found, found))


def _correct_number(buf: Buffer, lay: Layout) -> None:
    """Alphanumeric document number: one O/0-style substitution, applied only when exactly one
    candidate passes the number's check digit."""
    data, check, _ = number_positions(buf, lay)
    text = buf.text(data)
    found = buf.get(check)
    digit = LETTER_TO_DIGIT.get(found, found)
    if check_ok(text, digit):
        if digit != found:
            buf.put("document_number_check", check, digit)
        return
    if digit != found:
        return  # the check digit is itself a guess: it cannot also vouch for a swap
    candidates: list[tuple[int, str]] = []
    for i, char in enumerate(text):
        for swap in _ALNUM_SWAPS.get(char, ()):
            if check_ok(text[:i] + swap + text[i + 1 :], digit):
                candidates.append((i, swap))
    if len(candidates) != 1:
        return
    i, swap = candidates[0]
    if (text[i], swap) not in _NEVER_APPLIED:
        buf.put("document_number", data[i], swap)
        buf.put("document_number_check", check, digit)


def _correct_letters(buf: Buffer, name: str, cells: list[Pos], ok: Any) -> None:
    """Letter-only fields: map digits to letters when the result has the field's shape."""
    old = buf.text(cells)
    new = "".join(DIGIT_TO_LETTER.get(c, c) for c in old)
    if new != old and not ok(old) and ok(new):
        for pos, char in zip(cells, new, strict=True):
            buf.put(name, pos, char)


def _code_ok(code: str) -> bool:
    return code[0] in LETTERS and (code[1] in LETTERS or code[1] == FILLER)


def correct_ocr(lines: list[str], lay: Layout) -> Buffer:
    """The buffer after OCR correction.

    Letter-only fields first (no check digit involved). Then the fields with check digits; with
    a composite (TD1/TD2/TD3) those fixes stand only if the composite then passes too: it weighs
    the dates differently from their own check digits, so a lucky wrong fix is caught. If it
    fails, none of them is applied and the errors stand as read.
    """
    buf = Buffer(lines)
    _correct_letters(buf, "document_code", lay.code, _code_ok)
    # Only to a listed code: a document may print digits there (`132` on a Romanian ID).
    _correct_letters(buf, "issuing_state", lay.issuer, is_known_code)
    _correct_letters(buf, "nationality", lay.nationality, is_known_code)
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

"""Property tests: generator -> text -> parser round trips, and fuzzing the parser."""

from __future__ import annotations

import os
import string
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from imdms.errors import MrzError
from ocr.mrz import LAYOUTS, DocType, make_mrz, parse_mrz

TODAY = date(2026, 11, 27)
# IMDMS_FUZZ_SCALE=20 runs 20x the examples (a soak run); the suite default stays fast.
SCALE = int(os.environ.get("IMDMS_FUZZ_SCALE", "1"))
FAST = settings(
    max_examples=100 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
LETTERS = string.ascii_uppercase
ALNUM = LETTERS + string.digits
NAME_WIDTH = {"TD1": 30, "TD2": 31, "TD3": 39, "MRVA": 39, "MRVB": 31}
OPTIONAL_WIDTH = {"TD1": 15, "TD2": 7, "TD3": 14, "MRVA": 16, "MRVB": 8}

word = st.text(LETTERS, min_size=1, max_size=8)
country = st.one_of(st.text(LETTERS, min_size=3, max_size=3), st.sampled_from(
    ["D", "XXA", "XXB", "XXC", "XXX", "UNO", "UNA", "UNK", "LSO", "ZAF"]))  # fmt: skip


def inner(alphabet: str, max_size: int) -> st.SearchStrategy[str]:
    """Free text of MRZ characters with no filler at either end (the parser strips those)."""
    return st.text(alphabet + "<", max_size=max_size).map(lambda s: s.strip("<"))


@st.composite
def yymmdd(draw: st.DrawFn, low: date, high: date) -> tuple[str, str | None]:
    """A date as YYMMDD (maybe with '<<' parts) and the ISO string the parser must give."""
    day = draw(st.dates(min_value=low, max_value=high))
    unknown = draw(st.sampled_from(["none", "none", "day", "month"]))
    if unknown == "day":
        return day.strftime("%y%m") + "<<", day.strftime("%Y-%m")
    if unknown == "month":
        return day.strftime("%y") + "<<<<", day.strftime("%Y")
    return day.strftime("%y%m%d"), day.isoformat()


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    doc_type: DocType = draw(st.sampled_from(list(LAYOUTS)))
    if doc_type.startswith("MRV"):
        code = "V" + draw(st.sampled_from(LETTERS + "<"))
    elif doc_type == "TD3":
        code = "P" + draw(st.sampled_from(LETTERS + "<"))
    else:
        code = draw(st.sampled_from("IAC")) + draw(st.sampled_from(LETTERS + "<"))
    width = OPTIONAL_WIDTH[doc_type]
    long_number = doc_type in ("TD1", "TD2") and draw(st.booleans())
    if long_number:
        number = draw(st.text(ALNUM, min_size=10, max_size=9 + width - 1))
        room = width - (len(number) - 9) - 2  # continuation, check digit, '<'
        optional = draw(inner(ALNUM, max(room, 0))) if room > 0 else ""
    else:
        number = draw(st.text(ALNUM, min_size=1, max_size=9))
        optional = draw(inner(ALNUM, width))
    surname = draw(st.lists(word, min_size=1, max_size=3).map(" ".join))
    given = draw(st.lists(word, max_size=3).map(" ".join))
    if len(surname) + 2 + len(given) > NAME_WIDTH[doc_type]:
        given = ""
        surname = surname[: NAME_WIDTH[doc_type]].strip()
    birth, birth_iso = draw(yymmdd(TODAY - timedelta(days=99 * 365), TODAY))
    expiry, expiry_iso = draw(yymmdd(date(TODAY.year - 79, 1, 1), date(TODAY.year + 20, 12, 31)))
    return {
        "doc_type": doc_type, "document_code": code, "issuing_state": draw(country),
        "document_number": number, "surname": surname, "given_names": given,
        "nationality": draw(country), "date_of_birth": birth, "sex": draw(st.sampled_from("MFX")),
        "date_of_expiry": expiry, "optional_data": optional,
        "optional_data_2": draw(inner(ALNUM, 11)) if doc_type == "TD1" else "",
        "birth_iso": birth_iso, "expiry_iso": expiry_iso,
    }  # fmt: skip


@FAST
@given(documents())
def test_generator_parser_round_trip(doc: dict[str, Any]) -> None:
    fields = dict(doc)
    birth_iso, expiry_iso = fields.pop("birth_iso"), fields.pop("expiry_iso")
    doc_type = fields.pop("doc_type")
    lines = make_mrz(doc_type, **fields)
    assert [len(line) for line in lines] == [LAYOUTS[doc_type][1]] * LAYOUTS[doc_type][0]
    rec = parse_mrz("\n".join(lines), today=TODAY)
    assert rec.valid, rec.errors
    assert rec.corrections == ()  # a valid MRZ is never "corrected"
    assert rec.doc_type == doc_type
    assert rec.document_code == fields["document_code"].rstrip("<")
    assert rec.issuing_state == fields["issuing_state"]
    assert rec.nationality == fields["nationality"]
    assert rec.document_number == fields["document_number"]
    assert (rec.surname, rec.given_names) == (fields["surname"], fields["given_names"])
    assert rec.sex == fields["sex"]
    assert rec.date_of_birth is not None and rec.date_of_birth.iso() == birth_iso
    assert rec.date_of_expiry is not None and rec.date_of_expiry.iso() == expiry_iso
    assert rec.optional_data == fields["optional_data"]
    assert rec.optional_data_2 == fields["optional_data_2"]
    assert rec.lines == tuple(lines)


MRZ_ALPHABET = ALNUM + "<<<<<<"
SHAPES = [(2, 44), (2, 36), (3, 30)]


@st.composite
def mrz_shaped(draw: st.DrawFn) -> str:
    """Right shape, random content (mostly MRZ characters, some junk)."""
    n, width = draw(st.sampled_from(SHAPES))
    alphabet = st.one_of(st.sampled_from(MRZ_ALPHABET), st.characters(codec="utf-8"))
    line = st.text(alphabet, min_size=width, max_size=width)
    return "\n".join(draw(line) for _ in range(n))


@settings(max_examples=150 * SCALE, deadline=None)
@given(
    st.one_of(
        st.text(), mrz_shaped(), st.lists(st.text(max_size=50), max_size=4), st.binary(max_size=100)
    )
)
@example("\n".join(["<" * 44] * 2))
@example("\n".join(["V" + "<" * 43] * 2))
@example("\n".join(["\u0660" * 30] * 3))  # Arabic-Indic digits are not MRZ digits
@example("ß" * 22 + "\n" + "A" * 44)  # upper() makes 44 characters out of 22
def test_parser_only_raises_mrz_error(text: str | list[str] | bytes) -> None:
    for correct in (True, False):
        try:
            rec = parse_mrz(text, today=TODAY, correct=correct)  # type: ignore[arg-type]
        except MrzError as err:
            assert "\n" not in err.message
            continue
        rec.to_json()
        assert rec.valid == (not rec.errors and all(rec.checks.values()))


@settings(max_examples=120 * SCALE, deadline=None)
@given(
    documents(),
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 43), st.sampled_from("O0I1B8S5Z2G6DQ<A#")),
        max_size=4,
    ),
)
def test_corrections_are_safe(doc: dict[str, Any], slips: list[tuple[int, int, str]]) -> None:
    """OCR slips in a valid MRZ: never raise; names are never touched; every change is listed;
    dates that come out valid after a correction are the original ones. (The document number
    has one check digit only: an unmodelled slip can be "fixed" wrongly, see
    benchmarks/mrz_correction.py; the correction is then reported.)"""
    fields = dict(doc)
    fields.pop("birth_iso"), fields.pop("expiry_iso")
    doc_type = fields.pop("doc_type")
    original = make_mrz(doc_type, **fields)
    rows = [list(line) for line in original]
    for line, col, char in slips:
        if line < len(rows) and col < len(rows[line]) and not (line == 0 and col == 0):
            rows[line][col] = char
    damaged = ["".join(r) for r in rows]
    try:
        rec = parse_mrz(damaged, today=TODAY)
    except MrzError:  # too much junk to be an MRZ at all
        return
    changed = {(r, c) for r in range(len(damaged)) for c in range(len(damaged[r]))
               if damaged[r][c] != rec.lines[r][c]}  # fmt: skip
    assert changed == {(c.line - 1, c.column - 1) for c in rec.corrections}
    for c in rec.corrections:
        assert c.field != "name" and damaged[c.line - 1][c.column - 1] == c.found
    name_row, name_cols = (2, range(30)) if doc_type == "TD1" else (0, range(5, len(damaged[0])))
    assert all((name_row, col) not in changed for col in name_cols)
    if rec.valid and rec.corrections:
        recovered = parse_mrz(original, today=TODAY)
        assert rec.date_of_birth == recovered.date_of_birth
        assert rec.date_of_expiry == recovered.date_of_expiry

"""ocr.mrz OCR correction: only known-class fields, only when a check digit proves it, reported."""

from __future__ import annotations

from datetime import date

import pytest

from ocr.mrz import Correction, MrzRecord, make_mrz, parse_mrz
from ocr.specimens import ICAO_SPECIMENS

TODAY = date(2026, 11, 27)
TD3 = ICAO_SPECIMENS["icao_specimen_td3"]
TD1 = ICAO_SPECIMENS["icao_specimen_td1"]
L1, L2 = TD3


def put(line: str, index: int, char: str) -> str:
    return line[:index] + char + line[index + 1 :]


def parsed(lines: list[str], correct: bool = True) -> MrzRecord:
    return parse_mrz(lines, today=TODAY, correct=correct)


def test_letter_in_date_is_corrected_and_reported() -> None:
    rec = parsed([L1, put(L2, 15, "O")])  # 74O8122 -> 7408122
    assert rec.valid and rec.date_of_birth is not None and rec.date_of_birth.iso() == "1974-08-12"
    assert rec.corrections == (Correction("date_of_birth", 2, 16, "O", "0"),)
    assert rec.lines == tuple(TD3)


def test_letter_in_check_digit_is_corrected() -> None:
    rec = parsed([L1, put(L2, 19, "Z")])  # date-of-birth check 2 read as Z
    assert rec.valid
    assert rec.corrections == (Correction("date_of_birth_check", 2, 20, "Z", "2"),)


def test_several_letters_in_one_date_field_stay_as_read() -> None:
    """Two changed cells in one date can pass its check digit by chance (one never can), so
    the date is left as read and the record is not valid: the officer sees the failing check.
    (Hypothesis found I-for-0 slips in a TD2 birth date and its check digit that passed both
    the date's check and the composite with a wrong date.)"""
    line = put(put(L2, 21, "I"), 23, "O")  # 120415 -> I2O415
    rec = parsed([L1, line])
    assert not rec.valid
    assert not any(c.field == "date_of_expiry" for c in rec.corrections)


def test_one_letter_in_a_date_field_is_corrected() -> None:
    rec = parsed([L1, put(L2, 23, "O")])  # 120415 -> 12O415
    assert rec.valid
    assert [(c.field, c.corrected) for c in rec.corrections] == [("date_of_expiry", "0")]


def test_no_correction_when_the_check_digit_still_fails() -> None:
    line = put(put(L2, 15, "O"), 19, "3")  # letter in the date AND a wrong check digit
    rec = parsed([L1, line])
    assert rec.corrections == ()
    assert not rec.valid
    kinds = {(e.field, e.kind) for e in rec.errors}
    assert ("date_of_birth", "illegal_char") in kinds
    assert rec.checks["date_of_birth"] is False
    assert rec.date_of_birth is None


def test_correct_false_reports_instead_of_fixing() -> None:
    rec = parsed([L1, put(L2, 15, "O")], correct=False)
    assert rec.corrections == () and not rec.valid
    [illegal] = [e for e in rec.errors if e.kind == "illegal_char"]
    assert (illegal.field, illegal.found, illegal.position) == ("date_of_birth", "O", (2, 16))


def test_document_number_single_unambiguous_substitution() -> None:
    rec = parsed([L1, put(L2, 5, "O")])  # L8989O2C3: only O->0 passes
    assert rec.valid and rec.document_number == "L898902C3"
    assert rec.corrections == (Correction("document_number", 2, 6, "O", "0"),)


def test_document_number_ambiguous_is_not_corrected() -> None:
    # L89B902C3 with check 6: both B->8 (position 4) and 8->B (position 2) pass: ambiguous
    rec = parsed([L1, put(L2, 3, "B")])
    assert rec.corrections == ()
    assert rec.document_number == "L89B902C3"
    assert rec.checks["document_number"] is False
    issue = next(e for e in rec.errors if e.field == "document_number")
    assert (issue.kind, issue.expected, issue.found) == ("check_digit", "7", "6")


def test_document_number_with_legitimate_letters_is_left_alone() -> None:
    lines = make_mrz(
        "TD3", document_code="P", issuing_state="LSO", document_number="AO1I5S8B2",
        surname="A", given_names="B", nationality="LSO", date_of_birth="800101", sex="F",
        date_of_expiry="300101",
    )  # fmt: skip
    rec = parsed(lines)
    assert rec.valid and rec.corrections == () and rec.document_number == "AO1I5S8B2"


TD1_LONG = [
    "I<UTOD23145890<7349<<<<<<<<<<<",
    "3407127M9507122UTO<<<<<<<<<<<2",
    "STEVENSON<<PETER<JOHN<<<<<<<<<",
]


def test_td1_long_document_number_is_corrected() -> None:
    rec = parsed([put(TD1_LONG[0], 13, "O"), *TD1_LONG[1:]])  # D2314589O<7349
    assert rec.valid and rec.document_number == "D23145890734"
    assert rec.corrections == (Correction("document_number", 1, 14, "O", "0"),)


@pytest.mark.parametrize(("index", "char"), [(16, "Z"), (17, "B"), (15, "Z")])
def test_td1_long_number_unmodelled_slip_is_not_miscorrected(index: int, char: str) -> None:
    """4 read as Z/B and 7 read as Z are no modelled confusion: a lucky candidate elsewhere in
    the number passes the number check but the composite (offset by the '<') contradicts it."""
    rec = parsed([put(TD1_LONG[0], index, char), *TD1_LONG[1:]])
    assert rec.corrections == () and not rec.valid


def test_zero_that_was_a_d_is_not_miscorrected() -> None:
    """0 for D: 8->B would pass every check, but 0->D passes too, so it is ambiguous."""
    rec = parsed([put(TD1_LONG[0], 5, "0"), *TD1_LONG[1:]])
    assert rec.corrections == () and not rec.valid


def test_digits_in_country_codes_become_letters_of_a_listed_code() -> None:
    lines = make_mrz(
        "TD3", document_code="P", issuing_state="ZAF", document_number="RA0284713",
        surname="A", given_names="B", nationality="BWA", date_of_birth="800101", sex="F",
        date_of_expiry="300101",
    )  # fmt: skip
    rec = parsed([put(lines[0], 2, "2"), put(lines[1], 10, "8")])  # 2AF issuer, 8WA nationality
    assert (rec.issuing_state, rec.nationality) == ("ZAF", "BWA")
    fields = [(c.field, c.found, c.corrected) for c in rec.corrections]
    assert fields == [("issuing_state", "2", "Z"), ("nationality", "8", "B")]


def test_digits_are_kept_when_no_listed_code_results() -> None:
    """0T0 would become OTO, which no state uses: kept as read (and flagged), not guessed."""
    rec = parsed([put(put(L1, 4, "0"), 2, "0"), put(L2, 12, "0")])
    assert (rec.issuing_state, rec.nationality) == ("0T0", "UT0")
    assert rec.corrections == () and rec.nonstandard_codes == ("issuing_state", "nationality")


def test_lso_with_zero_is_corrected() -> None:
    lines = make_mrz(
        "TD3", document_code="P", issuing_state="LSO", document_number="RA0284713",
        surname="A", given_names="B", nationality="LSO", date_of_birth="800101", sex="F",
        date_of_expiry="300101",
    )  # fmt: skip
    rec = parsed([put(lines[0], 4, "0"), put(lines[1], 12, "0")])
    assert rec.valid and rec.issuing_state == rec.nationality == "LSO"
    assert len(rec.corrections) == 2


def test_digit_in_document_code_becomes_letter() -> None:
    rec = parsed([put(TD1[0], 0, "1"), *TD1[1:]])
    assert rec.valid and rec.document_code == "I"
    assert rec.corrections == (Correction("document_code", 1, 1, "1", "I"),)


def test_digit_without_letter_twin_is_not_corrected() -> None:
    rec = parsed([put(L1, 3, "4"), L2])  # U4O: 4 has no letter twin
    assert rec.corrections == () and rec.issuing_state == "U4O"
    assert "issuing_state" in rec.nonstandard_codes  # (UTO, the specimen's, is unlisted too)


def test_names_are_never_corrected() -> None:
    line = L1.replace("ERIKSSON", "ER1KSS0N").replace("ANNA", "ANN4")
    rec = parsed([line, L2])
    assert rec.corrections == ()
    assert (rec.surname, rec.given_names) == ("ER1KSS0N", "ANN4 MARIA")
    assert {e.field for e in rec.errors} == {"name"} and len(rec.errors) == 3


def test_sex_is_not_guessed() -> None:
    rec = parsed([L1, put(L2, 20, "8")])
    assert rec.corrections == () and not rec.valid and rec.sex == "X"


def test_optional_data_is_never_corrected_only_its_check_letter() -> None:
    rec = parsed([L1, put(L2, 30, "I")])  # ZE1842 -> ZEI842 in the personal number
    assert rec.corrections == ()
    assert rec.checks["optional_data"] is False and rec.optional_data == "ZEI84226B"
    rec = parsed([L1, put(L2, 42, "I")])  # its check digit 1 read as I
    assert rec.valid
    assert rec.corrections == (Correction("optional_data_check", 2, 43, "I", "1"),)


def test_composite_check_letter_is_corrected() -> None:
    rec = parsed([L1, put(L2, 43, "O")])
    assert rec.valid
    assert rec.corrections == (Correction("composite_check", 2, 44, "O", "0"),)


def test_corrections_are_in_the_json() -> None:
    out = parsed([L1, put(L2, 15, "O")]).to_dict()
    assert out["corrections"] == [
        {"field": "date_of_birth", "line": 2, "column": 16, "found": "O", "corrected": "0"}
    ]
    assert out["valid"] is True


def test_g_for_6_in_a_date_is_corrected_although_it_weighs_the_same() -> None:
    """G (16) and 6 give the same check digit, so the slip passes the check as read; the date
    still has a letter in it, and mapping it is what makes the field legal."""
    lines = make_mrz(
        "TD3", document_code="P", issuing_state="LSO", document_number="RA1234567",
        surname="A", given_names="B", nationality="LSO", date_of_birth="860616", sex="M",
        date_of_expiry="300101",
    )  # fmt: skip
    rec = parsed([lines[0], put(lines[1], 14, "G")])
    assert rec.valid and rec.date_of_birth is not None
    assert rec.date_of_birth.iso() == "1986-06-16"
    assert rec.corrections == (Correction("date_of_birth", 2, 15, "G", "6"),)
    raw = parsed([lines[0], put(lines[1], 14, "G")], correct=False)
    assert raw.checks["date_of_birth"] is True and not raw.valid  # passes, but a letter in a date

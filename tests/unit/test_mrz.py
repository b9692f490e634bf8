"""ocr.mrz: ICAO 9303 specimens of every layout, check digits, names, dates, codes, errors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pytest

from imdms.errors import MrzError
from ocr.mrz import DocType, PartialDate, check_digit, make_mrz, parse_mrz
from ocr.specimens import ICAO_SPECIMENS, specimens

TODAY = date(2026, 11, 27)

# ICAO 9303 part 11 appendix D.2: 12-character document number continued in the optional data.
TD1_LONG = [
    "I<UTOD23145890<7349<<<<<<<<<<<",
    "3407127M9507122UTO<<<<<<<<<<<2",
    "STEVENSON<<PETER<JOHN<<<<<<<<<",
]
TD2_LONG = ["I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<", "D23145890<UTO3407127M95071227349<<<8"]


def parse(lines: Sequence[str] | str, *, correct: bool = True) -> dict[str, Any]:
    return parse_mrz(lines, today=TODAY, correct=correct).to_dict()


# --------------------------------------------------------------------------- ICAO specimens

@pytest.mark.parametrize(
    ("name", "doc_type", "number", "nationality", "birth", "expiry", "optional"),
    [
        ("icao_specimen_td3", "TD3", "L898902C3", "UTO", "1974-08-12", "2012-04-15", "ZE184226B"),
        ("icao_specimen_td1", "TD1", "D23145890", "UTO", "1974-08-12", "2012-04-15", ""),
        ("icao_specimen_td2", "TD2", "D23145890", "UTO", "1974-08-12", "2012-04-15", ""),
        ("icao_specimen_mrva", "MRVA", "L8988901C", "XXX", "1940-09-07", "1996-12-10",
         "6ZE184226B"),  # fmt: skip
        ("icao_specimen_mrvb", "MRVB", "L8988901C", "XXX", "1940-09-07", "1996-12-10", ""),
    ],
)
def test_icao_specimens(
    name: str, doc_type: str, number: str, nationality: str, birth: str, expiry: str, optional: str
) -> None:
    out = parse(ICAO_SPECIMENS[name])
    assert out["valid"] is True, out["errors"]
    assert out["doc_type"] == doc_type
    assert out["issuing_state"] == "UTO"
    assert out["document_number"] == number
    assert (out["surname"], out["given_names"]) == ("ERIKSSON", "ANNA MARIA")
    assert out["nationality"] == nationality
    assert (out["date_of_birth"], out["date_of_expiry"]) == (birth, expiry)
    assert out["sex"] == "F"
    assert out["optional_data"] == optional
    assert out["expired"] is True
    assert out["corrections"] == [] and out["errors"] == []
    composite = doc_type in ("TD1", "TD2", "TD3")
    assert ("composite" in out["checks"]) is composite
    assert all(out["checks"].values())


def test_td3_checks_include_optional_data() -> None:
    out = parse(ICAO_SPECIMENS["icao_specimen_td3"])
    assert set(out["checks"]) == {
        "document_number", "date_of_birth", "date_of_expiry", "optional_data", "composite",
    }  # fmt: skip


@pytest.mark.parametrize("lines", [TD1_LONG, TD2_LONG], ids=["TD1", "TD2"])
def test_long_document_number(lines: list[str]) -> None:
    out = parse(lines)
    assert out["valid"] is True, out["errors"]
    assert out["document_number"] == "D23145890734"
    assert out["optional_data"] == ""
    assert (out["surname"], out["given_names"]) == ("STEVENSON", "PETER JOHN")
    assert out["date_of_birth"] == "1934-07-12" and out["sex"] == "M"


def test_long_document_number_bad_check_digit() -> None:
    lines = list(TD1_LONG)
    lines[0] = lines[0].replace("7349", "7341")
    out = parse(lines, correct=False)
    assert out["checks"]["document_number"] is False
    issue = next(e for e in out["errors"] if e["field"] == "document_number")
    assert (issue["expected"], issue["found"]) == ("9", "1")
    assert issue["position"] == {"line": 1, "column": 19}


def test_long_document_number_with_optional_data_after_it() -> None:
    lines = make_mrz(
        "TD1", document_code="I", issuing_state="LSO", document_number="AB1234567890",
        surname="X", given_names="Y", nationality="LSO", date_of_birth="900101", sex="F",
        date_of_expiry="300101", optional_data="OPT9",
    )  # fmt: skip
    assert lines[0][14] == "<"
    out = parse(lines)
    assert out["valid"] is True
    assert (out["document_number"], out["optional_data"]) == ("AB1234567890", "OPT9")


# --------------------------------------------------------------------------- check digits

@pytest.mark.parametrize(
    ("data", "digit"),
    [("L898902C3", "6"), ("740812", "2"), ("120415", "9"), ("ZE184226B<<<<<", "1"),
     ("D23145890734", "9"), ("<<<<<<", "0"), ("", "0"), ("AZ09<", "8")],
)  # fmt: skip
def test_check_digit(data: str, digit: str) -> None:
    assert check_digit(data) == digit


def test_check_digit_rejects_other_characters() -> None:
    with pytest.raises(ValueError):
        check_digit("ab")


def test_composite_failure_is_reported_alone() -> None:
    lines = list(ICAO_SPECIMENS["icao_specimen_td3"])
    lines[1] = lines[1][:43] + "3"
    out = parse(lines)
    assert out["valid"] is False
    assert out["checks"] == {
        "document_number": True, "date_of_birth": True, "date_of_expiry": True,
        "optional_data": True, "composite": False,
    }  # fmt: skip
    [issue] = out["errors"]
    assert issue["field"] == "composite" and issue["kind"] == "check_digit"
    assert (issue["expected"], issue["found"]) == ("0", "3")
    assert issue["position"] == {"line": 2, "column": 44}


def test_bad_check_digit_specimen_reports_field_and_digits() -> None:
    out = parse(specimens(TODAY)["bad_check_digit"])
    assert out["valid"] is False
    fields = {e["field"] for e in out["errors"]}
    assert "date_of_birth" in fields
    issue = next(e for e in out["errors"] if e["field"] == "date_of_birth")
    assert issue["expected"] != issue["found"]
    assert issue["position"] == {"line": 2, "column": 20}


def test_empty_td3_optional_data_accepts_filler_or_zero_check() -> None:
    base = specimens(TODAY)["lso_passport"]
    assert base[1][42] == "<"
    assert parse(base)["valid"] is True
    zero = [base[0], base[1][:42] + "0" + base[1][43:]]
    assert parse(zero)["checks"]["optional_data"] is True


# --------------------------------------------------------------------------- names

@pytest.mark.parametrize(
    ("field", "surname", "given"),
    [
        ("ERIKSSON<<ANNA<MARIA<<<<", "ERIKSSON", "ANNA MARIA"),
        ("DE<LA<CRUZ<<JUAN<<<<<<<<", "DE LA CRUZ", "JUAN"),
        ("MOSHOESHOE<<<<<<<<<<<<<<", "MOSHOESHOE", ""),
        ("<<NTHABISENG<<<<<<<<<<<<", "", "NTHABISENG"),
        ("MOKOENA<<THABO<<JOHN<<<<", "MOKOENA", "THABO JOHN"),
    ],
)
def test_names(field: str, surname: str, given: str) -> None:
    lines = list(ICAO_SPECIMENS["icao_specimen_td3"])
    lines[0] = ("P<UTO" + field).ljust(44, "<")
    out = parse(lines)
    assert (out["surname"], out["given_names"]) == (surname, given)


def test_digit_in_name_is_an_error_with_position() -> None:
    lines = list(ICAO_SPECIMENS["icao_specimen_td3"])
    lines[0] = lines[0].replace("ERIKSSON", "ERIKSS0N")
    out = parse(lines)
    assert out["valid"] is False and out["surname"] == "ERIKSS0N"
    [issue] = out["errors"]
    assert issue["field"] == "name" and issue["kind"] == "illegal_char"
    assert issue["found"] == "0" and issue["position"] == {"line": 1, "column": 12}


# --------------------------------------------------------------------------- dates

def _with_dates(birth: str, expiry: str, doc: DocType = "TD3") -> list[str]:
    return make_mrz(
        doc, document_code="P" if doc == "TD3" else "I", issuing_state="LSO",
        document_number="RA1234567", surname="A", given_names="B", nationality="LSO",
        date_of_birth=birth, sex="M", date_of_expiry=expiry,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("birth", "iso"),
    [("740812", "1974-08-12"), ("261127", "2026-11-27"), ("261128", "1926-11-28"),
     ("000229", "2000-02-29"), ("150101", "2015-01-01"), ("990101", "1999-01-01")],
)  # fmt: skip
def test_birth_century_is_in_the_past(birth: str, iso: str) -> None:
    assert parse(_with_dates(birth, "300101"))["date_of_birth"] == iso


@pytest.mark.parametrize(
    ("expiry", "iso"),
    [("300101", "2030-01-01"), ("461231", "2046-12-31"), ("470101", "1947-01-01"),
     ("120415", "2012-04-15"), ("991231", "1999-12-31")],
)  # fmt: skip
def test_expiry_century_up_to_20_years_ahead(expiry: str, iso: str) -> None:
    assert parse(_with_dates("800101", expiry))["date_of_expiry"] == iso


@pytest.mark.parametrize(
    ("birth", "iso", "year", "month", "day"),
    [("74<<<<", "1974", 1974, None, None), ("7408<<", "1974-08", 1974, 8, None),
     ("26<<<<", "2026", 2026, None, None)],
)  # fmt: skip
def test_partial_birth_dates(
    birth: str, iso: str, year: int, month: int | None, day: int | None
) -> None:
    rec = parse_mrz(_with_dates(birth, "300101"), today=TODAY)
    assert rec.valid, rec.errors
    assert rec.date_of_birth == PartialDate(year, month, day)
    assert rec.to_dict()["date_of_birth"] == iso


def test_unknown_birth_date_is_null() -> None:
    out = parse(_with_dates("<<<<<<", "300101"))
    assert out["date_of_birth"] is None and out["valid"] is True


@pytest.mark.parametrize(
    ("birth", "why"),
    [("741312", "month"), ("740231", "day"), ("010229", "day"), ("74<812", "unknown"),
     ("<<0812", "unknown"), ("74<<12", "unknown"), ("7408<1", "unknown")],
)  # fmt: skip
def test_impossible_dates_are_errors(birth: str, why: str) -> None:
    out = parse(_with_dates(birth, "300101"))
    assert out["date_of_birth"] is None and out["valid"] is False
    [issue] = out["errors"]
    assert issue["kind"] == "invalid_date" and why in issue["message"]


def test_expired_flag() -> None:
    s = specimens(TODAY)
    assert parse(s["expired_passport"])["expired"] is True
    assert parse(s["lso_passport"])["expired"] is False
    # a partial expiry counts to the end of its period
    assert parse(_with_dates("800101", "2611<<"))["expired"] is False
    assert parse(_with_dates("800101", "2610<<"))["expired"] is True


def test_partial_date_bounds() -> None:
    assert PartialDate(2024, 2).latest() == date(2024, 2, 29)
    assert PartialDate(2023).earliest() == date(2023, 1, 1)
    assert PartialDate(2023, 7, 4).iso() == "2023-07-04"


# --------------------------------------------------------------------------- codes, sex

@pytest.mark.parametrize("code", ["D", "XXA", "XXB", "XXC", "XXX", "UNO", "UNA", "UNK", "LSO"])
def test_icao_codes_accepted(code: str) -> None:
    lines = make_mrz(
        "TD3", document_code="P", issuing_state=code, document_number="X1", surname="A",
        given_names="B", nationality=code, date_of_birth="800101", sex="F",
        date_of_expiry="300101",
    )  # fmt: skip
    out = parse(lines)
    assert out["valid"] is True
    assert out["issuing_state"] == out["nationality"] == code


@pytest.mark.parametrize("bad", ["L5O", "LS<", "<<<", "D<A", "UTO"])
def test_unlisted_country_code_is_a_warning_not_an_error(bad: str) -> None:
    """No check digit covers the issuing state: an unlisted code is kept and flagged."""
    lines = list(specimens(TODAY)["lso_passport"])
    lines[0] = lines[0][:2] + bad + lines[0][5:]
    out = parse(lines, correct=False)
    assert out["valid"] is True and out["errors"] == []
    assert out["nonstandard_codes"] == ["issuing_state"]
    assert [w["kind"] for w in out["warnings"]] == ["nonstandard_code"]
    assert out["issuing_state"] == bad.rstrip("<")


def test_non_mrz_character_in_country_code_is_still_an_error() -> None:
    lines = list(specimens(TODAY)["lso_passport"])
    lines[0] = lines[0][:2] + "L?O" + lines[0][5:]
    out = parse(lines, correct=False)
    assert out["valid"] is False
    assert {e["field"] for e in out["errors"]} == {"issuing_state"}


# Codes printed by real documents in circulation, in fields no check digit covers (issue 13).
@pytest.mark.parametrize(
    ("issuer", "nationality", "flagged"),
    [
        ("MAC", "<<<", ["nationality"]),  # Macau SAR ID card
        ("SI<", "SI<", ["issuing_state", "nationality"]),  # Slovenian ID card
        ("ROU", "132", ["nationality"]),  # Romanian ID card
    ],
)
def test_real_nonstandard_codes_are_valid_with_a_flag(
    issuer: str, nationality: str, flagged: list[str]
) -> None:
    lines = make_mrz(
        "TD1", document_code="ID", issuing_state=issuer, document_number="AB1234567",
        surname="POPESCU", given_names="ANA", nationality=nationality, date_of_birth="800101",
        sex="F", date_of_expiry="300101", nonstandard_codes=True,
    )  # fmt: skip
    for correct in (True, False):
        out = parse(lines, correct=correct)
        assert out["valid"] is True and out["errors"] == [] and out["corrections"] == []
        assert all(out["checks"].values())
        assert out["nonstandard_codes"] == flagged
        assert out["nationality"] == nationality.rstrip("<")  # kept as printed, not "corrected"
        assert out["issuing_state"] == issuer.rstrip("<")
        for warning in out["warnings"]:
            assert nationality not in warning["message"] or nationality == "<<<"


def test_generator_refuses_nonstandard_codes_unless_asked() -> None:
    with pytest.raises(MrzError):
        make_mrz(
            "TD1", document_code="ID", issuing_state="ROU", document_number="AB1234567",
            surname="A", given_names="B", nationality="132", date_of_birth="800101", sex="F",
            date_of_expiry="300101",
        )  # fmt: skip


def test_listed_codes_have_no_warning() -> None:
    out = parse(specimens(TODAY)["lso_passport"])
    assert out["warnings"] == [] and out["nonstandard_codes"] == []


@pytest.mark.parametrize(("char", "sex"), [("M", "M"), ("F", "F"), ("X", "X"), ("<", "X")])
def test_sex(char: str, sex: str) -> None:
    lines = list(ICAO_SPECIMENS["icao_specimen_td3"])
    lines[1] = lines[1][:20] + char + lines[1][21:]
    out = parse(lines)
    assert out["sex"] == sex
    assert out["checks"]["composite"] is True


def test_illegal_sex_is_reported() -> None:
    lines = list(ICAO_SPECIMENS["icao_specimen_td3"])
    lines[1] = lines[1][:20] + "K" + lines[1][21:]
    out = parse(lines)
    assert out["valid"] is False and out["sex"] == "X"
    assert out["errors"][0]["field"] == "sex"


def test_stateless_specimen() -> None:
    out = parse(specimens(TODAY)["stateless_xxa"])
    assert out["valid"] is True and out["nationality"] == "XXA" and out["sex"] == "X"


# --------------------------------------------------------------------------- input shape

@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "got no text"),
        ("P<UTO", "got 1 line of 5"),
        ("A" * 43 + "\n" + "B" * 44, "got 2 lines of 43 and 44"),
        ("\n".join(["A" * 30] * 2), "got 2 lines of 30"),
        ("\n".join(["A" * 44] * 3), "got 3 lines of 44"),
        ("#" * 44 + "\n" + "%" * 44, "are not A-Z, 0-9 or '<'"),
        ("A\n" * 5000, "got 5000 lines"),
    ],
)
def test_not_an_mrz(text: str, reason: str) -> None:
    with pytest.raises(MrzError) as info:
        parse_mrz(text, today=TODAY)
    assert reason in info.value.message
    assert "\n" not in info.value.message and info.value.hint


def test_input_tolerance() -> None:
    lines = ICAO_SPECIMENS["icao_specimen_td3"]
    messy = "\n  " + lines[0].lower() + "\r\n" + lines[1] + "  \r\n\n"
    assert parse(messy)["valid"] is True
    assert parse(lines[0] + lines[1])["valid"] is True  # one unbroken line from a reader
    assert parse(tuple(lines))["valid"] is True


def test_bytes_datetime_and_wrong_types() -> None:
    lines = ICAO_SPECIMENS["icao_specimen_td3"]
    now = datetime(2026, 11, 27, 12, 30)
    assert parse_mrz("\n".join(lines).encode(), today=now).valid  # type: ignore[arg-type]
    assert parse_mrz([x.encode() for x in lines], today=now).valid  # type: ignore[misc]
    assert not parse_mrz([lines[0], lines[1][:-1] + "\xe9"], today=now).valid
    with pytest.raises(MrzError):
        parse_mrz(12)  # type: ignore[arg-type]


def test_record_repr_and_json_hide_nothing_but_repr_has_no_personal_data() -> None:
    rec = parse_mrz(specimens(TODAY)["lso_passport"], today=TODAY)
    text = repr(rec)
    assert "MOSHOESHOE" not in text and "RA0284713" not in text and "NTHABISENG" not in text
    out = json.loads(rec.to_json())
    assert list(out) == [
        "doc_type", "document_code", "issuing_state", "document_number", "surname", "given_names",
        "nationality", "date_of_birth", "sex", "date_of_expiry", "optional_data",
        "optional_data_2", "expired", "checks", "corrections", "valid", "errors", "warnings",
        "nonstandard_codes",
    ]  # fmt: skip
    assert out == rec.to_dict()


def test_error_messages_carry_no_personal_data() -> None:
    lines = list(specimens(TODAY)["lso_passport"])
    lines[1] = "RA0284714" + lines[1][9:]
    rec = parse_mrz(lines, today=TODAY, correct=False)
    assert not rec.valid
    for issue in rec.errors:
        assert "RA028471" not in issue.message and "MOSHOESHOE" not in issue.message


# --------------------------------------------------------------------------- specimens, generator

def test_every_specimen_parses_as_documented() -> None:
    s = specimens(TODAY)
    for name in ("lso_passport", "zaf_passport", "lso_id_card", "zaf_id_card", "minor_passport",
                 "expired_passport", "bad_check_digit", "icao_specimen_td3", "td2_document",
                 "mrva_visa", "mrvb_visa", "stateless_xxa"):  # fmt: skip
        assert name in s
    for name, lines in s.items():
        rec = parse_mrz(lines, today=TODAY)
        assert rec.valid is (name != "bad_check_digit"), name
        assert rec.expired is (name == "expired_passport" or name.startswith("icao_")), name
    kinds = {n: parse_mrz(s[n], today=TODAY).doc_type for n in s}
    assert kinds["lso_id_card"] == kinds["zaf_id_card"] == "TD1"
    assert kinds["td2_document"] == "TD2"
    assert (kinds["mrva_visa"], kinds["mrvb_visa"]) == ("MRVA", "MRVB")
    lso = parse_mrz(s["lso_passport"], today=TODAY)
    assert (lso.issuing_state, lso.surname) == ("LSO", "MOSHOESHOE")


@pytest.mark.parametrize("today", [date(2026, 11, 27), date(2028, 2, 29), date(2031, 1, 1)])
def test_minor_stays_a_minor(today: date) -> None:
    rec = parse_mrz(specimens(today)["minor_passport"], today=today)
    dob = rec.date_of_birth
    assert dob is not None
    age = today.year - dob.year - ((today.month, today.day) < (dob.month or 1, dob.day or 1))
    assert age == 9


def test_name_truncation() -> None:
    lines = make_mrz(
        "TD1", document_code="I", issuing_state="LSO", document_number="1",
        surname="MOSHOESHOE-STORGAARDEN", given_names="NTHABISENG LERATO", nationality="LSO",
        date_of_birth="800101", sex="F", date_of_expiry="300101",
    )  # fmt: skip
    assert lines[2] == "MOSHOESHOE<STORGAARDEN<<NTHABI"
    out = parse(lines)
    assert (out["surname"], out["given_names"]) == ("MOSHOESHOE STORGAARDEN", "NTHABI")


def test_very_long_surname_is_truncated_without_given_names() -> None:
    lines = make_mrz(
        "TD2", document_code="I", issuing_state="LSO", document_number="1",
        surname="A" * 40, given_names="B", nationality="LSO",
        date_of_birth="800101", sex="F", date_of_expiry="300101",
    )  # fmt: skip
    assert lines[0][5:] == "A" * 31


@pytest.mark.parametrize(
    ("kw", "what"),
    [({"document_number": "1234567890", "doc_type": "TD3"}, "longer than 9"),
     ({"surname": "MÜLLER"}, "surname"), ({"issuing_state": "L5O"}, "issuing state"),
     ({"sex": "Q"}, "sex"), ({"doc_type": "TD4"}, "unknown MRZ type"),
     ({"document_code": "V", "doc_type": "TD3"}, "visa")],
)  # fmt: skip
def test_make_rejects_unrepresentable_fields(kw: dict[str, str], what: str) -> None:
    args: dict[str, str] = {
        "doc_type": "TD3", "document_code": "P", "issuing_state": "LSO",
        "document_number": "1", "surname": "A", "given_names": "", "nationality": "LSO",
        "date_of_birth": "800101", "sex": "F", "date_of_expiry": "300101",
    }  # fmt: skip
    args.update(kw)
    doc_type = args.pop("doc_type")
    with pytest.raises(MrzError, match=what):
        make_mrz(doc_type, **args)  # type: ignore[arg-type]

"""Specimen MRZs for tests, the simulator and demos. Stdlib only; every person is fictitious.

Dates are relative to `today` (default: the system date), so the minor stays about 9 years old,
valid documents stay valid and the expired one stays expired whenever the suite runs.
Names here are on the log-hygiene deny list (tests/conftest.py): never log them.
"""

from __future__ import annotations

from datetime import date, timedelta

from ocr.mrz import check_digit, make_mrz

# ICAO Doc 9303 published specimens (part 4, 5, 6 and 7 examples), verbatim.
ICAO_SPECIMENS: dict[str, list[str]] = {
    "icao_specimen_td3": [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ],
    "icao_specimen_td1": [
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ],
    "icao_specimen_td2": [
        "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
        "D231458907UTO7408122F1204159<<<<<<<6",
    ],
    "icao_specimen_mrva": [
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
    ],
    "icao_specimen_mrvb": [
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
        "L8988901C4XXX4009078F9612109<<<<<<<<",
    ],
}


def _years_before(today: date, years: int, extra_days: int = 0) -> date:
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - timedelta(days=extra_days)


def _yymmdd(day: date) -> str:
    return day.strftime("%y%m%d")


def specimens(today: date | None = None) -> dict[str, list[str]]:
    """Name -> MRZ lines. Every entry parses; all but the expired, ICAO (expired 2012/1996) and
    bad-check-digit ones are valid and unexpired on `today`."""
    today = today or date.today()
    adult = _yymmdd(_years_before(today, 34, 101))
    older = _yymmdd(_years_before(today, 52, 17))
    minor = _yymmdd(_years_before(today, 9, 40))
    valid_until = _yymmdd(today + timedelta(days=5 * 365 + 40))
    out: dict[str, list[str]] = {}
    out["lso_passport"] = make_mrz(
        "TD3", document_code="P", issuing_state="LSO", document_number="RA0284713",
        surname="MOSHOESHOE", given_names="NTHABISENG", nationality="LSO",
        date_of_birth=adult, sex="F", date_of_expiry=valid_until,
    )  # fmt: skip
    out["zaf_passport"] = make_mrz(
        "TD3", document_code="P", issuing_state="ZAF", document_number="A09876543",
        surname="MOKOENA", given_names="THABO JOHANNES", nationality="ZAF",
        date_of_birth=older, sex="M", date_of_expiry=valid_until,
        optional_data="7208125009087",
    )  # fmt: skip
    out["lso_id_card"] = make_mrz(
        "TD1", document_code="ID", issuing_state="LSO", document_number="L01234567",
        surname="MOSHOESHOE", given_names="LERATO", nationality="LSO",
        date_of_birth=adult, sex="F", date_of_expiry=valid_until,
    )  # fmt: skip
    out["zaf_id_card"] = make_mrz(
        "TD1", document_code="ID", issuing_state="ZAF", document_number="0123456789",
        surname="MOKOENA", given_names="PALESA", nationality="ZAF",
        date_of_birth=older, sex="F", date_of_expiry=valid_until, optional_data_2="ZA",
    )  # fmt: skip
    out["minor_passport"] = make_mrz(
        "TD3", document_code="P", issuing_state="LSO", document_number="RA0391552",
        surname="MOSHOESHOE", given_names="KANANELO", nationality="LSO",
        date_of_birth=minor, sex="M", date_of_expiry=valid_until,
    )  # fmt: skip
    out["expired_passport"] = make_mrz(
        "TD3", document_code="P", issuing_state="LSO", document_number="RA0107781",
        surname="MOKOENA", given_names="TEBOHO", nationality="LSO",
        date_of_birth=older, sex="M", date_of_expiry=_yymmdd(today - timedelta(days=200)),
    )  # fmt: skip
    bad = list(out["lso_passport"])
    wrong = str((int(check_digit(adult)) + 3) % 10)
    bad[1] = bad[1][:19] + wrong + bad[1][20:]  # the date-of-birth check digit
    out["bad_check_digit"] = bad
    out["icao_specimen_td3"] = list(ICAO_SPECIMENS["icao_specimen_td3"])
    out["td2_document"] = make_mrz(
        "TD2", document_code="I", issuing_state="LSO", document_number="T00471236",
        surname="STORGAARDEN", given_names="MPHO", nationality="LSO",
        date_of_birth=adult, sex="M", date_of_expiry=valid_until,
    )  # fmt: skip
    out["mrva_visa"] = make_mrz(
        "MRVA", document_code="V", issuing_state="LSO", document_number="V40017263",
        surname="STORGAARDEN", given_names="INGRID", nationality="NOR",
        date_of_birth=older, sex="F", date_of_expiry=_yymmdd(today + timedelta(days=60)),
    )  # fmt: skip
    out["mrvb_visa"] = make_mrz(
        "MRVB", document_code="V", issuing_state="ZAF", document_number="V77120934",
        surname="MOKOENA", given_names="SIPHO", nationality="LSO",
        date_of_birth=adult, sex="M", date_of_expiry=_yymmdd(today + timedelta(days=90)),
    )  # fmt: skip
    out["stateless_xxa"] = make_mrz(
        "TD3", document_code="PT", issuing_state="LSO", document_number="TD0050311",
        surname="MOKOENA", given_names="NTHABISENG", nationality="XXA",
        date_of_birth=adult, sex="X", date_of_expiry=valid_until,
    )  # fmt: skip
    for name, lines in ICAO_SPECIMENS.items():
        out.setdefault(name, list(lines))
    return out

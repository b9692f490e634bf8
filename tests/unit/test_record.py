"""The crossing record and its published JSON Schema."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from imdms.errors import SchemaError
from records.codes import (
    AGE_BANDS,
    CaptureMethod,
    Direction,
    DocumentType,
    Sex,
    TipIndicator,
    age_band,
    stay_band,
)
from records.record import CrossingRecord, age_on, new_record_id
from records.schema import SCHEMA_PATH, schema_text, validate_record


def make(**kw: object) -> CrossingRecord:
    base: dict[str, object] = dict(
        terminal_id="t1",
        border_post="MSU-BRIDGE",
        officer_id="off7",
        direction=Direction.ENTRY,
        capture_method=CaptureMethod.MRZ_READER,
        document_type=DocumentType.PASSPORT,
        document_number="RA1234567",
        nationality="LSO",
        issuing_state="LSO",
        sex=Sex.FEMALE,
        date_of_birth="2015-03-04",
        recorded_at="2026-11-27T10:00:00.000Z",
        intended_stay_days=10,
        tip_indicators=(TipIndicator.COMPANION_ANSWERS,),
    )
    base.update(kw)
    return CrossingRecord(**base).with_derived()  # type: ignore[arg-type]


def test_checked_in_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text() == schema_text(), "regenerate: python records/schema.py"


def test_derived_fields() -> None:
    r = make()
    assert r.age_at_crossing == 11
    assert r.age_band == "10-14"
    assert r.minor is True
    assert r.stay_band == "UNDER_3_MONTHS"


def test_round_trip_and_schema() -> None:
    r = make()
    d = r.to_dict()
    validate_record(d)
    assert CrossingRecord.from_dict(json.loads(r.to_json())) == r
    assert d["sex"] == 2 and d["tip_indicators"] == ["COMPANION_ANSWERS"]


def test_no_document_record_is_valid() -> None:
    r = make(
        capture_method=CaptureMethod.NO_DOCUMENT,
        document_type=DocumentType.NONE,
        document_number=None,
        issuing_state=None,
        date_of_birth=None,
        age_estimated=True,
        age_at_crossing=30,
    )
    assert r.age_band == "30-34" and r.minor is False
    validate_record(r.to_dict())


def test_schema_errors_name_fields_not_values() -> None:
    d = make().to_dict()
    d["direction"] = "SIDEWAYS"
    d["nationality"] = "lesotho"
    d["surprise"] = "RA1234567"
    with pytest.raises(SchemaError) as info:
        validate_record(d)
    msg = str(info.value)
    assert "direction" in msg and "nationality" in msg
    assert "SIDEWAYS" not in msg and "RA1234567" not in msg


def test_personal_fields_not_in_repr() -> None:
    text = repr(make(surname="MOKOENA"))
    assert "MOKOENA" not in text and "RA1234567" not in text and "2015-03-04" not in text


def test_record_ids_are_uuid7_and_ordered() -> None:
    ids = [new_record_id() for _ in range(50)]
    assert all(i[14] == "7" for i in ids)
    assert ids == sorted(ids)


@pytest.mark.parametrize(
    ("dob", "age"),
    [("2000-11-27", 26), ("2000-11-28", 25), ("2000", 26), ("2000-12", 25), ("bad", None)],
)
def test_age_on_partial_dates(dob: str, age: int | None) -> None:
    assert age_on(dob, date(2026, 11, 27)) == age


def test_bands() -> None:
    assert age_band(0) == "0-4" and age_band(84) == "80-84" and age_band(99) == "85+"
    assert age_band(None) is None
    assert len(AGE_BANDS) == 18
    assert stay_band(89) == "UNDER_3_MONTHS" and stay_band(400) == "MONTHS_12_PLUS"


def test_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        make().surname = "X"  # type: ignore[misc]


def test_schema_errors_name_missing_and_unknown_fields() -> None:
    d = make().to_dict()
    del d["officer_id"]
    d["surprise"] = 1
    with pytest.raises(SchemaError) as info:
        validate_record(d)
    assert "officer_id: missing" in str(info.value)
    assert "surprise: unknown field" in str(info.value)

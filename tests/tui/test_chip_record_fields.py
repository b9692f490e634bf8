"""The booth's chip-check and MRZ-code fields, without a screen: how a reader's per-step
results become an outcome, and that the record's new optional fields keep older records valid
while taking what an MRZ can print."""

from __future__ import annotations

import json

import pytest

from drivers.base import ChipSummary, DocumentRead
from imdms.errors import SchemaError
from records.codes import CaptureMethod, ChipCheck, Direction, DocumentType
from records.record import CrossingRecord
from records.schema import validate_record
from terminal.chip_checks import record_fields, verdict
from terminal.chip_status import PASSED, POSSIBLE_CLONE, chip_refers, read_chip_status
from tests.chip.helpers import td3


@pytest.mark.parametrize(
    ("steps", "outcome", "reason"),
    [
        ({}, ChipCheck.NOT_CHECKED, "not reported by the chip reader"),
        ({"dg14": "passed", "chip_proof": "passed"}, ChipCheck.PASSED, ""),
        ({"signature": "not offered: the chip has no DG15"}, ChipCheck.NOT_OFFERED,
         "the chip has no DG15"),
        ({"dg15": "passed", "signature": "failed: no match (possible clone)"}, ChipCheck.FAILED,
         "no match (possible clone)"),
        ({"dg14": "failed: hash", "key_agreement": "not checked: DG14 failed"},
         ChipCheck.FAILED, "hash"),
        ({"dg14": "passed", "pace_cam": "not checked: no key"}, ChipCheck.NOT_CHECKED, "no key"),
    ],
)
def test_verdict(steps: dict[str, str], outcome: ChipCheck, reason: str) -> None:
    assert verdict(steps) == (outcome, reason)


def _chip_read(extra: dict[str, object]) -> DocumentRead:
    from ocr.mrz import parse_mrz

    lines = td3()
    chip = ChipSummary(protocol="PACE", data_groups=("DG1",),
                       passive_authentication={"sod_signature": "passed", "dg1_hash": "passed"},
                       dg1_matches_print=True, dg1_lines=tuple(lines))
    return DocumentRead(source="chip", reader_name="chip", raw_lines=tuple(lines),
                        mrz=parse_mrz(lines), chip=chip, extra=extra)


def test_a_chip_read_on_its_own_carries_its_checks() -> None:
    clone = _chip_read({"possible_clone": True, "chip_authentication": {"chip_proof": "failed: x"},
                        "active_authentication": {}})
    assert read_chip_status(clone) == POSSIBLE_CLONE and chip_refers(clone)
    assert record_fields(clone) == {"chip_authentication": ChipCheck.FAILED,
                                    "active_authentication": ChipCheck.NOT_CHECKED,
                                    "chip_clone_suspected": True}
    older = _chip_read({})  # a reader that reports no CA/AA: nothing claimed
    assert read_chip_status(older) == PASSED and not chip_refers(older)
    assert set(record_fields(older).values()) == {None}


def _record(**kw: object) -> CrossingRecord:
    return CrossingRecord(terminal_id="t1", border_post="MSU-BRIDGE", officer_id="off7",
                          direction=Direction.ENTRY, capture_method=CaptureMethod.MRZ_READER,
                          document_type=DocumentType.ID_CARD,
                          recorded_at="2026-11-27T10:00:00.000Z", **kw).with_derived()  # type: ignore[arg-type]


def test_new_fields_round_trip_and_old_records_stay_valid() -> None:
    rec = _record(nationality="132", issuing_state="SI", mrz_nonstandard=("nationality",),
                  chip_authentication=ChipCheck.PASSED,
                  active_authentication=ChipCheck.NOT_OFFERED, chip_clone_suspected=False)
    data = rec.to_dict()
    validate_record(data)
    assert CrossingRecord.from_dict(json.loads(rec.to_json())) == rec
    for key in ("mrz_nonstandard", "chip_authentication", "active_authentication",
                "chip_clone_suspected"):
        del data[key]
    validate_record(data)  # a record from before these fields


@pytest.mark.parametrize("bad", ["lso", "ABCD", "L-O", ""])
def test_mrz_codes_are_what_an_mrz_can_print(bad: str) -> None:
    with pytest.raises(SchemaError):
        validate_record(_record(nationality=bad).to_dict())
    with pytest.raises(SchemaError):  # residence stays a real country code
        validate_record(_record(country_of_residence="132").to_dict())

"""The booth's rules without a screen: defaults, chip status, capture method, amendments,
people without documents, and the keyboard-wedge filter."""

from __future__ import annotations

import pytest

from drivers.base import ChipSummary, DocumentRead
from drivers.framing import Frame
from drivers.serial_mrz import document_read
from ocr.specimens import specimens
from records.codes import (
    CaptureMethod,
    Decision,
    Direction,
    Purpose,
    Sex,
    TravellerCategory,
    WatchlistResult,
)
from records.rules import is_expired
from records.schema import validate_record
from terminal.booking import (
    Booth,
    Form,
    PersonWithoutDocument,
    Problem,
    amendment,
    capture_method,
    case_for_read,
    default_form,
    record_from_read,
    record_without_document,
)
from terminal.chip_status import (
    DG1_MISMATCH,
    NOT_READ,
    NOT_VERIFIED,
    PASSED,
    ChipOutcome,
    ChipStatus,
    chip_status,
)
from terminal.wedge_input import WedgeFilter
from tests.tui.helpers import NOW, fixed_clock, id_counter

BOOTH = Booth("t-1", "MSU-BRIDGE", "off-1", clock=fixed_clock, new_id=id_counter())


def read(name: str) -> DocumentRead:
    return document_read("fake", "mrz", Frame(tuple(specimens(NOW.date())[name])))


def test_defaults_citizen_and_visitor() -> None:
    citizen = default_form(BOOTH, nationality="LSO", age=40)
    assert citizen.traveller_category is TravellerCategory.CITIZEN
    assert citizen.purpose is Purpose.RETURNING_RESIDENT and citizen.country_of_residence == "LSO"
    assert citizen.problems(minor=False) == []
    leaving = default_form(BOOTH, nationality="LSO", age=40, direction=Direction.EXIT)
    assert leaving.purpose is None and leaving.problems(minor=False) == []
    visitor = default_form(BOOTH, nationality="ZAF", age=40)
    assert visitor.traveller_category is TravellerCategory.VISITOR
    assert visitor.country_of_residence == "ZAF"
    assert visitor.problems(minor=False) == [Problem("purpose", "choose the purpose of the visit")]
    refused = Form(traveller_category=TravellerCategory.CITIZEN, decision=Decision.REFUSED)
    assert refused.problems(minor=False) == [Problem("refusal_reason", "a refusal needs a reason")]


def test_chip_status_wire_form_round_trips() -> None:
    wires = ["PASSED", "NOT_VERIFIED", "NOT_READ", "FAILED:dg1_mismatch", "FAILED:possible_clone"]
    assert [ChipStatus.parse(w).wire for w in wires] == wires
    assert DG1_MISMATCH.refers and str(DG1_MISMATCH) == "FAILED:dg1_mismatch"
    for bad in ("FAILED", "PASSED:x", "OK"):
        with pytest.raises(ValueError):
            ChipStatus.parse(bad)


def test_chip_status_and_capture_method() -> None:
    ok = {"sod_signature": "passed", "dg_hashes": "passed"}
    assert chip_status(None) == NOT_READ
    assert chip_status(ChipSummary("BAC", (), ok, True)) == PASSED
    assert chip_status(ChipSummary("BAC", (), ok, False)) == DG1_MISMATCH
    bad = {**ok, "dg_hashes": "failed: DG2"}
    failed = chip_status(ChipSummary("BAC", (), bad, True))
    assert failed == ChipStatus(ChipOutcome.FAILED, "dg_hashes") and failed.failed
    assert failed.wire == "FAILED:dg_hashes" and not failed.refers
    assert chip_status(ChipSummary("BAC", (), {"sod": "not checked"}, None)) == NOT_VERIFIED
    r = read("lso_passport")
    assert capture_method(r) is CaptureMethod.MRZ_READER
    chip = ChipSummary("PACE", (), ok, True)
    assert capture_method(DocumentRead("chip", "c", r.raw_lines, r.mrz, chip=chip)) is (
        CaptureMethod.CHIP_VERIFIED
    )
    assert capture_method(DocumentRead("camera", "c", r.raw_lines, r.mrz)) is (
        CaptureMethod.MRZ_CAMERA
    )


def test_records_validate_against_the_schema() -> None:
    r = read("lso_passport")
    case = case_for_read(BOOTH, r)
    record = record_from_read(BOOTH, r, case.form)
    validate_record(record.to_dict())
    assert record.age_band and record.minor is False
    fix = amendment(BOOTH, record, Form(traveller_category=TravellerCategory.TRADER,
                                        direction=Direction.EXIT), "wrong category")
    validate_record(fix.to_dict())
    assert fix.amends == record.record_id and fix.recorded_at == record.recorded_at
    assert fix.surname == record.surname and fix.traveller_category is TravellerCategory.TRADER
    person = PersonWithoutDocument(sex=Sex.MALE, birth_year=1990, nationality="XXX")
    nodoc = record_without_document(BOOTH, person, Form(traveller_category=None))
    validate_record(nodoc.to_dict())
    assert nodoc.capture_method is CaptureMethod.NO_DOCUMENT
    assert nodoc.date_of_birth == "1990" and nodoc.age_at_crossing == 36
    assert nodoc.age_estimated is False


def test_expired_and_minor_cases() -> None:
    expired = read("expired_passport")
    assert expired.mrz is not None and is_expired(expired.mrz, NOW.date())
    minor = case_for_read(BOOTH, read("minor_passport"))
    assert minor.minor and minor.age is not None and minor.age < 18


def test_watchlist_hit_preselects_referral() -> None:
    class HitList:
        version = "v9"

        def check(self, *_: object) -> WatchlistResult:
            return WatchlistResult.HIT

    case = case_for_read(BOOTH, read("zaf_passport"), HitList())
    assert case.watchlist == (WatchlistResult.HIT, "v9")
    assert case.form.decision is Decision.REFERRED


def burst(f: WedgeFilter[str], lines: list[str], t: float, gap: float = 0.004) -> list[object]:
    outcomes: list[object] = []
    for line in lines:
        for ch in line:
            outcomes.append(f.key(ch, ch, t, ch))
            t += gap
        outcomes.append(f.key("enter", "\r", t, "enter"))
        t += 0.02
    return outcomes


def test_wedge_burst_is_a_document_and_never_typed() -> None:
    lines = specimens(NOW.date())["lso_id_card"]
    f: WedgeFilter[str] = WedgeFilter()
    outcomes = burst(f, lines, 100.0)
    assert all(o.consumed and not o.replay for o in outcomes)  # type: ignore[attr-defined]
    last = outcomes[-1]
    assert last.document is not None and last.document.raw_lines == tuple(lines)  # type: ignore[attr-defined]


def test_wedge_gives_a_person_every_key_in_order() -> None:
    f: WedgeFilter[str] = WedgeFilter()
    out = [f.key(c, c, 10.0 + i * 0.005, c) for i, c in enumerate("1234")]
    assert all(o.consumed for o in out)  # fast PIN digits are held a moment...
    done = f.key("enter", "\r", 10.03, "enter")
    assert done.replay == list("1234") and not done.consumed  # ...and handed back with Enter
    slow = [f.key(c, c, 20.0 + i * 0.2, c) for i, c in enumerate("AB12")]
    assert [x for o in slow for x in o.replay] == list("AB1")
    assert f.flush(21.0).replay == ["2"]


def test_wedge_burst_cut_short_is_reported() -> None:
    line = specimens(NOW.date())["lso_passport"][0]
    f: WedgeFilter[str] = WedgeFilter()
    burst(f, [line], 5.0)
    out = f.flush(7.0)
    assert out.partial and out.replay == []

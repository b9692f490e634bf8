"""Pure parts: case ids, the receiving unit, the lifecycle, the roster, the booth's parser."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from central.cases.lifecycle import NEXT, Status, check_transition, parse_status
from central.cases.roster import on_duty
from config.models import CasesConfig
from imdms.errors import ImdmsError
from messaging.referral_receipt import ReferralReceipt, encode, parse
from messaging.topics import Topics
from records.case_id import CASE_ID_RE, case_id, normalise_case_id, receiving_unit
from records.codes import Decision, ReceivingUnit, TipReferral


def test_case_id_is_deterministic_and_readable() -> None:
    a = case_id("0190f5d2-0000-7000-8000-000000000001")
    assert a == case_id("0190f5d2-0000-7000-8000-000000000001")
    assert a != case_id("0190f5d2-0000-7000-8000-000000000002")
    assert CASE_ID_RE.match(a), a
    assert not set(a[4:]) & set("ILOU")
    ids = {case_id(f"r-{i}") for i in range(20_000)}
    assert len(ids) == 20_000
    with pytest.raises(ValueError):
        case_id("")


def test_case_id_as_typed() -> None:
    cid = case_id("x")
    assert normalise_case_id(cid.lower()) == cid
    assert normalise_case_id(cid.replace("-", "")) == cid
    with pytest.raises(ValueError):
        normalise_case_id("TIP-123")


def test_receiving_unit() -> None:
    assert receiving_unit({"tip_referral": "SOCIAL_WELFARE"}) is ReceivingUnit.SOCIAL_WELFARE
    assert receiving_unit({"tip_referral": "NONE"}) is None
    second = {"tip_referral": "NONE", "decision": Decision.REFERRED, "tip_indicators": ["X"]}
    assert receiving_unit(second) is ReceivingUnit.IMMIGRATION_SECOND_LINE
    assert receiving_unit({**second, "tip_indicators": []}) is None  # a plain second line
    assert {u.value for u in ReceivingUnit} >= {t.value for t in TipReferral} - {"NONE"}


def test_lifecycle_forward_only() -> None:
    path = [Status.RECEIVED, Status.CONTACTED, Status.INTERVIEWED, Status.IDENTIFIED,
            Status.CLOSED]
    for old, new in zip(path, path[1:], strict=False):
        check_transition(old, new, None)
    check_transition(Status.INTERVIEWED, Status.NOT_A_VICTIM, None)
    with pytest.raises(ImdmsError, match="cannot become"):
        check_transition(Status.RECEIVED, Status.IDENTIFIED, None)
    with pytest.raises(ImdmsError, match="needs a note"):
        check_transition(Status.CONTACTED, Status.CLOSED, None)
    check_transition(Status.CONTACTED, Status.CLOSED, "traveller not found")
    with pytest.raises(ImdmsError, match="closed"):
        check_transition(Status.CLOSED, Status.RECEIVED, "x")
    assert NEXT[Status.CLOSED] == ()
    assert parse_status("Not-A-Victim") is Status.NOT_A_VICTIM
    with pytest.raises(ImdmsError) as err:
        parse_status("solved")
    assert "received" in err.value.hint


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def test_roster_by_weekday_and_hours() -> None:
    cfg = CasesConfig.model_validate({"roster": {"social_welfare": [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "17:00",
         "email": ["day@sw.example"]},
        {"days": ["fri"], "start": "22:00", "end": "06:00", "hook": "https://sms.example/x"},
    ]}})
    # 2026-03-13 is a Friday; the roster is local time, UTC+2
    assert on_duty(cfg, "SOCIAL_WELFARE", _ms("2026-03-13T07:00:00")) == [
        ("email", "day@sw.example")]
    assert on_duty(cfg, "SOCIAL_WELFARE", _ms("2026-03-13T21:00:00")) == [
        ("hook", "https://sms.example/x")]
    assert on_duty(cfg, "SOCIAL_WELFARE", _ms("2026-03-14T02:30:00")) == [
        ("hook", "https://sms.example/x")]  # Saturday 04:30, the Friday night shift
    # nobody on duty (Sunday noon): everyone of the unit is told
    assert len(on_duty(cfg, "SOCIAL_WELFARE", _ms("2026-03-15T10:00:00"))) == 2
    assert on_duty(cfg, "POLICE_ANTI_TRAFFICKING", _ms("2026-03-15T10:00:00")) == []


def test_roster_refuses_unknown_unit_and_bad_address() -> None:
    with pytest.raises(ValueError, match="unknown unit"):
        CasesConfig.model_validate({"roster": {"police": []}})
    with pytest.raises(ValueError, match="email address"):
        CasesConfig.model_validate({"roster": {"SOCIAL_WELFARE": [
            {"email": ["a@b.example\r\nBcc: x@y"]}]}})
    with pytest.raises(ValueError, match="http"):
        CasesConfig.model_validate({"roster": {"SOCIAL_WELFARE": [{"hook": "ftp://x"}]}})


def test_referral_receipt_round_trip_and_refusals() -> None:
    r = ReferralReceipt(case_id("x"), "rec-1", ReceivingUnit.SOCIAL_WELFARE, "received", True,
                        "2026-03-10T08:00:01.000Z")
    assert parse(encode(r)) == r
    assert "Social welfare" in r.text() and r.case_id in r.text()
    assert "phone" in ReferralReceipt(r.case_id, "rec-1", r.unit, "received", False,
                                      r.at).text()
    for bad, why in [(b"nope", "not JSON"), (b"[]", "object"), (b'{"v": 2}', "version"),
                     (encode(r).replace(b"TIP-", b"XIP-"), "case_id"),
                     (encode(r).replace(b"SOCIAL_WELFARE", b"POLICE"), "unit"),
                     (encode(r).replace(b'"received"', b'"done"'), "status"),
                     (encode(r).replace(b"true", b'"yes"'), "notified")]:
        with pytest.raises(ValueError, match=why):
            parse(bad)
    t = Topics("imdms/v1", "MSU-BRIDGE", "t1")
    assert t.referral_receipt == "imdms/v1/MSU-BRIDGE/t1/referral-receipt"
    assert t.referral_receipt_for("MAPUTSOE", "t2") == "imdms/v1/MAPUTSOE/t2/referral-receipt"

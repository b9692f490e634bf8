"""records.stats.summarise: duplicates, amendments, minors, undocumented, sensitive split."""

from __future__ import annotations

import json
from datetime import date, timedelta

from records.codes import Direction, Sex, TipIndicator, TipReferral
from records.stats import instant_ms, local_day, resolve, summarise
from tests.collector.records import BASE, amend, make, random_records


def test_counts_by_direction_sex_age_nationality() -> None:
    recs = [
        make(sex=Sex.FEMALE, age=22, nationality="LSO"),
        make(sex=Sex.FEMALE, age=23, nationality="LSO"),
        make(sex=Sex.MALE, age=40, nationality="ZAF", direction=Direction.EXIT),
        make(sex=Sex.UNKNOWN, age=None, nationality=None),
    ]
    s = summarise(recs)
    assert s.dimensions == ("direction", "sex", "age_band", "nationality")
    assert s.cells == {
        "ENTRY|FEMALE|20-24|LSO": 2,
        "ENTRY|UNKNOWN|UNKNOWN|UNKNOWN": 1,
        "EXIT|MALE|40-44|ZAF": 1,
    }
    assert (s.entries, s.exits, s.net_migration, s.persons) == (3, 1, 2, 4)
    assert s.totals == {"ENTRY": 3, "EXIT": 1}
    assert s.marginal("sex") == {"FEMALE": 2, "MALE": 1, "UNKNOWN": 1}


def test_duplicates_count_once() -> None:
    a = make()
    b = make(direction=Direction.EXIT)
    s = summarise([a, a, b, dict(a), b])
    assert s.persons == 2
    assert resolve([a, a, b]).duplicates == 1


def test_amendment_replaces_original_in_any_order() -> None:
    orig = make(sex=Sex.MALE, age=30, nationality="ZAF")
    fix = amend(orig, at=BASE + timedelta(hours=2), sex=Sex.FEMALE, nationality="LSO")
    for order in ([orig, fix], [fix, orig]):
        s = summarise(order)
        assert s.cells == {"ENTRY|FEMALE|30-34|LSO": 1}
    # an amendment whose original was never received stands in for it
    assert summarise([fix]).cells == {"ENTRY|FEMALE|30-34|LSO": 1}


def test_amendment_chain_and_latest_wins() -> None:
    orig = make(age=30)
    first = amend(orig, at=BASE + timedelta(hours=1), age_at_crossing=40)
    second = amend(first, at=BASE + timedelta(hours=2), age_at_crossing=50)  # chain
    late = amend(orig, at=BASE + timedelta(hours=3), age_at_crossing=60)  # direct, latest
    assert summarise([orig, first, second]).cells == {"ENTRY|FEMALE|50-54|LSO": 1}
    assert summarise([second, late, orig, first]).cells == {"ENTRY|FEMALE|60-64|LSO": 1}
    assert resolve([second, late, orig, first]).superseded == 3


def test_crossing_time_is_the_originals() -> None:
    orig = make(at=BASE)
    fix = amend(orig, at=BASE + timedelta(days=3), sex=Sex.MALE)
    s = summarise([orig, fix], period="day", utc_offset_minutes=0)
    assert s.cells == {"ENTRY|MALE|30-34|LSO|2026-03-01": 1}


def test_minors_and_undocumented() -> None:
    recs = [
        make(age=4),
        make(age=17, undocumented=True),
        make(age=18, undocumented=True, direction=Direction.EXIT),
        make(age=None),
    ]
    s = summarise(recs)
    assert s.minors == {"ENTRY": 2}
    assert s.undocumented == {"ENTRY": 1, "EXIT": 1}


def test_sensitive_counts_stay_out_of_general_tables() -> None:
    recs = [
        make(
            tips=(TipIndicator.COMPANION_ANSWERS, TipIndicator.DOCUMENTS_HELD_BY_COMPANION),
            referral=TipReferral.SOCIAL_WELFARE,
        ),
        make(tips=(TipIndicator.COMPANION_ANSWERS,)),
        make(),
    ]
    s = summarise(recs)
    assert s.sensitive.indicators == {
        "COMPANION_ANSWERS": 2,
        "DOCUMENTS_HELD_BY_COMPANION": 1,
    }
    assert s.sensitive.referrals == {"SOCIAL_WELFARE": 1}
    assert s.sensitive.persons_flagged == 2
    general = json.dumps({k: v for k, v in s.to_dict().items() if k != "sensitive"})
    assert "COMPANION" not in general and "WELFARE" not in general


def test_posts_periods_and_filters() -> None:
    recs = random_records(400, days=40)
    full = summarise(recs, by_post=True, period="month")
    assert full.dimensions[-2:] == ("border_post", "month")
    assert sum(full.cells.values()) == full.persons == 400 - full.refused
    assert sum(full.breakdowns["decision"].values()) == 400
    march = summarise(recs, since=date(2026, 3, 1), until=date(2026, 3, 31))
    april = summarise(recs, since=date(2026, 4, 1))
    assert march.persons + april.persons == full.persons
    one_post = summarise(recs, border_post="MAPUTSOE", by_post=True)
    assert all(k.split("|")[4] == "MAPUTSOE" for k in one_post.cells)


def test_local_day_uses_offset() -> None:
    ms = instant_ms("2026-03-01T22:30:00Z")
    assert local_day(ms, 0) == date(2026, 3, 1)
    assert local_day(ms) == date(2026, 3, 2)  # SAST, UTC+2
    assert instant_ms("2026-03-01T22:30:00+02:00") == ms - 2 * 3600 * 1000


def test_json_round_trip() -> None:
    s = summarise(random_records(50))
    assert json.loads(s.to_json())["persons"] + s.refused == 50

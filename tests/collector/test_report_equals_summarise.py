"""The central report (SQL GROUP BY) equals records.stats.summarise on the same records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from central.db import Database
from central.report import sql_summary
from records.codes import Decision, RefusalReason, Sex, TransportMode, TravellerCategory
from records.stats import Period, summarise
from tests.collector.peers import STORES, Store, make_store
from tests.collector.records import BASE, amend, make, records_with_amendments


@pytest.fixture
def db(store: Store) -> Iterator[Database]:
    db = Database(store.url)
    yield db
    db.close()


@pytest.fixture(scope="module", params=STORES)
def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, list[Any]]]:
    recs = records_with_amendments(600, seed=7)
    db = Database(make_store(request, request.param, tmp_path_factory.mktemp("eq")).url)
    for rec in recs:
        db.ingest(json.dumps(rec).encode())
    db.commit()
    yield db, recs
    db.close()


@pytest.mark.parametrize("offset", [120, 0, -300])
@pytest.mark.parametrize("period", [None, "day", "month"])
@pytest.mark.parametrize("by_post", [False, True])
def test_sql_report_equals_summarise(
    loaded: tuple[Database, list[Any]], period: Period | None, by_post: bool, offset: int
) -> None:
    db, recs = loaded
    stored = list(db.iter_records())
    for since, until, post in [
        (None, None, None),
        (date(2026, 3, 5), date(2026, 3, 20), None),
        (date(2026, 3, 1), date(2026, 4, 30), "MAPUTSOE"),
    ]:
        kw: dict[str, Any] = dict(
            by_post=by_post,
            period=period,
            since=since,
            until=until,
            border_post=post,
            utc_offset_minutes=offset,
        )
        expected = summarise(recs, **kw)
        assert summarise(stored, **kw) == expected
        assert sql_summary(db, **kw) == expected


def test_booth_shift_summary_equals_central_report(db: Database) -> None:
    """A booth summarises its own outbox records; the centre gets them with duplicates."""
    shift = [
        make(
            terminal="t9",
            post="MAPUTSOE",
            at=BASE + timedelta(minutes=i),
            age=i % 90,
            sex=list(Sex)[i % 4],
            date_of_birth=f"{1950 + i % 75}-05-10" if i % 3 == 0 else None,
            decision=Decision.REFUSED if i % 11 == 0 else Decision.ADMITTED,
            refusal_reason=list(RefusalReason)[i % 9] if i % 11 == 0 else None,
            category=list(TravellerCategory)[i % 12],
            transport=list(TransportMode)[i % 7],
            group="bus-3" if i % 5 == 0 else None,
            proposed=(None, True, False)[i % 3],
        )
        for i in range(120)
    ]
    fixes = [amend(r, sex=Sex.FEMALE) for r in shift[::7]]
    booth = summarise(shift + fixes)
    assert booth.refused and booth.unaccompanied_minors and booth.breakdowns["transport_mode"]
    assert {k.split("|")[1] for k in booth.breakdowns["category_source"]} == {
        "CHOSEN", "PROPOSED_CONFIRMED", "PROPOSAL_CHANGED"}
    for rec in shift + fixes + shift[:30]:
        db.ingest(json.dumps(rec).encode(), post="MAPUTSOE", terminal="t9")
    db.commit()
    assert sql_summary(db) == booth
    assert sql_summary(db, since=date(2026, 3, 1), until=date(2026, 3, 1)) == booth


def test_rejected_and_duplicates(db: Database) -> None:
    good = make()
    assert db.ingest(json.dumps(good).encode()).outcome == "stored"
    assert db.ingest(json.dumps(good).encode()).outcome == "duplicate"
    assert db.ingest(b"\xff{").outcome == "rejected"
    bad = dict(good, direction="SIDEWAYS", record_id="0190f5d2-0000-7000-8000-000000000001")
    out = db.ingest(json.dumps(bad).encode(), topic="imdms/v1/MSU-BRIDGE/t1/crossing")
    assert out.outcome == "rejected" and out.reason and "direction" in out.reason
    other = make(post="MAPUTSOE")
    assert db.ingest(json.dumps(other).encode(), post="MSU-BRIDGE").outcome == "rejected"
    db.commit()
    assert [r for _, r in db.rejected()][0] == "not JSON"
    assert len(db.rejected()) == 3
    assert db.counter("duplicates") == 1


def test_heartbeat_corrects_unsynchronised_times(db: Database) -> None:
    # booth clock says 1970-ish garbage; monotonic 5 s before a synced heartbeat at 10:00:05
    early = make(
        at=BASE.replace(year=2020),
        clock_synced=False,
        boot="b-9",
        terminal="t1",
        monotonic_ns=10_000_000_000,
    )
    db.ingest(json.dumps(early).encode())
    hb = {
        "terminal_id": "t1",
        "boot_id": "b-9",
        "monotonic_ns": 15_000_000_000,
        "clock_synced": True,
        "sent_at": "2026-03-02T10:00:05.000Z",
    }
    assert db.heartbeat(json.dumps(hb).encode())
    late = make(
        at=BASE.replace(year=2020),
        clock_synced=False,
        boot="b-9",
        terminal="t1",
        monotonic_ns=20_000_000_000,
    )
    db.ingest(json.dumps(late).encode())
    db.commit()
    times = sorted(r["recorded_at"] for r in db.iter_records())
    assert times == ["2026-03-02T10:00:00.000Z", "2026-03-02T10:00:10.000Z"]
    s = sql_summary(db, period="day", utc_offset_minutes=0)
    assert s.totals == {"ENTRY|2026-03-02": 2}
    assert summarise(db.iter_records(), period="day", utc_offset_minutes=0) == s


def test_unparseable_time_is_rejected_not_fatal(db: Database) -> None:
    bad = dict(make(), recorded_at="yesterday")
    out = db.ingest(json.dumps(bad).encode())
    assert out.outcome == "rejected" and out.reason and "recorded_at" in out.reason


def test_savepoint_undoes_one_message(db: Database) -> None:
    keep, lost = make(), make()
    with db.savepoint():
        db.ingest(json.dumps(keep).encode())
    with pytest.raises(RuntimeError), db.savepoint():
        db.ingest(json.dumps(lost).encode())
        raise RuntimeError("a bug after the insert")
    db.commit()
    assert [r["record_id"] for r in db.iter_records()] == [keep["record_id"]]

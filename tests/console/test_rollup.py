"""The per-day roll-up (console.rollup) and its filter cube (console.rollup_cube) give the live
page's numbers and `imdms report`'s, on both stores, for views filtered by every filter,
before and after a refresh, when records arrive late, are amended, voided or
duplicated, and when a clock correction moves records between days."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from central.db import Database
from central.report import EPOCH, data_span, sql_summary
from console.aggregate import PageCounts, page_counts
from console.rollup import refresh, state
from console.rollup_read import rolled
from console.statistics import Filters, columns, where
from records.codes import Decision, RefusalReason, Sex
from records.stats import KEY_SEP, Summary
from tests.collector.peers import STORES, make_store, postgres_server  # noqa: F401
from tests.collector.records import BASE, amend, make, records_with_amendments

OLD = "2026-01-01T00:00:00.000Z"  # received long ago: only what the test adds is new
VIEWS: list[dict[str, Any]] = [
    {},
    {"post": "MSU-BRIDGE"},
    {"direction": "ENTRY", "sex": "FEMALE"},
    {"post": "MAPUTSOE", "direction": "EXIT", "sex": "MALE"},
    # from the filter cube (console.rollup_cube)
    {"age_band": "25-29"},
    {"age_band": "UNKNOWN", "sex": "MALE"},
    {"nationality": "ZAF", "post": "MSU-BRIDGE"},
    {"nationality": "LSO", "category": "MINEWORKER", "sex": "FEMALE"},
    {"category": "UNKNOWN", "direction": "EXIT"},
    {"purpose": "EDUCATION"},
    {"stay": "UNDER_3_MONTHS", "age_band": "30-34"},
]
# where the report's cells (direction|sex|age band|nationality) hold a view's filter
CELL_FILTERS = {"direction": 0, "sex": 1, "age_band": 2, "nationality": 3}


@pytest.fixture(params=STORES)
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    db = Database(make_store(request, str(request.param), tmp_path_factory.mktemp("rollup")).url)
    from console import rollup, rollup_cube

    rollup.ensure_schema(db)
    rollup_cube.ensure_schema(db)
    for rec in records_with_amendments(500, seed=11):
        db.ingest(json.dumps(rec).encode())
    db.execute("UPDATE records SET received_at = ?", (OLD,))
    db.commit()
    yield db
    db.close()


def ingest(db: Database, *recs: dict[str, Any]) -> None:
    for rec in recs:
        db.ingest(json.dumps(rec).encode())
    db.commit()


def check(db: Database, *, live: bool) -> int:
    """Every view over the data (and a part of it): roll-up == records == `imdms report`.
    Returns the most days any view computed live."""
    span = data_span(db)
    assert span is not None
    most = 0
    for lo, hi in ((span[0], span[1]), (span[0] + 3, span[0] + 20)):
        for view in VIEWS:
            for monthly in (False, True):
                f = Filters(EPOCH + timedelta(days=lo), EPOCH + timedelta(days=hi), **view)
                got = rolled(db, lo, hi, columns(f), monthly)
                assert got is not None
                most = max(most, got.live_days)
                sql, params = where(f)
                assert got.counts == page_counts(db, sql, params, monthly), (view, monthly)
                s = sql_summary(db, since=f.since, until=f.until, border_post=f.post or None)
                assert got.sensitive == s.sensitive  # by period and post only, as the report
                if set(view) - {"post"} - set(CELL_FILTERS):
                    continue  # the report has no cell with these: equal to records above
                if set(view) - {"post"}:
                    assert got.counts.entries + got.counts.exits == report_cells(s, view)
                    continue
                assert (got.counts.entries, got.counts.exits) == (s.entries, s.exits)
                assert got.counts.refused == s.refused
                refusals = {f"{d}|{r}": n for (d, r), n in got.counts.refusals.items()}
                assert refusals == s.refusals
    if not live:
        assert most == 0
    return most


def report_cells(s: Summary, view: dict[str, Any]) -> int:
    """The persons of the report's crossing cells matching the view."""
    want = {CELL_FILTERS[k]: v for k, v in view.items() if k in CELL_FILTERS}
    total = 0
    for key, n in s.cells.items():
        parts = key.split(KEY_SEP)
        if all(parts[i] == v for i, v in want.items()):
            total += n
    return total


def unsynced(at: date, mono_s: int, **kw: Any) -> dict[str, Any]:
    """A record of a booth whose clock was stuck (recorded at `at` by its own clock)."""
    return make(
        at=BASE.replace(year=at.year, month=at.month, day=at.day),
        clock_synced=False,
        boot="stuck",
        terminal="t9",
        monotonic_ns=mono_s * 1_000_000_000,
        **kw,
    )


def test_rollup_stays_equal_through_late_records_and_clock_corrections(db: Database) -> None:
    # a booth stuck in 1970, adults with a date of birth: no age until the centre corrects it
    stuck = [unsynced(date(1970, 1, 2), 100 + i, date_of_birth="1990-05-01") for i in range(5)]
    ingest(db, *stuck)
    db.execute("UPDATE records SET received_at = ?", (OLD,))
    db.commit()
    assert rolled(db, 0, 30_000, {}, False) is None  # never built: the caller computes
    built = refresh(db)
    assert built.rebuilt and state(db) is not None
    check(db, live=False)

    recs = [r for r in records_with_amendments(500, seed=11) if not r.get("amends")]
    late = make(at=BASE + timedelta(days=5), sex=Sex.MALE, nationality="ZAF")
    refusal = make(
        at=BASE + timedelta(days=9),
        decision=Decision.REFUSED,
        refusal_reason=list(RefusalReason)[1],
    )
    fixed = amend(recs[0], sex=Sex.MALE, nationality="MOZ")
    void = dict(amend(recs[1]), void="DUPLICATE")
    ingest(db, late, refusal, fixed, void, recs[2])  # recs[2]: a duplicate
    hb = {
        "terminal_id": "t9",
        "boot_id": "stuck",
        "monotonic_ns": 200_000_000_000,
        "clock_synced": True,
        "sent_at": (BASE + timedelta(days=12)).isoformat().replace("+00:00", "Z"),
    }
    assert db.heartbeat(json.dumps(hb).encode())
    db.commit()
    assert check(db, live=True) > 0  # the changed days, from records

    again = refresh(db)
    assert not again.rebuilt and 0 < again.days < 10
    check(db, live=True)  # rows of the last MARGIN_S stay live, in case one was in flight
    db.execute("UPDATE records SET received_at = ?", (OLD,))  # ... MARGIN_S later
    db.commit()
    check(db, live=False)


def test_refresh_finds_edits_in_place_by_signature(db: Database) -> None:
    refresh(db)
    gone = db.query("SELECT record_id FROM records WHERE is_current = 1 ORDER BY record_id")[0][0]
    db.execute("DELETE FROM records WHERE record_id = ?", (gone,))  # as a retention purge
    db.commit()
    assert refresh(db).days == 1
    check(db, live=False)


def test_page_counts_is_the_rollup_shape() -> None:
    assert PageCounts() == PageCounts()

"""Entry/exit matching on constructed histories, and the flag counts on both stores."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from central.db import Database
from central.trace.flags import (
    ENTRY_WITHOUT_EXIT,
    EXIT_WITHOUT_ENTRY,
    MINOR_FREQUENT,
    MINOR_NEW_ADULT,
    OPEN_STAY,
    OVERSTAY,
    flag_counts,
    mark,
)
from central.trace.index import refresh
from central.trace.timeline import Crossing
from records.codes import Direction, Sex
from tests.collector.peers import Store
from tests.trace.helpers import imdms
from tests.trace.people import T0, crossing, ingest

DAY = 86_400_000


def c(
    direction: str,
    day: float,
    *,
    home: bool = False,
    stay: int | None = None,
    minor: bool = False,
    adult: str | None = None,
) -> Crossing:
    return Crossing(
        person_id="p",
        root_id=f"r{day}",
        record_id=f"r{day}",
        at_ms=int(day * DAY),
        clock="synced",
        direction=direction,
        post="MSU-BRIDGE",
        group_id=None,
        adult_ref=None,
        minor=minor,
        home=home,
        stay_days=stay,
        referral="NONE",
        watchlist="NOT_CHECKED",
        adult_person=adult,
    )


def flags_of(crossings: list[Crossing], as_of_day: float = 1000) -> list[list[str]]:
    mark(crossings, int(as_of_day * DAY))
    return [x.flags for x in crossings]


def test_visitor_history() -> None:
    history = [
        c("EXIT", 0),  # a visitor leaving who was never seen entering
        c("ENTRY", 10, stay=7),
        c("EXIT", 20),  # 10 days on a 7-day stay
        c("ENTRY", 30, stay=30),
        c("ENTRY", 40, stay=90),  # entered again: left somewhere unrecorded
    ]
    assert flags_of(history, as_of_day=100) == [
        [EXIT_WITHOUT_ENTRY],
        [],
        [OVERSTAY],
        [],
        [ENTRY_WITHOUT_EXIT, OPEN_STAY],
    ]
    assert flags_of(history, as_of_day=131)[-1] == [ENTRY_WITHOUT_EXIT, OPEN_STAY, OVERSTAY]


def test_a_resident_may_start_on_either_side_and_has_no_open_stay() -> None:
    assert flags_of([c("EXIT", 0, home=True), c("ENTRY", 2, home=True)]) == [[], []]
    assert flags_of([c("ENTRY", 0, home=True)]) == [[]]
    assert flags_of([c("EXIT", 0, home=True), c("EXIT", 5, home=True)]) == [
        [],
        [EXIT_WITHOUT_ENTRY],
    ]


def test_stay_within_the_authorised_days_is_no_overstay() -> None:
    assert flags_of([c("ENTRY", 0, stay=7), c("EXIT", 7)]) == [[], []]


def test_a_minor_crossing_the_fourth_time_in_30_days_with_a_new_adult() -> None:
    trips = [
        c("EXIT", 0, home=True, minor=True, adult="mum"),
        c("ENTRY", 1, home=True, minor=True, adult="mum"),
        c("EXIT", 20, home=True, minor=True, adult="mum"),
        c("ENTRY", 25, home=True, minor=True, adult="stranger"),
        c("EXIT", 60, home=True, minor=True),  # no adult recorded: nothing to compare
        c("ENTRY", 61, home=True, minor=True, adult="stranger"),
    ]
    assert flags_of(trips) == [[], [], [], [MINOR_FREQUENT, MINOR_NEW_ADULT], [], []]


@pytest.fixture
def db(store: Store) -> Iterator[Database]:
    d = Database(store.url)
    try:
        yield d
    finally:
        d.close()


def test_flag_counts_on_the_store_are_aggregates(db: Database, store: Store) -> None:
    mum = crossing(doc="LSO:RA1", nationality="LSO", direction=Direction.EXIT)
    uncle = crossing(
        doc="LSO:RU1", given="THABO", sex=Sex.MALE, dob="1980-01-01", nationality="LSO", days=21
    )
    kid = dict(doc="LSO:RK1", given="TSEPO", sex=Sex.MALE, dob="2016-06-06", nationality="LSO")
    kid_trips = [
        crossing(**kid, direction=Direction.EXIT, adult=mum["record_id"]),  # type: ignore[arg-type]
        crossing(**kid, days=1, adult=mum["record_id"]),  # type: ignore[arg-type]
        crossing(**kid, direction=Direction.EXIT, days=20),  # type: ignore[arg-type]
        crossing(**kid, days=21, adult=uncle["record_id"]),  # type: ignore[arg-type]
    ]
    visitor = [
        crossing(doc="ZAF:V1", given="NALEDI", dob="1985-03-03", stay=5),
        crossing(doc="ZAF:V1", given="NALEDI", dob="1985-03-03", days=9, direction=Direction.EXIT),
        crossing(
            doc="ZWE:W1",
            given="TENDAI",
            dob="1999-09-09",
            nationality="ZWE",
            days=2,
            direction=Direction.EXIT,
        ),
        crossing(doc="ZWE:W2", given="RUDO", dob="1998-08-08", nationality="ZWE", days=3),
    ]
    ingest(db, mum, uncle, *kid_trips, *visitor)
    refresh(db)
    start = T0.date()
    counts = flag_counts(db, start, start + timedelta(days=30))
    assert counts.events == {
        EXIT_WITHOUT_ENTRY: 1,
        ENTRY_WITHOUT_EXIT: 0,
        OPEN_STAY: 1,
        OVERSTAY: 1,
        MINOR_FREQUENT: 1,
        MINOR_NEW_ADULT: 1,
    }
    assert counts.persons_seen == 6
    # a window before the exit: the visitor's stay is open and, by its end, overstayed
    early = flag_counts(db, start, start + timedelta(days=7))
    assert early.events[OPEN_STAY] == 2 and early.events[OVERSTAY] == 1
    assert flag_counts(db, date(2020, 1, 1), date(2020, 1, 2)).persons_seen == 0

    done = imdms(
        "trace",
        "flags",
        "--from",
        str(start),
        "--to",
        str(start + timedelta(days=30)),
        "--json",
        "--database",
        store.url,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["crossings"] == counts.events and out["persons"] == counts.persons
    assert "LSO:" not in done.stdout and "record" not in done.stdout

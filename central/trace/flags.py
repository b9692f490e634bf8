"""Entry/exit matching per person, and the counts of each flag over a period (aggregates).

A person starts outside Lesotho unless a national or resident (whose starting side is
unknown). Flags, each on the crossing where it shows:
  EXIT_WITHOUT_ENTRY   an exit while not known to be inside (entered irregularly or at an
                       unrecorded point)
  ENTRY_WITHOUT_EXIT   an entry while already inside (left unrecorded in between)
  OPEN_STAY            a non-resident's last entry with no exit after it
  OVERSTAY             the stay after an entry exceeded its intended_stay_days (at the exit,
                       or by the as-of time for an open stay)
  MINOR_FREQUENT       a minor's crossing that is the Nth or more in 30 days
  MINOR_NEW_ADULT      a minor crossing with a different accompanying adult than last time
Flags inform a trained officer; they decide nothing (DOMAIN.md: no automated decisions).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from central.db import DAY_OFFSET_MINUTES, Database, day_number
from central.trace.schema import ensure_schema
from central.trace.timeline import SELECT, Crossing, crossing

EXIT_WITHOUT_ENTRY = "EXIT_WITHOUT_ENTRY"
ENTRY_WITHOUT_EXIT = "ENTRY_WITHOUT_EXIT"
OPEN_STAY = "OPEN_STAY"
OVERSTAY = "OVERSTAY"
MINOR_FREQUENT = "MINOR_FREQUENT"
MINOR_NEW_ADULT = "MINOR_NEW_ADULT"
FLAGS = (
    EXIT_WITHOUT_ENTRY,
    ENTRY_WITHOUT_EXIT,
    OPEN_STAY,
    OVERSTAY,
    MINOR_FREQUENT,
    MINOR_NEW_ADULT,
)
DAY_MS = 86_400_000
MINOR_WINDOW_MS = 30 * DAY_MS
MINOR_CROSSINGS = 4  # "a child crossing for the fourth time this month" (issue 18)


def mark(crossings: list[Crossing], as_of_ms: int, minor_crossings: int = MINOR_CROSSINGS) -> None:
    """Set c.flags on one person's crossings (oldest first). as_of_ms: "now" for open stays."""
    for c in crossings:
        c.flags = []
    inside: bool | None = None if crossings and crossings[0].home else False
    last_entry: Crossing | None = None
    for c in crossings:
        if c.direction == "EXIT":
            if inside is False:
                c.flags.append(EXIT_WITHOUT_ENTRY)
            elif last_entry is not None and last_entry.stay_days is not None:
                if c.at_ms - last_entry.at_ms > last_entry.stay_days * DAY_MS:
                    c.flags.append(OVERSTAY)
            inside, last_entry = False, None
        else:
            if inside is True:
                c.flags.append(ENTRY_WITHOUT_EXIT)
            inside, last_entry = True, c
    if last_entry is not None and not last_entry.home:
        last_entry.flags.append(OPEN_STAY)
        if last_entry.stay_days is not None and as_of_ms - last_entry.at_ms > (
            last_entry.stay_days * DAY_MS
        ):
            last_entry.flags.append(OVERSTAY)
    minors = [c for c in crossings if c.minor]
    last_adult: str | None = None
    for i, c in enumerate(minors):
        recent = [m for m in minors[: i + 1] if c.at_ms - m.at_ms < MINOR_WINDOW_MS]
        if len(recent) >= minor_crossings:
            c.flags.append(MINOR_FREQUENT)
        if c.adult_person is not None:
            if last_adult is not None and c.adult_person != last_adult:
                c.flags.append(MINOR_NEW_ADULT)
            last_adult = c.adult_person


@dataclass(frozen=True)
class FlagCounts:
    """Aggregates only: how many crossings (events) and persons carry each flag."""

    events: dict[str, int]
    persons: dict[str, int]
    persons_seen: int


def _people(db: Database, first_day: int, last_day: int) -> Iterator[list[Crossing]]:
    rows = db.execute(
        SELECT + " WHERE e.person_id IN (SELECT x.person_id FROM trace_entries x"
        " JOIN records y ON y.root_id = x.root_id AND y.is_current = 1"
        " WHERE y.crossing_day BETWEEN ? AND ?) ORDER BY e.person_id, r.crossing_ms, e.root_id",
        (first_day, last_day),
    )
    person: list[Crossing] = []
    for row in rows:
        c = crossing(row)
        if person and person[0].person_id != c.person_id:
            yield person
            person = []
        person.append(c)
    if person:
        yield person


def flag_counts(
    db: Database, since: date, until: date, *, minor_crossings: int = MINOR_CROSSINGS
) -> FlagCounts:
    """Counts of each flag on crossings whose local day is in [since, until]; open stays and
    overstays judged at the end of `until`. Reads the index as it is (refresh it first)."""
    ensure_schema(db)
    epoch = date(1970, 1, 1)
    first, last = (since - epoch).days, (until - epoch).days
    end_ms = (last + 1) * DAY_MS - DAY_OFFSET_MINUTES * 60_000 - 1  # local midnight
    events = dict.fromkeys(FLAGS, 0)
    persons = dict.fromkeys(FLAGS, 0)
    seen = 0
    for crossings in _people(db, first, last):
        seen += 1
        # crossings after the period are not yet known at its end
        crossings = [c for c in crossings if day_number(c.at_ms) <= last]
        mark(crossings, end_ms, minor_crossings)
        found: set[str] = set()
        for c in crossings:
            if first <= day_number(c.at_ms) <= last:
                for f in c.flags:
                    events[f] += 1
                    found.add(f)
        for f in found:
            persons[f] += 1
    return FlagCounts(events, persons, seen)

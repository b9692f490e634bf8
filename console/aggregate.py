"""The statistics page's tables in one pass over the period: every filter in the WHERE clause
and one GROUP BY per table (PostgreSQL: GROUPING SETS, a single scan; SQLite: one query each).

The rules are records.stats's, as central.report applies them in SQL: current rows only,
crossing_day (Lesotho time) for the period, REFUSED counted only in refusals and the decision
table, missing values as UNKNOWN. `imdms report` builds every cell of every post and day (its
breakdown query groups by ten columns at once); the page needs each table on its own, which is
what makes it fast on millions of rows. tests/console/test_statistics.py asserts that the
page's numbers equal the CLI report's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from central.db import Database
from central.report import EPOCH
from records.stats import UNKNOWN, period_label, sex_label

# table -> its GROUP BY (after direction, decision); the last column tells the sets apart
SETS: dict[str, tuple[str, ...]] = {
    "cells": ("sex", "age_band", "nationality"),
    "daily": ("crossing_day",),
    "traveller_category": ("traveller_category",),
    "purpose": ("purpose",),
    "stay_band": ("stay_band",),
    "residence": ("residence",),
    "transport_mode": ("transport_mode",),
    "refusals": ("refusal_reason",),
}
KEYS = [cols[0] for cols in SETS.values()]  # one column only each set groups by
COLUMNS = ("direction", "decision", "age_band", "nationality", *KEYS)


@dataclass
class PageCounts:
    cells: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    daily: Counter[tuple[str, str]] = field(default_factory=Counter)  # (period label, direction)
    breakdowns: dict[str, Counter[tuple[str, str]]] = field(default_factory=dict)
    refusals: Counter[tuple[str, str]] = field(default_factory=Counter)
    decisions: Counter[tuple[str, str]] = field(default_factory=Counter)
    entries: int = 0
    exits: int = 0
    refused: int = 0


def _label(day: int | None, monthly: bool) -> str:
    if day is None:
        return UNKNOWN
    return period_label(EPOCH + timedelta(days=int(day)), "month" if monthly else "day")


def add_row(out: PageCounts, table: str, row: dict[str, object], n: int, monthly: bool) -> None:
    direction, decision = str(row["direction"]), str(row["decision"])

    def v(col: str) -> str:
        value = row[col]
        return UNKNOWN if value is None else str(value)

    if table == "refusals":
        if decision == "REFUSED":
            out.refusals[(direction, v("refusal_reason"))] += n
        return
    if table == "daily":
        out.decisions[(direction, decision)] += n
        if decision == "REFUSED":
            out.refused += n
            return
        out.daily[(_label(row["crossing_day"], monthly), direction)] += n  # type: ignore[arg-type]
        if direction == "ENTRY":
            out.entries += n
        else:
            out.exits += n
        return
    if decision == "REFUSED":
        return
    if table == "cells":
        key = (direction, sex_label(row["sex"]), v("age_band"), v("nationality"))
        out.cells[key] += n
    else:
        out.breakdowns.setdefault(table, Counter())[(direction, v(table))] += n


def merge(into: PageCounts, more: PageCounts) -> None:
    """Add `more`'s counts to `into` (the roll-up's days and the days computed live)."""
    into.cells.update(more.cells)
    into.daily.update(more.daily)
    for name, counter in more.breakdowns.items():
        into.breakdowns.setdefault(name, Counter()).update(counter)
    into.refusals.update(more.refusals)
    into.decisions.update(more.decisions)
    into.entries += more.entries
    into.exits += more.exits
    into.refused += more.refused


def page_counts(
    db: Database, where: str, params: list[object], monthly: bool, source: str = "records"
) -> PageCounts:
    """The page's tables over `records WHERE <where>` (current rows of the period, filtered),
    or over the filter cube (source "stats_cube", console.rollup_cube: the same columns, each
    row counting n persons)."""
    out = PageCounts()
    count = "COUNT(*)" if source == "records" else "SUM(n)"
    if db.postgres:
        sets = ", ".join(f"(direction, decision, {', '.join(c)})" for c in SETS.values())
        selected = "direction, decision, age_band, nationality, " + ", ".join(KEYS)
        sql = (
            f"SELECT {selected}, GROUPING({', '.join(KEYS)}), {count} FROM {source}"
            f" WHERE {where} GROUP BY GROUPING SETS ({sets})"
        )
        width = len(KEYS)
        for *grouped, mask, n in db.query(sql, params):
            row = dict(zip(COLUMNS, grouped, strict=True))
            # GROUPING(): bit (width-1-i) is 0 where KEYS[i] is grouped
            i = next(i for i in range(width) if not mask >> (width - 1 - i) & 1)
            add_row(out, list(SETS)[i], row, int(n), monthly)
        return out
    for table, cols in SETS.items():
        group = ", ".join(("direction", "decision", *cols))
        for values in db.query(
            f"SELECT {group}, {count} FROM {source} WHERE {where} GROUP BY {group}", params
        ):
            row = dict(zip(("direction", "decision", *cols), values[:-1], strict=True))
            add_row(out, table, row, int(values[-1]), monthly)
    return out

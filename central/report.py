"""Migration statistics from the central database, computed in SQL (GROUP BY).

`sql_summary(db, ...)` returns the same `records.stats.Summary` that `summarise()` computes
from the records themselves (a test proves they are equal). The period is cut into chunks of
whole local days so a long run can show progress.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, timedelta
from typing import TextIO

from central.db import DAY_OFFSET_MINUTES, Database
from records.stats import (
    BREAKDOWNS,
    DEFAULT_UTC_OFFSET_MINUTES,
    KEY_SEP,
    UNKNOWN,
    Counts,
    Period,
    Summary,
    period_label,
    sex_label,
)

EPOCH = date(1970, 1, 1)
MAX_CHUNKS = 50
Progress = Callable[[int, int], None]


def day_start_ms(day: date, utc_offset_minutes: int) -> int:
    """First millisecond of a local day (the inverse of records.stats.local_day)."""
    return ((day - EPOCH).days * 86_400 - utc_offset_minutes * 60) * 1000


def _label(day_number: int, period: Period) -> str:
    return period_label(EPOCH + timedelta(days=day_number), period)


def data_span(db: Database) -> tuple[int, int] | None:
    """First and last crossing_day (day numbers at DAY_OFFSET_MINUTES) of current records."""
    rows = db.query("SELECT MIN(crossing_day), MAX(crossing_day) FROM records WHERE is_current = 1")
    if not rows or rows[0][0] is None:
        return None
    return int(rows[0][0]), int(rows[0][1])


def _chunks(first: int, last: int) -> list[tuple[int, int]]:
    step = max(1, -(-(last - first + 1) // MAX_CHUNKS))
    return [(d, min(last, d + step - 1)) for d in range(first, last + 1, step)]


def sql_summary(
    db: Database,
    *,
    by_post: bool = False,
    period: Period | None = None,
    since: date | None = None,
    until: date | None = None,
    border_post: str | None = None,
    utc_offset_minutes: int = DEFAULT_UTC_OFFSET_MINUTES,
    progress: Progress | None = None,
) -> Summary:
    """records.stats.summarise over the database's current records, in SQL.

    since/until: inclusive local days (default: all data). progress(done, total) is called
    after each chunk of days. At the stored offset (Lesotho time) the query reads only the
    covering index in its order; another offset computes days per row (slower, same result).
    """
    span = data_span(db)
    c = Counts()
    native = utc_offset_minutes == DAY_OFFSET_MINUTES
    chunks: list[tuple[int, int]] = []
    if span is not None:
        lo_day, hi_day = span[0] - (0 if native else 1), span[1] + (0 if native else 1)
        if since:
            lo_day = max(lo_day, (since - EPOCH).days)
        if until:
            hi_day = min(hi_day, (until - EPOCH).days)
        chunks = _chunks(lo_day, hi_day) if lo_day <= hi_day else []
    post_sql = " AND border_post = ?" if border_post is not None else ""
    post_param: list[object] = [border_post] if border_post is not None else []
    if native:
        day_expr = "crossing_day"
    else:
        day_expr = "(crossing_ms / 1000 + ?) / 86400"
    keys = _Keys(by_post, period)
    for i, (lo, hi) in enumerate(chunks):
        if native:
            where = "is_current = 1 AND crossing_day >= ? AND crossing_day <= ?" + post_sql
            params: list[object] = [lo, hi, *post_param]
            day_params: list[object] = []
        else:
            where = "is_current = 1 AND crossing_ms >= ? AND crossing_ms < ?" + post_sql
            params = [
                day_start_ms(EPOCH + timedelta(days=lo), utc_offset_minutes),
                day_start_ms(EPOCH + timedelta(days=hi + 1), utc_offset_minutes),
                *post_param,
            ]
            day_params = [utc_offset_minutes * 60]
        _cells(db, c, keys, day_expr, where, day_params + params)
        _breakdowns(db, c, keys, day_expr, where, day_params + params)
        _sensitive(db, c, where, params)
        if progress:
            progress(i + 1, len(chunks))
    return c.summary(by_post=by_post, period=period)


class _Keys:
    """Group-key suffixes ("|<post>|<period>") and sex labels, cached per value."""

    def __init__(self, by_post: bool, period: Period | None) -> None:
        self.by_post, self.period = by_post, period
        self._labels: dict[int, str] = {}
        self._sexes: dict[int, str] = {}

    def rest(self, day_number: int, post: str) -> str:
        out = KEY_SEP + post if self.by_post else ""
        if self.period:
            label = self._labels.get(day_number)
            if label is None:
                label = self._labels[day_number] = _label(int(day_number), self.period)
            out += KEY_SEP + label
        return out

    def sex(self, sex: int) -> str:
        sx = self._sexes.get(sex)
        if sx is None:
            sx = self._sexes[sex] = sex_label(sex)
        return sx


def _cells(
    db: Database, c: Counts, keys: _Keys, day_expr: str, where: str, params: list[object]
) -> None:
    """Crossings by direction x sex x age band x nationality, totals, undocumented, minors."""
    # GROUP BY in the index's column order: SQLite streams the groups without a sort
    cursor = db.execute(
        f"SELECT {day_expr}, direction, sex, age_band, nationality, border_post, decision,"
        " COUNT(*), SUM(CASE WHEN capture_method = 'NO_DOCUMENT' THEN 1 ELSE 0 END),"
        f" SUM(minor), SUM(has_tips) FROM records WHERE {where} GROUP BY 1, 2, 3, 4, 5, 6, 7",
        params,
    )
    for dn, direction, sex, band, nat, post, decision, n, undoc, minor, tips in cursor:
        c.flagged += tips  # refused persons too: indicators are about people, not crossings
        if decision == "REFUSED":
            continue
        rest = keys.rest(dn, post)
        gkey = direction + rest
        c.cells[f"{direction}|{keys.sex(sex)}|{band or UNKNOWN}|{nat or UNKNOWN}{rest}"] += n
        c.totals[gkey] += n
        c.undocumented[gkey] += undoc
        c.minors[gkey] += minor
        if direction == "ENTRY":
            c.entries += n
        else:
            c.exits += n


BREAKDOWN_SQL = ", ".join(name for name in BREAKDOWNS if name != "decision")


def _breakdowns(
    db: Database, c: Counts, keys: _Keys, day_expr: str, where: str, params: list[object]
) -> None:
    """Crossings by each breakdown, refusals by reason, unaccompanied minors."""
    names = [name for name in BREAKDOWNS if name != "decision"]
    cursor = db.execute(
        f"SELECT {day_expr}, direction, border_post, decision, refusal_reason, {BREAKDOWN_SQL},"
        f" COUNT(*), SUM(unaccompanied) FROM records WHERE {where}"
        f" GROUP BY {', '.join(str(i) for i in range(1, 6 + len(names)))}",
        params,
    )
    for dn, direction, post, decision, reason, *values, n, unaccompanied in cursor:
        rest = keys.rest(dn, post)
        c.breakdowns["decision"][f"{direction}|{decision}{rest}"] += n
        if decision == "REFUSED":
            c.refusals[f"{direction}|{reason or UNKNOWN}{rest}"] += n
            continue
        for name, value in zip(names, values, strict=True):
            c.breakdowns[name][f"{direction}|{value or UNKNOWN}{rest}"] += n
        c.unaccompanied[direction + rest] += unaccompanied


def _sensitive(db: Database, c: Counts, where: str, params: list[object]) -> None:
    rwhere = "r." + where.replace(" AND ", " AND r.")
    join = "JOIN" if db.postgres else "CROSS JOIN"
    referred = "" if db.postgres else "INDEXED BY records_referred"
    for ind, n in db.query(
        # flagged persons are few: walk them, not the records (CROSS JOIN fixes the
        # order in SQLite)
        f"SELECT ri.indicator, COUNT(*) FROM record_indicators ri {join} records r"
        f" ON r.record_id = ri.record_id WHERE {rwhere} GROUP BY 1",
        params,
    ):
        c.indicators[str(ind)] += int(n)
    for ref, n in db.query(
        f"SELECT tip_referral, COUNT(*) FROM records {referred} WHERE {where}"
        " AND tip_referral <> 'NONE' GROUP BY 1",
        params,
    ):
        c.referrals[str(ref)] += int(n)


class ProgressBar:
    """A one-line progress bar on stderr (only drawn on a terminal unless forced)."""

    def __init__(self, label: str, stream: TextIO | None = None, force: bool = False) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = force or self.stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        width = 30
        filled = width * done // total
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {100 * done // total:3d}%"
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()

"""Migration statistics from the central database, computed in SQL (GROUP BY).

`sql_summary(db, ...)` returns the same `messaging.stats.Summary` that `summarise()` computes
from the records themselves (a test proves they are equal). The period is cut into chunks of
whole local days so a long run can show progress.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import TextIO

from central.db import DAY_OFFSET_MINUTES, Database
from messaging.stats import (
    DEFAULT_UTC_OFFSET_MINUTES,
    KEY_SEP,
    UNKNOWN,
    Period,
    Summary,
    make_summary,
    period_label,
    sex_label,
)

EPOCH = date(1970, 1, 1)
MAX_CHUNKS = 50
Progress = Callable[[int, int], None]


def day_start_ms(day: date, utc_offset_minutes: int) -> int:
    """First millisecond of a local day (the inverse of messaging.stats.local_day)."""
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
    """messaging.stats.summarise over the database's current records, in SQL.

    since/until: inclusive local days (default: all data). progress(done, total) is called
    after each chunk of days. At the stored offset (Lesotho time) the query reads only the
    covering index in its order; another offset computes days per row (slower, same result).
    """
    span = data_span(db)
    cells: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    undocumented: Counter[str] = Counter()
    minors: Counter[str] = Counter()
    indicators: Counter[str] = Counter()
    referrals: Counter[str] = Counter()
    entries = exits = flagged = 0
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
    labels: dict[int, str] = {}
    sexes: dict[int, str] = {}
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
        # GROUP BY in the index's column order: SQLite streams the groups without a sort
        cursor = db.execute(
            f"SELECT {day_expr}, direction, sex, age_band, nationality, border_post, COUNT(*),"
            " SUM(CASE WHEN capture_method = 'NO_DOCUMENT' THEN 1 ELSE 0 END), SUM(minor),"
            f" SUM(has_tips) FROM records WHERE {where} GROUP BY 1, 2, 3, 4, 5, 6",
            day_params + params,
        )
        for dn, direction, sex, band, nat, post, n, undoc, minor, tips in cursor:
            gkey = direction
            if by_post:
                gkey = gkey + KEY_SEP + post
            if period:
                label = labels.get(dn)
                if label is None:
                    label = labels[dn] = _label(int(dn), period)
                gkey = gkey + KEY_SEP + label
            sx = sexes.get(sex)
            if sx is None:
                sx = sexes[sex] = sex_label(sex)
            rest = gkey[len(direction) :]
            cells[f"{direction}|{sx}|{band or UNKNOWN}|{nat or UNKNOWN}{rest}"] += n
            totals[gkey] += n
            if undoc:
                undocumented[gkey] += undoc
            if minor:
                minors[gkey] += minor
            flagged += tips
            if direction == "ENTRY":
                entries += n
            else:
                exits += n
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
            indicators[str(ind)] += int(n)
        for ref, n in db.query(
            f"SELECT tip_referral, COUNT(*) FROM records {referred} WHERE {where}"
            " AND tip_referral <> 'NONE' GROUP BY 1",
            params,
        ):
            referrals[str(ref)] += int(n)
        if progress:
            progress(i + 1, len(chunks))
    return make_summary(
        by_post=by_post,
        period=period,
        cells=cells,
        totals=totals,
        undocumented=undocumented,
        minors=minors,
        entries=entries,
        exits=exits,
        indicators=indicators,
        referrals=referrals,
        flagged=flagged,
    )


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

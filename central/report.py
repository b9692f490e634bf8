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

from central.db import Database
from messaging.stats import (
    CELL_DIMENSIONS,
    DEFAULT_UTC_OFFSET_MINUTES,
    KEY_SEP,
    UNKNOWN,
    Period,
    SensitiveSummary,
    Summary,
    local_day,
    sex_label,
)

EPOCH = date(1970, 1, 1)
MAX_CHUNKS = 50
Progress = Callable[[int, int], None]


def day_start_ms(day: date, utc_offset_minutes: int) -> int:
    """First millisecond of a local day (the inverse of messaging.stats.local_day)."""
    return ((day - EPOCH).days * 86_400 - utc_offset_minutes * 60) * 1000


def _period_sql(db: Database, period: Period | None) -> str:
    if period is None:
        return "''"
    if db.postgres:
        fmt = "YYYY-MM-DD" if period == "day" else "YYYY-MM"
        return f"to_char(to_timestamp(crossing_ms / 1000 + ?) AT TIME ZONE 'UTC', '{fmt}')"
    fmt = "%Y-%m-%d" if period == "day" else "%Y-%m"
    return f"strftime('{fmt}', crossing_ms / 1000 + ?, 'unixepoch')"


def data_span(db: Database, utc_offset_minutes: int) -> tuple[date, date] | None:
    rows = db.query("SELECT MIN(crossing_ms), MAX(crossing_ms) FROM records WHERE is_current = 1")
    if not rows or rows[0][0] is None:
        return None
    return (
        local_day(int(rows[0][0]), utc_offset_minutes),
        local_day(int(rows[0][1]), utc_offset_minutes),
    )


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
    after each chunk of days.
    """
    span = data_span(db, utc_offset_minutes)
    cells: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    undocumented: Counter[str] = Counter()
    minors: Counter[str] = Counter()
    indicators: Counter[str] = Counter()
    referrals: Counter[str] = Counter()
    entries = exits = flagged = 0
    chunks: list[tuple[date, date]] = []
    if span is not None:
        first = max(since, span[0]) if since else span[0]
        last = min(until, span[1]) if until else span[1]
        ndays = (last - first).days + 1
        step = max(1, -(-ndays // MAX_CHUNKS))
        day = first
        while day <= last:
            chunks.append((day, min(last, day + timedelta(days=step - 1))))
            day += timedelta(days=step)
    pexpr = _period_sql(db, period)
    post_sql = " AND border_post = ?" if border_post is not None else ""
    for i, (lo, hi) in enumerate(chunks):
        bounds = [
            day_start_ms(lo, utc_offset_minutes),
            day_start_ms(hi + timedelta(days=1), utc_offset_minutes),
        ]
        where = "is_current = 1 AND crossing_ms >= ? AND crossing_ms < ?" + post_sql
        rwhere = "r.is_current = 1 AND r.crossing_ms >= ? AND r.crossing_ms < ?" + post_sql.replace(
            "border_post", "r.border_post"
        )
        params: list[object] = [*bounds] + ([border_post] if border_post is not None else [])
        pparams: list[object] = [utc_offset_minutes * 60] if period else []
        rows = db.query(
            f"SELECT direction, sex, age_band, nationality, border_post, {pexpr},"
            " COUNT(*), SUM(CASE WHEN capture_method = 'NO_DOCUMENT' THEN 1 ELSE 0 END),"
            " SUM(minor), SUM(has_tips)"
            f" FROM records WHERE {where} GROUP BY 1, 2, 3, 4, 5, 6",
            pparams + params,
        )
        for direction, sex, band, nat, post, plabel, n, undoc, minor, tips in rows:
            group = [str(direction)]
            if by_post:
                group.append(str(post))
            if period:
                group.append(str(plabel))
            gkey = KEY_SEP.join(group)
            cell = [group[0], sex_label(sex), band or UNKNOWN, nat or UNKNOWN, *group[1:]]
            cells[KEY_SEP.join(cell)] += int(n)
            totals[gkey] += int(n)
            if undoc:
                undocumented[gkey] += int(undoc)
            if minor:
                minors[gkey] += int(minor)
            flagged += int(tips)
            if direction == "ENTRY":
                entries += int(n)
            else:
                exits += int(n)
        for ind, n in db.query(
            "SELECT ri.indicator, COUNT(*) FROM record_indicators ri JOIN records r"
            f" ON r.record_id = ri.record_id WHERE {rwhere} GROUP BY 1",
            params,
        ):
            indicators[str(ind)] += int(n)
        for ref, n in db.query(
            f"SELECT tip_referral, COUNT(*) FROM records WHERE {where}"
            " AND tip_referral <> 'NONE' GROUP BY 1",
            params,
        ):
            referrals[str(ref)] += int(n)
        if progress:
            progress(i + 1, len(chunks))
    dims = list(CELL_DIMENSIONS)
    gdims = ["direction"]
    if by_post:
        dims.append("border_post")
        gdims.append("border_post")
    if period:
        dims.append(period)
        gdims.append(period)
    return Summary(
        dimensions=tuple(dims),
        group_dimensions=tuple(gdims),
        cells=dict(sorted(cells.items())),
        totals=dict(sorted(totals.items())),
        undocumented=dict(sorted(undocumented.items())),
        minors=dict(sorted(minors.items())),
        persons=entries + exits,
        entries=entries,
        exits=exits,
        net_migration=entries - exits,
        sensitive=SensitiveSummary(
            indicators=dict(sorted(indicators.items())),
            referrals=dict(sorted(referrals.items())),
            persons_flagged=flagged,
        ),
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

"""The statistics page's numbers: `imdms report`'s Summary, narrowed by the page's filters.

The report itself (central.report.sql_summary, the one counting function's SQL) is computed
for the period and post exactly as `imdms report --from --to [--post] --by day` does; the
other filters (direction, sex, age band, nationality on the crossing cells; category, purpose,
stay on their breakdown tables) select parts of it, so every number on the page is a number of
the report. `matching()` counts the persons matching every filter at once in one SQL query
(filters across tables are not in the report); a test asserts it equals the report's figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from central.db import Database
from central.report import EPOCH, data_span, sql_summary
from records.codes import AGE_BANDS, Direction, Purpose, Sex, StayBand, TravellerCategory
from records.stats import KEY_SEP, UNKNOWN, Summary, sex_label

PUBLIC_SUPPRESS_BELOW = 5  # as `imdms report --public` when collector.suppress_below is 0
CELL_FILTERS = ("direction", "sex", "age_band", "nationality")
BREAKDOWN_FILTERS = {"category": "traveller_category", "purpose": "purpose", "stay": "stay_band"}
SEX_VALUES = {sex_label(s.value): s.value for s in Sex}
CHOICES: dict[str, list[str]] = {
    "direction": [d.value for d in Direction],
    "sex": list(SEX_VALUES),
    "age_band": [*AGE_BANDS, UNKNOWN],
    "category": [c.value for c in TravellerCategory] + [UNKNOWN],
    "purpose": [p.value for p in Purpose] + [UNKNOWN],
    "stay": [s.value for s in StayBand] + [UNKNOWN],
}


@dataclass(frozen=True)
class Filters:
    since: date
    until: date
    post: str = ""
    direction: str = ""
    sex: str = ""
    age_band: str = ""
    nationality: str = ""
    category: str = ""
    purpose: str = ""
    stay: str = ""
    public: bool = True  # suppression on unless the user asks for the internal view

    def cell_match(self, parts: list[str]) -> bool:
        return all(
            not getattr(self, dim) or parts[i] == getattr(self, dim)
            for i, dim in enumerate(CELL_FILTERS)
        )


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def parse_filters(query: Any, db: Database) -> Filters:
    """Filters from a GET query; bad or missing dates default to the data's last 31 days."""
    span = data_span(db)
    last = EPOCH + timedelta(days=span[1]) if span else date.today()
    until = _day(query.get("to")) or last
    since = _day(query.get("from")) or until - timedelta(days=30)
    values = {
        k: str(query.get(k, "")).strip()[:40]
        for k in ("post", "direction", "sex", "age_band", "nationality", *BREAKDOWN_FILTERS)
    }
    for k, allowed in CHOICES.items():
        if values[k] not in allowed:
            values[k] = ""
    values["nationality"] = values["nationality"].upper()
    return Filters(since, until, public=query.get("audience", "public") != "internal", **values)


def threshold(f: Filters, configured: int) -> int:
    if f.public:
        return configured if configured >= 2 else PUBLIC_SUPPRESS_BELOW
    return configured


def report(db: Database, f: Filters) -> Summary:
    """The CLI report's Summary for the filters' period and post (`--by day`)."""
    return sql_summary(
        db,
        by_post=not f.post,
        period="day",
        since=f.since,
        until=f.until,
        border_post=f.post or None,
    )


@dataclass
class View:
    """The page's tables, from one Summary."""

    by_age_sex: dict[str, Counter[str]]
    by_nationality: Counter[str]
    by_direction: Counter[str]
    breakdowns: dict[str, Counter[str]]
    refusals: Counter[str]
    daily: dict[str, Counter[str]]  # day -> direction -> persons (cell filters applied)
    persons: int  # persons in the filtered cells


def view(s: Summary, f: Filters) -> View:
    v = View({}, Counter(), Counter(), {}, Counter(), {}, 0)
    for key, n in s.cells.items():
        parts = key.split(KEY_SEP)
        if not f.cell_match(parts):
            continue
        direction, sex, band, nat = parts[:4]
        v.by_age_sex.setdefault(band, Counter())[sex] += n
        v.by_nationality[nat] += n
        v.by_direction[direction] += n
        v.daily.setdefault(parts[-1], Counter())[direction] += n
        v.persons += n
    wanted = {BREAKDOWN_FILTERS.get(k, k): getattr(f, k) for k in BREAKDOWN_FILTERS}
    for name, table in s.breakdowns.items():
        counts: Counter[str] = Counter()
        for key, n in table.items():
            direction, value = key.split(KEY_SEP)[:2]
            if f.direction and direction != f.direction:
                continue
            if wanted.get(name) and value != wanted[name]:
                continue
            counts[value] += n
        v.breakdowns[name] = counts
    for key, n in s.refusals.items():
        direction, reason = key.split(KEY_SEP)[:2]
        if not f.direction or direction == f.direction:
            v.refusals[reason] += n
    v.daily = dict(sorted(v.daily.items()))
    return v


def _eq(column: str, value: str) -> tuple[str, list[object]]:
    if value == UNKNOWN:
        return f" AND {column} IS NULL", []
    return f" AND {column} = ?", [value]


def matching(db: Database, f: Filters) -> int:
    """Persons (crossings, not refusals) matching every filter, in one indexed query."""
    sql = (
        "SELECT COUNT(*) FROM records WHERE is_current = 1 AND crossing_day >= ?"
        " AND crossing_day <= ? AND decision <> 'REFUSED'"
    )
    params: list[object] = [(f.since - EPOCH).days, (f.until - EPOCH).days]
    for column, value in (
        ("border_post", f.post),
        ("direction", f.direction),
        ("age_band", f.age_band),
        ("nationality", f.nationality),
        *((col, getattr(f, k)) for k, col in BREAKDOWN_FILTERS.items()),
    ):
        if value:
            more, p = _eq(column, value)
            sql, params = sql + more, params + p
    if f.sex:
        sql, params = sql + " AND sex = ?", [*params, SEX_VALUES[f.sex]]
    return int(db.query(sql, params)[0][0])


def without_dimensions(f: Filters) -> Filters:
    """Only period and post: what the CLI report (and the CSV/XLSX export) covers."""
    return replace(
        f, direction="", sex="", age_band="", nationality="", category="", purpose="", stay=""
    )

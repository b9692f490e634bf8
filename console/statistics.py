"""The statistics page's filters, its tables (console.aggregate) and the exports.

Every filter (period, post, direction, sex, age band, nationality, category, purpose, stay)
applies to every table of the page. The CSV/XLSX exports are `imdms report` itself
(central.report.sql_summary) for the period and post. Tests assert that the page's numbers
equal the report's cells wherever the report has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from central.db import Database
from central.report import EPOCH, data_span, sql_summary
from console.aggregate import PageCounts, page_counts
from console.rollup_cube import equal
from console.rollup_read import Rolled, rolled
from records.codes import AGE_BANDS, Direction, Purpose, Sex, StayBand, TravellerCategory
from records.stats import UNKNOWN, SensitiveSummary, Summary, sex_label

PUBLIC_SUPPRESS_BELOW = 5  # as `imdms report --public` when collector.suppress_below is 0
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
    """Exactly `imdms report --from --to [--post] --by day`'s Summary (the exports)."""
    return sql_summary(
        db,
        by_post=not f.post,
        period="day",
        since=f.since,
        until=f.until,
        border_post=f.post or None,
    )


def columns(f: Filters) -> dict[str, object]:
    """The filters other than the period as column of records -> value (None: UNKNOWN)."""
    out: dict[str, object] = {}
    for column, value in (
        ("border_post", f.post),
        ("direction", f.direction),
        ("age_band", f.age_band),
        ("nationality", f.nationality),
        *((col, getattr(f, k)) for k, col in BREAKDOWN_FILTERS.items()),
    ):
        if value:
            out[column] = None if value == UNKNOWN else value
    if f.sex:
        out["sex"] = SEX_VALUES[f.sex]
    return out


def where(f: Filters) -> tuple[str, list[object]]:
    """The WHERE clause of every filter: current rows of the period's local days."""
    more, params = equal(columns(f))
    sql = "is_current = 1 AND crossing_day >= ? AND crossing_day <= ?" + more
    return sql, [(f.since - EPOCH).days, (f.until - EPOCH).days, *params]


def monthly(f: Filters) -> bool:
    return (f.until - f.since).days > 62


def page_tables(db: Database, f: Filters) -> PageCounts:
    """The page's tables: every filter applies to every table. From the per-day roll-up and
    its filter cube with changed days live (console.rollup_read), else (never built) from
    records."""
    got = _rolled(db, f)
    if got is not None:
        return got.counts
    sql, params = where(f)
    return page_counts(db, sql, params, monthly(f))


def sensitive(db: Database, f: Filters) -> SensitiveSummary:
    """The restricted tables (period and post only, as `imdms report`)."""
    only_post = Filters(f.since, f.until, post=f.post, public=f.public)
    got = _rolled(db, only_post)
    return got.sensitive if got is not None else report(db, f).sensitive


def _rolled(db: Database, f: Filters) -> Rolled | None:
    return rolled(db, (f.since - EPOCH).days, (f.until - EPOCH).days, columns(f), monthly(f))

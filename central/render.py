"""Render a Summary as CSV, JSON or HTML (with charts), applying small-cell suppression.

Suppression: a count n with 0 < n < threshold is published blank (CSV/HTML) or null (JSON).
It applies to every table cell (also breakdowns, refusals, indicators and referrals) but not to
the grand totals (entries, exits, net migration, refused). No secondary suppression is done: a
blanked cell can sometimes be recovered by differencing, so keep the threshold for published
tables with that in mind.

Each format has its module (`render_csv_json`, `render_html` with `render_charts`; shared rows
and suppression in `render_rows`); this one dispatches on the format and re-exports every name.
"""

from __future__ import annotations

from central.render_charts import charts
from central.render_csv_json import (
    CSV_COLUMNS,
    to_csv,
    to_json,
)
from central.render_html import to_html
from central.render_rows import (
    ReportMeta,
    Row,
    by_value,
    net_by_group,
    suppress,
)
from records.stats import Summary

__all__ = [
    "CSV_COLUMNS",
    "ReportMeta",
    "Row",
    "by_value",
    "charts",
    "net_by_group",
    "render",
    "suppress",
    "to_csv",
    "to_html",
    "to_json",
]


def render(summary: Summary, meta: ReportMeta, fmt: str) -> str:
    if fmt == "csv":
        return to_csv(summary, meta)
    if fmt == "json":
        return to_json(summary, meta)
    if fmt == "html":
        return to_html(summary, meta)
    raise ValueError(fmt)

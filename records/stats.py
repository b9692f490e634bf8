"""Migration statistics: ONE pure aggregation shared by the booth and the central report.

`summarise(records)` takes CrossingRecord.to_dict() dicts (any order, duplicates allowed) and
returns a `Summary`. The booth's shift summary calls it on its own records; the central report
computes the same figures in SQL and a test proves the two agree exactly. Standard library and
records.record (age arithmetic) only. The per-record rules live in `stats_resolve`, the Summary
and its assembly in `stats_summary`; this module re-exports every name.

Rules (the SQL in central/ follows them; change both together):
- Duplicates (same record_id) count once; the first copy seen is kept.
- A record with `amends` replaces the record it corrects. Chains are followed to the first
  record (the "root"); when several records amend one crossing the latest wins, ordered by
  (recorded_at as an instant, record_id). An amendment always beats the original. An amendment
  whose original was never seen stands in for it.
- A winning version with `void` set (an amendment "void: duplicate/mistake") cancels its
  crossing: it is counted nowhere (`is_void`; the central report uses the same function).
- The crossing's time is the root record's recorded_at (an amendment corrects the data, not
  when the person crossed); it falls back to the amendment's own when the root is missing.
- Periods (day, month) are local days at `utc_offset_minutes` from UTC (default +120 min,
  Lesotho's SAST: fixed, no daylight saving). Filters (since/until/border_post) apply to the
  effective record after amendments are resolved.
- A REFUSED decision is not a crossing: it is left out of cells, totals, entries, exits, net
  migration and every breakdown except `decision`, and counted in `refusals` by reason (A-I).
- Age band and minor: from the date of birth at the crossing time (UTC date of crossing_ms, so
  a centre-corrected time gives the corrected age) when the record has a date of birth and the
  age was not estimated; otherwise the record's own age_band/minor.
- Missing values are counted under "UNKNOWN" (age band, nationality, breakdown values); sex
  uses ISO 5218 names.
- Undocumented: capture_method NO_DOCUMENT. Minor: the age above is under 18 (unknown age is
  not a minor). Unaccompanied minor: a minor with no accompanying_adult_ref and no group_id.
- Category source (breakdown `category_source`): whether the category and purpose were the
  booth's proposal confirmed, a proposal changed, or chosen with none (`category_source`).
- Trafficking indicators and referrals are sensitive: they are kept in `Summary.sensitive`
  (over every effective record, refused or not) and never appear in the general tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from records.codes import CaptureMethod, Decision, Direction
from records.stats_resolve import (
    Resolution,
    age_fields,
    category_source,
    instant_ms,
    is_unaccompanied,
    is_void,
    local_day,
    period_label,
    resolve,
    sex_label,
    utc_day,
    version_key,
)
from records.stats_summary import (
    BREAKDOWNS,
    CELL_DIMENSIONS,
    DEFAULT_UTC_OFFSET_MINUTES,
    KEY_SEP,
    UNKNOWN,
    CellKey,
    Counts,
    Period,
    SensitiveSummary,
    Summary,
    make_summary,
)

__all__ = [
    "BREAKDOWNS",
    "CELL_DIMENSIONS",
    "CellKey",
    "Counts",
    "DEFAULT_UTC_OFFSET_MINUTES",
    "KEY_SEP",
    "Period",
    "Resolution",
    "SensitiveSummary",
    "Summary",
    "UNKNOWN",
    "age_fields",
    "category_source",
    "instant_ms",
    "is_unaccompanied",
    "is_void",
    "local_day",
    "make_summary",
    "period_label",
    "resolve",
    "sex_label",
    "summarise",
    "utc_day",
    "version_key",
]


def summarise(
    records: Iterable[Mapping[str, Any]],
    *,
    by_post: bool = False,
    period: Period | None = None,
    since: date | None = None,
    until: date | None = None,
    border_post: str | None = None,
    utc_offset_minutes: int = DEFAULT_UTC_OFFSET_MINUTES,
) -> Summary:
    """Disaggregated counts of persons crossing.

    by_post / period add border_post and day or month ("YYYY-MM-DD" / "YYYY-MM") to the keys.
    since / until: inclusive local days; border_post: only that post. Pure: no I/O.
    """
    resolution = resolve(records)
    c = Counts()
    for rec, crossing_ms in resolution.effective:
        day = local_day(crossing_ms, utc_offset_minutes)
        if (since and day < since) or (until and day > until):
            continue
        if border_post is not None and rec["border_post"] != border_post:
            continue
        direction = str(rec["direction"])
        rest = ""
        if by_post:
            rest += KEY_SEP + str(rec["border_post"])
        if period:
            rest += KEY_SEP + period_label(day, period)
        gkey = direction + rest
        decision = str(rec.get("decision") or Decision.ADMITTED)
        c.breakdowns["decision"][direction + KEY_SEP + decision + rest] += 1
        c.count_sensitive(rec)
        if decision == Decision.REFUSED:
            c.refusals[direction + KEY_SEP + str(rec.get("refusal_reason") or UNKNOWN) + rest] += 1
            continue
        band, minor = age_fields(rec, crossing_ms)
        sex = sex_label(rec.get("sex"))
        nat = rec.get("nationality") or UNKNOWN
        c.cells[KEY_SEP.join((direction, sex, band or UNKNOWN, nat)) + rest] += 1
        c.totals[gkey] += 1
        if direction == Direction.ENTRY:
            c.entries += 1
        else:
            c.exits += 1
        if rec.get("capture_method") == CaptureMethod.NO_DOCUMENT:
            c.undocumented[gkey] += 1
        if minor is True:
            c.minors[gkey] += 1
            if is_unaccompanied(rec, minor):
                c.unaccompanied[gkey] += 1
        for name, fld in BREAKDOWNS.items():
            if name == "category_source":
                value = category_source(rec)
            elif name != "decision":
                value = rec.get(fld) or UNKNOWN
            else:
                continue
            c.breakdowns[name][direction + KEY_SEP + str(value) + rest] += 1
    return c.summary(by_post=by_post, period=period)

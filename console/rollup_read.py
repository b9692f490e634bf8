"""The statistics page's tables from the per-day roll-up (console.rollup), with every day that
changed since the roll-up computed live from `records` by the same statements.

The roll-up keeps post, direction and sex on every row, so those filters (and the period and
audience) are served from it; a filter on age band, nationality, category, purpose or stay
needs the joint distribution of every column: such a view is the page's own query over the
filter cube (console.rollup_cube). The rows go through console.aggregate.add_row, the rules
of the live page, whose own query computes the changed days: all give the same numbers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from central.db import Database, day_number
from console.aggregate import PageCounts, add_row, merge, page_counts
from console.rollup import SENSITIVE, State, day_list, sensitive_selects, state
from console.rollup_cube import ROLLUP_FILTERS, equal
from records.stats import SensitiveSummary

ROOTS_PER_QUERY = 500


def changed_days(db: Database, st: State) -> set[int]:
    """Days whose numbers may differ from the roll-up: those of every version of each crossing
    received since it began (minus rollup.MARGIN_S), and, when a clock offset was learnt, the
    days the records of the boots then awaiting one had and have now."""
    roots = [r for (r,) in db.query(
        "SELECT DISTINCT root_id FROM records WHERE received_at > ?", (st.received,)
    )]
    days: set[int] = set()
    for i in range(0, len(roots), ROOTS_PER_QUERY):
        marks, params = day_list(roots[i : i + ROOTS_PER_QUERY])
        for ms, day in db.query(
            f"SELECT recorded_ms, crossing_day FROM records WHERE root_id IN ({marks})", params
        ):
            days.add(day_number(int(ms)))
            if day is not None:
                days.add(int(day))
    if int(db.query("SELECT COUNT(*) FROM clock_offsets")[0][0]) != st.offsets:
        boots = set()
        for terminal, boot, day in db.query(
            "SELECT u.terminal_id, u.boot_id, u.crossing_day FROM stats_rollup_unsynced u"
            " JOIN clock_offsets o ON o.terminal_id = u.terminal_id AND o.boot_id = u.boot_id"
        ):
            days.add(int(day))
            boots.add((terminal, boot))
        for terminal, boot in boots:
            days |= {int(d) for (d,) in db.query(
                "SELECT DISTINCT crossing_day FROM records WHERE terminal_id = ? AND boot_id = ?"
                " AND is_current = 1 AND crossing_day IS NOT NULL", (terminal, boot),
            )}
    return days


@dataclass
class _Sensitive:
    indicators: Counter[str] = field(default_factory=Counter)
    referrals: Counter[str] = field(default_factory=Counter)
    flagged: int = 0

    def summary(self) -> SensitiveSummary:
        return SensitiveSummary(
            indicators={k: v for k, v in sorted(self.indicators.items()) if v},
            referrals={k: v for k, v in sorted(self.referrals.items()) if v},
            persons_flagged=self.flagged,
        )


@dataclass
class Rolled:
    counts: PageCounts
    sensitive: SensitiveSummary
    live_days: int  # days of the period computed from records


def _feed(
    out: PageCounts, sens: _Sensitive, row: tuple[object, ...], monthly: bool, main: bool
) -> None:
    """One roll-up row (day, direction, decision, sex, tab, k1, k2, n) into the page's tables
    (main) or the restricted ones."""
    day, direction, decision, sex, tab, k1, k2, n = row
    count = int(n)  # type: ignore[call-overload]
    if tab in SENSITIVE:
        if main:
            return
        if tab == "flagged":
            sens.flagged += count
        elif tab == "indicator":
            sens.indicators[str(k1)] += count
        else:
            sens.referrals[str(k1)] += count
        return
    if not main:
        return
    values: dict[str, object] = {"direction": direction, "decision": decision, "sex": sex}
    if tab == "daily":
        values["crossing_day"] = day
    elif tab == "cells":
        values.update(age_band=k1, nationality=k2)
    else:
        values.update({str(tab): k1, "refusal_reason": k1})
    add_row(out, str(tab), values, count, monthly)


def rolled(
    db: Database, lo: int, hi: int, filters: dict[str, object], monthly: bool
) -> Rolled | None:
    """The page's tables for local days lo..hi, or None when the roll-up was never made.
    filters: column of records -> value (None: NULL, shown as UNKNOWN), as rollup_cube.equal.
    Post, direction and sex alone are read from stats_rollup, any other filter from the
    filter cube; the restricted tables by period and post only (as `imdms report`)."""
    st = state(db)
    if st is None:
        return None
    live = sorted(d for d in changed_days(db, st) if lo <= d <= hi)
    out, sens = PageCounts(), _Sensitive()
    days = "crossing_day >= ? AND crossing_day <= ?"
    params: list[object] = [lo, hi]
    if live:
        marks, more = day_list(live)
        days, params = days + f" AND crossing_day NOT IN ({marks})", params + more
    post, pparams = equal({k: v for k, v in filters.items() if k == "border_post"})
    for row in db.query(
        "SELECT NULL, NULL, NULL, NULL, tab, k1, NULL, SUM(n) FROM stats_rollup"
        f" WHERE {days}{post} AND tab IN ('indicator', 'referral', 'flagged') GROUP BY tab, k1",
        params + pparams,
    ):
        _feed(out, sens, row, monthly, False)
    narrow, nparams = equal(filters)
    narrow, nparams = days + narrow, params + nparams
    if set(filters) <= ROLLUP_FILTERS:
        for row in db.query(
            "SELECT crossing_day, direction, decision, NULL, tab, NULL, NULL, SUM(n)"
            f" FROM stats_rollup WHERE {narrow} AND tab = 'daily'"
            " GROUP BY crossing_day, direction, decision, tab",
            nparams,
        ):
            _feed(out, sens, row, monthly, True)
        for row in db.query(
            "SELECT NULL, direction, decision, sex, tab, k1, k2, SUM(n) FROM stats_rollup"
            f" WHERE {narrow} AND tab NOT IN ('daily', 'indicator', 'referral', 'flagged')"
            " GROUP BY direction, decision, sex, tab, k1, k2",
            nparams,
        ):
            _feed(out, sens, row, monthly, True)
    else:
        merge(out, page_counts(db, narrow, nparams, monthly, "stats_cube"))
    if live:
        _live(db, out, sens, live, filters, monthly)
    return Rolled(out, sens.summary(), len(live))


def _live(
    db: Database,
    out: PageCounts,
    sens: _Sensitive,
    days: list[int],
    filters: dict[str, object],
    monthly: bool,
) -> None:
    """Changed days from records: the page's own query (console.aggregate.page_counts) with
    the filters, and the restricted tables by post only."""
    marks, params = day_list(days)
    where = f"is_current = 1 AND crossing_day IN ({marks})"
    post, pparams = equal({k: v for k, v in filters.items() if k == "border_post"})
    for sql in sensitive_selects(where + post):
        for day, _post, direction, decision, sx, tab, k1, k2, n in db.query(sql, params + pparams):
            _feed(out, sens, (day, direction, decision, sx, tab, k1, k2, n), monthly, False)
    more, fparams = equal(filters)
    merge(out, page_counts(db, where + more, params + fparams, monthly))

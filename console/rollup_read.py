"""The statistics page's tables from the per-day roll-up (console.rollup), with every day that
changed since the roll-up computed live from `records` by the same statements.

The roll-up keeps post, direction and sex on every row, so those filters (and the period and
audience) are served from it; a filter on age band, nationality, category, purpose or stay
needs the joint distribution of every column, which only `records` has: such a view is
computed from `records` as before (`rolled` returns None). The rows go through
console.aggregate.add_row, the rules of the live page, whose own query computes the changed
days: both give the same numbers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from central.db import Database, day_number
from console.aggregate import PageCounts, add_row, merge, page_counts
from console.rollup import SENSITIVE, State, day_list, sensitive_selects, state
from records.stats import SensitiveSummary

LIVE_ONLY = ("age_band", "nationality", "category", "purpose", "stay")
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
    db: Database, lo: int, hi: int, filters: dict[str, str], monthly: bool, sex: int | None
) -> Rolled | None:
    """The page's tables for local days lo..hi with the post/direction/sex filters, or None
    when the roll-up was never made. filters: post, direction ("" = any)."""
    st = state(db)
    if st is None:
        return None
    live = sorted(d for d in changed_days(db, st) if lo <= d <= hi)
    out, sens = PageCounts(), _Sensitive()
    where = "crossing_day >= ? AND crossing_day <= ?"
    params: list[object] = [lo, hi]
    if live:
        marks, more = day_list(live)
        where, params = where + f" AND crossing_day NOT IN ({marks})", params + more
    if filters.get("post"):
        where, params = where + " AND border_post = ?", [*params, filters["post"]]
    narrow, nparams = where, list(params)
    if filters.get("direction"):
        narrow, nparams = narrow + " AND direction = ?", [*nparams, filters["direction"]]
    if sex is not None:
        narrow, nparams = narrow + " AND sex = ?", [*nparams, sex]
    for row in db.query(
        "SELECT crossing_day, direction, decision, NULL, tab, NULL, NULL, SUM(n) FROM stats_rollup"
        f" WHERE {narrow} AND tab = 'daily' GROUP BY crossing_day, direction, decision, tab",
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
    for row in db.query(
        "SELECT NULL, NULL, NULL, NULL, tab, k1, NULL, SUM(n) FROM stats_rollup"
        f" WHERE {where} AND tab IN ('indicator', 'referral', 'flagged') GROUP BY tab, k1",
        params,
    ):
        _feed(out, sens, row, monthly, False)
    if live:
        _live(db, out, sens, live, filters, monthly, sex)
    return Rolled(out, sens.summary(), len(live))


def _live(
    db: Database,
    out: PageCounts,
    sens: _Sensitive,
    days: list[int],
    filters: dict[str, str],
    monthly: bool,
    sex: int | None,
) -> None:
    """Changed days from records: the page's own query (console.aggregate.page_counts) with
    the filters, and the restricted tables by post only."""
    marks, params = day_list(days)
    where = f"is_current = 1 AND crossing_day IN ({marks})"
    if filters.get("post"):
        where, params = where + " AND border_post = ?", [*params, filters["post"]]
    for sql in sensitive_selects(where):
        for day, _post, direction, decision, sx, tab, k1, k2, n in db.query(sql, params):
            _feed(out, sens, (day, direction, decision, sx, tab, k1, k2, n), monthly, False)
    if filters.get("direction"):
        where, params = where + " AND direction = ?", [*params, filters["direction"]]
    if sex is not None:
        where, params = where + " AND sex = ?", [*params, sex]
    merge(out, page_counts(db, where, params, monthly))

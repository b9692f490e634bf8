"""Aggregate pages: live operations and statistics (with CSV/XLSX export). No personal data."""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from central.render import suppress
from console import export
from console.charts import bars
from console.operations import terminals, today_counts
from console.roles import TRAFFICKING, page, roles_of
from console.statistics import (
    CHOICES,
    monthly,
    parse_filters,
    report,
    threshold,
)
from console.statistics import (
    sensitive as stats_sensitive,
)
from console.store import central_db
from console.tables_cache import tables
from records.codes import AGE_BANDS
from records.stats import UNKNOWN


@page("operations")
def operations(request: HttpRequest) -> HttpResponse:
    rows = terminals()
    context = {
        "terminals": rows,
        "stale": sum(r.stale for r in rows),
        "today": today_counts(),
        "stale_after_min": settings.STALE_AFTER_S // 60,
    }
    return render(request, "console/operations.html", context)


def _table(counts: Counter[tuple[str, str]], t: int) -> list[tuple[str, int | None]]:
    """(direction, value) counts as value -> persons (both directions summed), suppressed."""
    merged: Counter[str] = Counter()
    for (_direction, value), n in counts.items():
        merged[value] += n
    return [(k, suppress(n, t)) for k, n in sorted(merged.items())]


@page("statistics")
def statistics(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format")
    with central_db() as db:
        f = parse_filters(request.GET, db)
        if fmt in ("csv", "xlsx"):
            summary = report(db, f)
        else:
            counts, computed = tables(db, f)
            sensitive = None
            if TRAFFICKING in roles_of(request.user) and not f.public:
                sensitive = stats_sensitive(db, f)
    t = threshold(f, settings.COLLECTOR_SUPPRESS_BELOW)
    if fmt in ("csv", "xlsx"):
        name = f"imdms-report-{f.since}-{f.until}{'-' + f.post if f.post else ''}"
        if fmt == "csv":
            resp = HttpResponse(export.csv_text(summary, f, t), content_type="text/csv")
        else:
            resp = HttpResponse(
                export.xlsx_bytes(summary, f, t),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return resp
    by_age_sex: dict[str, Counter[str]] = {}
    by_nationality: Counter[str] = Counter()
    for (_direction, sex, band, nat), n in counts.cells.items():
        by_age_sex.setdefault(band, Counter())[sex] += n
        by_nationality[nat] += n
    sexes = sorted({s for c in by_age_sex.values() for s in c})
    bands = [b for b in (*AGE_BANDS, UNKNOWN) if b in by_age_sex]
    daily: Counter[str] = Counter()
    for (label, _direction), n in counts.daily.items():
        daily[label] += n
    persons = counts.entries + counts.exits
    context = {
        "f": f,
        "choices": CHOICES,
        "threshold": t,
        "counts": counts,
        "net": counts.entries - counts.exits,
        "persons": persons,
        "sexes": sexes,
        "age_rows": [(b, [suppress(by_age_sex[b][s], t) for s in sexes]) for b in bands],
        "nationalities": [(k, suppress(n, t)) for k, n in sorted(by_nationality.items())],
        "breakdowns": {name: _table(c, t) for name, c in sorted(counts.breakdowns.items())},
        "decisions": _table(counts.decisions, t),
        "refusals": _table(counts.refusals, t),
        "chart_age": bars(
            "Persons by age band",
            {b: suppress(sum(by_age_sex[b].values()), t) for b in bands},
        ),
        "chart_days": bars(
            "Persons by " + ("month" if monthly(f) else "day"),
            {d: suppress(n, t) for d, n in daily.items()},
            limit=31,
            by_label=True,
        ),
        "sensitive": sensitive,
        "query": request.GET.urlencode(),
        "computed": computed,
        "cache_s": settings.STATS_CACHE_S,
    }
    return render(request, "console/statistics.html", context)

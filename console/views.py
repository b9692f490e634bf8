"""Aggregate pages: live operations and statistics (with CSV/XLSX export). No personal data."""

from __future__ import annotations

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
    matching,
    parse_filters,
    report,
    threshold,
    view,
)
from console.store import central_db
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


@page("statistics")
def statistics(request: HttpRequest) -> HttpResponse:
    with central_db() as db:
        f = parse_filters(request.GET, db)
        summary = report(db, f)
        persons = matching(db, f)
    t = threshold(f, settings.COLLECTOR_SUPPRESS_BELOW)
    fmt = request.GET.get("format")
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
    v = view(summary, f)
    sexes = sorted({s for c in v.by_age_sex.values() for s in c})
    bands = [b for b in (*AGE_BANDS, UNKNOWN) if b in v.by_age_sex]
    age_rows = [(b, [suppress(v.by_age_sex[b][s], t) for s in sexes]) for b in bands]
    breakdowns = {
        name: sorted(((k, suppress(n, t)) for k, n in c.items()), key=lambda kv: kv[0])
        for name, c in v.breakdowns.items()
    }
    sensitive = None
    if TRAFFICKING in roles_of(request.user) and not f.public:
        sensitive = summary.sensitive
    context = {
        "f": f,
        "choices": CHOICES,
        "threshold": t,
        "summary": summary,
        "persons": persons if not (0 < persons < t) else None,
        "cells_persons": v.persons,
        "sexes": sexes,
        "age_rows": age_rows,
        "nationalities": sorted(
            ((k, suppress(n, t)) for k, n in v.by_nationality.items()), key=lambda kv: kv[0]
        ),
        "breakdowns": breakdowns,
        "refusals": sorted((k, suppress(n, t)) for k, n in v.refusals.items()),
        "chart_age": bars(
            "Persons by age band",
            {b: suppress(sum(v.by_age_sex[b].values()), t) for b in bands},
        ),
        "chart_days": bars(
            "Persons by day",
            {d: suppress(sum(c.values()), t) for d, c in v.daily.items()},
            limit=31,
            by_label=True,
        ),
        "sensitive": sensitive,
        "query": request.GET.urlencode(),
    }
    return render(request, "console/statistics.html", context)

"""The machine-readable report formats: long ("tidy") CSV and JSON, suppression applied."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from central.render_rows import (
    ReportMeta,
    _cell,
    _split_cells,
    _suppressed,
    by_value,
    net_by_group,
    suppress,
)
from records.stats import KEY_SEP, Summary

CSV_COLUMNS = (
    "table",
    "direction",
    "sex",
    "age_band",
    "nationality",
    "border_post",
    "period",
    "category",
    "persons",
)


def to_csv(summary: Summary, meta: ReportMeta) -> str:
    """Long ("tidy") CSV: one row per count, `table` says which table it belongs to."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    t = meta.suppress_below
    for parts, n in zip(_split_cells(summary), summary.cells.values(), strict=True):
        w.writerow(
            [
                "crossings",
                parts["direction"],
                parts["sex"],
                parts["age_band"],
                parts["nationality"],
                parts.get("border_post", ""),
                parts.get(meta.period, ""),
                "",
                _cell(suppress(n, t)),
            ]
        )
    gdims = summary.group_dimensions

    def group_row(table: str, g: dict[str, str], value: str, n: int) -> None:
        """A row of a per-group table: direction x post x period, an optional value."""
        w.writerow([table, g["direction"], "", "", "", g.get("border_post", ""),
                    g.get(meta.period, ""), value, _cell(suppress(n, t))])

    for table, data in (
        ("totals", summary.totals),
        ("undocumented", summary.undocumented),
        ("minors", summary.minors),
        ("unaccompanied_minors", summary.unaccompanied_minors),
    ):
        for key, n in data.items():
            group_row(table, dict(zip(gdims, key.split(KEY_SEP), strict=True)), "", n)
    for table, data in (*summary.breakdowns.items(), ("refusals", summary.refusals)):
        for g, value, n in by_value(data, gdims):
            group_row(table, g, value, n)
    for key, n in net_by_group(summary).items():
        g = dict(zip(gdims[1:], key.split(KEY_SEP), strict=True)) if key else {}
        w.writerow(
            [
                "net_migration",
                "",
                "",
                "",
                "",
                g.get("border_post", ""),
                g.get(meta.period, ""),
                "",
                n,
            ]
        )
    if meta.include_sensitive:
        s = summary.sensitive
        for table, counts in (("indicators", s.indicators), ("referrals", s.referrals)):
            for code, n in counts.items():
                w.writerow(
                    [table, "", "", "", "", meta.border_post or "", "", code, _cell(suppress(n, t))]
                )
        w.writerow(
            [
                "persons_flagged",
                "",
                "",
                "",
                "",
                meta.border_post or "",
                "",
                "",
                _cell(suppress(s.persons_flagged, t)),
            ]
        )
    return out.getvalue()


def to_json(summary: Summary, meta: ReportMeta) -> str:
    t = meta.suppress_below
    doc: dict[str, Any] = {
        "from": meta.since.isoformat(),
        "to": meta.until.isoformat(),
        "border_post": meta.border_post,
        "period": meta.period,
        "utc_offset_minutes": meta.utc_offset_minutes,
        "suppress_below": t,
        "dimensions": list(summary.dimensions),
        "group_dimensions": list(summary.group_dimensions),
        "persons": summary.persons,
        "entries": summary.entries,
        "exits": summary.exits,
        "net_migration": summary.net_migration,
        "net_migration_by_group": net_by_group(summary),
        "refused": summary.refused,
        "public": meta.public,
        "cells": _suppressed(summary.cells, t),
        "totals": _suppressed(summary.totals, t),
        "undocumented": _suppressed(summary.undocumented, t),
        "minors": _suppressed(summary.minors, t),
        "unaccompanied_minors": _suppressed(summary.unaccompanied_minors, t),
        "breakdowns": {k: _suppressed(v, t) for k, v in summary.breakdowns.items()},
        "refusals": _suppressed(summary.refusals, t),
    }
    if meta.include_sensitive:
        s = summary.sensitive
        doc["sensitive"] = {
            "indicators": _suppressed(s.indicators, t),
            "referrals": _suppressed(s.referrals, t),
            "persons_flagged": suppress(s.persons_flagged, t),
        }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"

"""The HTML report: tables and the charts, one self-contained page, suppression applied."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping
from typing import Any

from central.render_charts import charts
from central.render_rows import (
    ReportMeta,
    _marginal2,
    by_value,
    net_by_group,
    suppress,
)
from records.codes import AGE_BANDS, TIP_INDICATOR_LABELS
from records.stats import KEY_SEP, UNKNOWN, Summary


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('' if c is None else str(c))}</td>" for c in r)
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(summary: Summary, meta: ReportMeta) -> str:
    t = meta.suppress_below
    e = html.escape
    scope = meta.border_post or "all border posts"
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Migration statistics {meta.since} to {meta.until}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "table{border-collapse:collapse;font-size:small}td,th{border:1px solid #bbb;"
        "padding:2px 6px;text-align:right}th{background:#eee}.sensitive{border:2px solid #a00;"
        "padding:0 1em}</style></head><body>",
        f"<h1>Migration statistics: {e(scope)}, {meta.since} to {meta.until}</h1>",
        f"<p>Persons crossing (after duplicates and amendments), by local {e(meta.period)} "
        f"(UTC{meta.utc_offset_minutes / 60:+g} h). "
        + (f"Cells under {t} persons are left blank. " if t else "")
        + "</p>",
        _table(
            ["entries", "exits", "net migration (entries - exits)"],
            [[summary.entries, summary.exits, summary.net_migration]],
        ),
    ]
    for title, png in charts(summary, meta):
        parts.append(f"<h2>{e(title)}</h2><img alt='{e(title)}' src='data:image/png;base64,{png}'>")
    gdims = list(summary.group_dimensions[1:])
    groups = sorted({KEY_SEP.join(k.split(KEY_SEP)[1:]) for k in summary.totals})
    rows = []
    net = net_by_group(summary)
    for g in groups:

        def get(d: Mapping[str, int], direction: str, g: str = g) -> int:
            return d.get(KEY_SEP.join([direction, g]) if g else direction, 0)

        rows.append(
            [
                *(g.split(KEY_SEP) if g else []),
                *(
                    suppress(get(d, di), t)
                    for di in ("ENTRY", "EXIT")
                    for d in (
                        summary.totals,
                        summary.undocumented,
                        summary.minors,
                        summary.unaccompanied_minors,
                    )
                ),
                net.get(g, 0),
            ]
        )
    parts.append("<h2>Entries, exits, undocumented persons and minors</h2>")
    per_direction = ["undocumented", "minors", "unaccompanied minors"]
    parts.append(_table([*gdims, "entries", *per_direction, "exits", *per_direction, "net"], rows))
    parts.append(
        f"<p>Refused (not counted as crossings): {summary.refused}. "
        "Unaccompanied minors: minors with no linked adult and in no group.</p>"
    )
    for name, data in (*summary.breakdowns.items(), ("refusal_reason", summary.refusals)):
        totals: dict[str, Counter[str]] = {"ENTRY": Counter(), "EXIT": Counter()}
        for grp, value, n in by_value(data, summary.group_dimensions):
            totals[grp["direction"]][value] += n
        values = sorted(set(totals["ENTRY"]) | set(totals["EXIT"]))
        title = "Refusals by reason" if name == "refusal_reason" else f"By {name.replace('_', ' ')}"
        parts.append(f"<h2>{e(title)}</h2>")
        parts.append(
            _table(
                [name, "entries", "exits"],
                [[v, *(suppress(totals[d][v], t) for d in ("ENTRY", "EXIT"))] for v in values],
            )
        )
    for dim in ("age_band", "nationality"):
        order = [*AGE_BANDS, UNKNOWN] if dim == "age_band" else None
        for direction in ("ENTRY", "EXIT"):
            m = _marginal2(summary, dim, direction)
            values = order or sorted({k[0] for k in m})
            sexes = ["FEMALE", "MALE", "UNKNOWN", "NOT_APPLICABLE"]
            trows = [
                [
                    v,
                    *(suppress(m.get((v, s), 0), t) for s in sexes),
                    suppress(sum(m.get((v, s), 0) for s in sexes), t),
                ]
                for v in values
                if any(m.get((v, s)) for s in sexes)
            ]
            word = "Entries" if direction == "ENTRY" else "Exits"
            parts.append(f"<h2>{word} by {dim.replace('_', ' ')} and sex</h2>")
            parts.append(_table([dim, *[s.lower() for s in sexes], "total"], trows))
    detail = [[*key.split(KEY_SEP), suppress(n, t)] for key, n in summary.cells.items()]
    parts.append("<details><summary>All cells (" + str(len(detail)) + ")</summary>")
    parts.append(_table([*summary.dimensions, "persons"], detail) + "</details>")
    if meta.include_sensitive:
        s = summary.sensitive
        labels = {str(k): v for k, v in TIP_INDICATOR_LABELS.items()}
        parts.append(
            "<div class='sensitive'><h2>Trafficking and smuggling indicators "
            "(restricted)</h2><p>Officers' flags, not findings. Do not publish.</p>"
        )
        parts.append(
            _table(
                ["indicator", "persons"],
                [[labels.get(k, k), suppress(n, t)] for k, n in s.indicators.items()]
                + [["persons with any indicator", suppress(s.persons_flagged, t)]],
            )
        )
        parts.append(
            _table(["referral", "persons"], [[k, suppress(n, t)] for k, n in s.referrals.items()])
            + "</div>"
        )
    parts.append("</body></html>\n")
    return "\n".join(parts)

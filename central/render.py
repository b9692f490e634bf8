"""Render a Summary as CSV, JSON or HTML (with charts), applying small-cell suppression.

Suppression: a count n with 0 < n < threshold is published blank (CSV/HTML) or null (JSON).
It applies to every table cell (also breakdowns, refusals, indicators and referrals) but not to
the grand totals (entries, exits, net migration, refused). No secondary suppression is done: a
blanked cell can sometimes be recovered by differencing, so keep the threshold for published
tables with that in mind.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from imdms.errors import ImdmsError
from records.codes import AGE_BANDS, TIP_INDICATOR_LABELS
from records.stats import KEY_SEP, UNKNOWN, Summary


@dataclass(frozen=True)
class ReportMeta:
    since: date
    until: date
    border_post: str | None
    period: str
    suppress_below: int
    utc_offset_minutes: int
    include_sensitive: bool = False  # trafficking figures: only on explicit request
    public: bool = False


def suppress(n: int, threshold: int) -> int | None:
    return None if 0 < n < threshold else n


def _cell(n: int | None) -> str:
    return "" if n is None else str(n)


def net_by_group(summary: Summary) -> dict[str, int]:
    """ENTRY - EXIT per group key without the direction ("<post>|<period>", "" when neither)."""
    net: Counter[str] = Counter()
    for key, n in summary.totals.items():
        direction, *rest = key.split(KEY_SEP)
        net[KEY_SEP.join(rest)] += n if direction == "ENTRY" else -n
    return dict(sorted(net.items()))


def _split_cells(summary: Summary) -> list[dict[str, str]]:
    return [dict(zip(summary.dimensions, key.split(KEY_SEP), strict=True)) for key in summary.cells]


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


Row = tuple[dict[str, str], str, int]


def by_value(table: Mapping[str, int], gdims: tuple[str, ...]) -> list[Row]:
    """Rows of a "<direction>|<value>[|post][|period]" table: (group parts, value, persons)."""
    out = []
    for key, n in table.items():
        direction, value, *rest = key.split(KEY_SEP)
        out.append((dict(zip(gdims, [direction, *rest], strict=True)), value, n))
    return out


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


def _suppressed(d: Mapping[str, int], t: int) -> dict[str, int | None]:
    return {k: suppress(v, t) for k, v in d.items()}


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


# -- HTML ------------------------------------------------------------------------------------
def _marginal2(summary: Summary, row_dim: str, direction: str) -> dict[tuple[str, str], int]:
    i = summary.dimensions.index(row_dim)
    j = summary.dimensions.index("sex")
    out: Counter[tuple[str, str]] = Counter()
    for key, n in summary.cells.items():
        parts = key.split(KEY_SEP)
        if parts[0] == direction:
            out[(parts[i], parts[j])] += n
    return dict(out)


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def charts(summary: Summary, meta: ReportMeta) -> list[tuple[str, str]]:
    """(title, base64 PNG) of each chart. Suppressed values are drawn as 0."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter
    except ImportError as err:
        raise ImdmsError(
            "the HTML report needs matplotlib, which is not installed",
            "pip install 'imdms-terminal[stats]', or use --format csv|json",
        ) from err
    t = meta.suppress_below
    out = []
    # 1. entries and exits per period
    per: dict[str, Counter[str]] = {"ENTRY": Counter(), "EXIT": Counter()}
    pi = (
        summary.group_dimensions.index(meta.period)
        if meta.period in summary.group_dimensions
        else None
    )
    for key, n in summary.totals.items():
        parts = key.split(KEY_SEP)
        per[parts[0]][parts[pi] if pi is not None else "all"] += n
    labels = sorted(set(per["ENTRY"]) | set(per["EXIT"]))
    fig = Figure(figsize=(9, 3.5))
    ax = fig.subplots()
    x = range(len(labels))
    ax.bar(
        [i - 0.2 for i in x],
        [suppress(per["ENTRY"][k], t) or 0 for k in labels],
        0.4,
        label="entries",
    )
    ax.bar(
        [i + 0.2 for i in x], [suppress(per["EXIT"][k], t) or 0 for k in labels], 0.4, label="exits"
    )
    every = max(1, len(labels) // 40)  # at most ~40 readable tick labels
    ax.set_xticks(
        list(x)[::every], labels[::every], rotation=90 if len(labels) > 12 else 0, fontsize=7
    )
    ax.set_ylabel("persons")
    ax.legend()
    out.append((f"Entries and exits by {meta.period}", _png(fig)))
    # 2. age-sex pyramid of entries and of exits
    fig = Figure(figsize=(9, 4))
    for ax, direction in zip(fig.subplots(1, 2, sharey=True), ("ENTRY", "EXIT"), strict=True):
        m = _marginal2(summary, "age_band", direction)
        bands = [*AGE_BANDS, UNKNOWN]
        ax.barh(bands, [-(suppress(m.get((b, "MALE"), 0), t) or 0) for b in bands], label="male")
        ax.barh(bands, [suppress(m.get((b, "FEMALE"), 0), t) or 0 for b in bands], label="female")
        ax.set_title("entries" if direction == "ENTRY" else "exits")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):g}"))
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7)
    out.append(("Age and sex (male left, female right)", _png(fig)))
    # 3. top nationalities
    nat: Counter[str] = Counter()
    for key, n in summary.cells.items():
        nat[key.split(KEY_SEP)[3]] += n
    top = [k for k, _ in nat.most_common(12)]
    fig = Figure(figsize=(9, 3.5))
    ax = fig.subplots()
    ax.bar(top, [suppress(nat[k], t) or 0 for k in top])
    ax.set_ylabel("persons (entries + exits)")
    out.append(("Nationalities (top 12)", _png(fig)))
    return out


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


def render(summary: Summary, meta: ReportMeta, fmt: str) -> str:
    if fmt == "csv":
        return to_csv(summary, meta)
    if fmt == "json":
        return to_json(summary, meta)
    if fmt == "html":
        return to_html(summary, meta)
    raise ValueError(fmt)

"""The HTML report's charts: matplotlib figures embedded as base64 PNG (suppression applied)."""

from __future__ import annotations

import base64
import io
from collections import Counter
from typing import Any

from central.render_rows import (
    ReportMeta,
    _marginal2,
    suppress,
)
from imdms.errors import ImdmsError
from records.codes import AGE_BANDS
from records.stats import KEY_SEP, UNKNOWN, Summary


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

"""Inline SVG bar charts (no JavaScript, no CDN: posts and HQ have no internet)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from django.utils.safestring import SafeString, mark_safe

BAR_H, GAP, LABEL_W, WIDTH = 16, 4, 150, 520


def bars(
    title: str, values: Mapping[str, int | None], limit: int = 20, by_label: bool = False
) -> SafeString:
    """Horizontal bars, largest first (or by label); None (a suppressed cell): no bar."""
    if by_label:
        items = sorted(values.items())[-limit:]
    else:
        items = sorted(values.items(), key=lambda kv: -(kv[1] or 0))[:limit]
    top = max([v or 0 for _, v in items] + [1])
    height = len(items) * (BAR_H + GAP) + 24
    out = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{WIDTH}"'
        f' height="{height}" viewBox="0 0 {WIDTH} {height}">',
        f'<text x="0" y="14" class="chart-title">{escape(title)}</text>',
    ]
    for i, (label, v) in enumerate(items):
        y = 24 + i * (BAR_H + GAP)
        w = 0 if v is None else int((WIDTH - LABEL_W - 60) * v / top)
        out.append(
            f'<text x="{LABEL_W - 6}" y="{y + 12}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{w}" height="{BAR_H}"></rect>'
            f'<text x="{LABEL_W + w + 4}" y="{y + 12}">{"suppressed" if v is None else v}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above is escaped

"""What every report format shares: the report's metadata, small-cell suppression, and the
splitting of summary keys into rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from records.stats import KEY_SEP, Summary


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


Row = tuple[dict[str, str], str, int]


def by_value(table: Mapping[str, int], gdims: tuple[str, ...]) -> list[Row]:
    """Rows of a "<direction>|<value>[|post][|period]" table: (group parts, value, persons)."""
    out = []
    for key, n in table.items():
        direction, value, *rest = key.split(KEY_SEP)
        out.append((dict(zip(gdims, [direction, *rest], strict=True)), value, n))
    return out


def _suppressed(d: Mapping[str, int], t: int) -> dict[str, int | None]:
    return {k: suppress(v, t) for k, v in d.items()}


def _marginal2(summary: Summary, row_dim: str, direction: str) -> dict[tuple[str, str], int]:
    i = summary.dimensions.index(row_dim)
    j = summary.dimensions.index("sex")
    out: Counter[tuple[str, str]] = Counter()
    for key, n in summary.cells.items():
        parts = key.split(KEY_SEP)
        if parts[0] == direction:
            out[(parts[i], parts[j])] += n
    return dict(out)

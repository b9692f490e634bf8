"""CSV and XLSX downloads of the statistics page: `imdms report`'s own CSV (central.render),
and the same rows as a spreadsheet, with the page's suppression."""

from __future__ import annotations

import csv
import io

from central.render import ReportMeta, to_csv
from console.statistics import Filters
from records.stats import DEFAULT_UTC_OFFSET_MINUTES, Summary


def meta(f: Filters, suppress_below: int) -> ReportMeta:
    return ReportMeta(
        f.since,
        f.until,
        f.post or None,
        "day",
        suppress_below,
        DEFAULT_UTC_OFFSET_MINUTES,
        public=f.public,
    )


def csv_text(summary: Summary, f: Filters, suppress_below: int) -> str:
    """Byte for byte `imdms report --from --to [--post] --format csv` at this threshold."""
    return to_csv(summary, meta(f, suppress_below))


def xlsx_bytes(summary: Summary, f: Filters, suppress_below: int) -> bytes:
    """The CSV's rows in one worksheet; counts as numbers, suppressed cells empty."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("report")
    for i, row in enumerate(csv.reader(io.StringIO(csv_text(summary, f, suppress_below)))):
        if i and row and row[-1].isdigit():
            ws.append([*row[:-1], int(row[-1])])
        else:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

"""The national list file `imdms watchlist publish FILE` reads: JSON or CSV (docs/tracing.md).

JSON: {"entries": [<entry>, ...]} or a bare list of entries. CSV (UTF-8, header row, comma
or semicolon): one entry a row. Columns (JSON keys alike):

    category        LOST_STOLEN_DOCUMENT | MISSING_CHILD_TIP | WANTED | ENTRY_BAN (required)
    instruction     what the officer does on a hit, <= 500 characters (required)
    id              optional; default a hash of what the entry lists (stable across publishes)
    document_number, issuing_state, document_type    the listed document
    surname, given_names, date_of_birth (YYYY, YYYY-MM or YYYY-MM-DD), nationality

An entry lists a document number, or a name with a date of birth, or both. Errors name the
line (CSV) or position (JSON) and the column, never a value.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from imdms.errors import ImdmsError
from messaging.watchlist_entries import OPTIONAL, Entry, entry_id, parse_entries
from records.names import doc_number, name_key

COLUMNS = ("id", "category", "instruction", *OPTIONAL)
HINT = "fix the file (format: docs/tracing.md, section Watchlist) and publish again"


def _with_id(item: dict[str, Any], prefix: str) -> dict[str, Any]:
    if item.get("id"):
        return item
    return dict(item, id=entry_id(
        prefix, str(item.get("category") or ""), str(item.get("issuing_state") or "").upper(),
        doc_number(item.get("document_number")),
        name_key(item.get("surname"), item.get("given_names")),
        str(item.get("date_of_birth") or "")))


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The raw entries of a JSON or CSV file (by content, not by name). Raises ImdmsError."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        why = getattr(err, "strerror", None) or err.__class__.__name__
        raise ImdmsError(f"cannot read {path}: {why}", "give a UTF-8 JSON or CSV file") from err
    if text.lstrip()[:1] in ("{", "["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ImdmsError(f"{path}: not valid JSON (line {err.lineno})", HINT) from None
        items = data.get("entries") if isinstance(data, dict) else data
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ImdmsError(f"{path}: expected a list of entry objects", HINT)
        return [dict(i) for i in items]
    return csv_rows(text, COLUMNS, path, required=("category", "instruction"))


def csv_rows(text: str, columns: tuple[str, ...], path: Path,
             required: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows of a CSV text as dicts of the non-empty cells; unknown or missing columns fail."""
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h not in columns]
    if unknown:
        raise ImdmsError(f"{path}: unknown column(s) {', '.join(unknown)}",
                         f"accepted columns: {', '.join(columns)}")
    missing = [c for c in required if c not in header]
    if missing:
        raise ImdmsError(f"{path}: missing column(s) {', '.join(missing)}",
                         f"accepted columns: {', '.join(columns)}")
    reader.fieldnames = header
    rows = []
    for row in reader:
        if None in row:
            raise ImdmsError(f"{path} line {reader.line_num}: more cells than columns", HINT)
        cells = {k: v.strip() for k, v in row.items() if v and v.strip()}
        if cells:
            rows.append(cells)
    return rows


def read_entries(path: Path, *, source: str = "national") -> list[Entry]:
    """The checked entries of a list file, each tagged with `source`. Raises ImdmsError."""
    rows = [dict(_with_id(r, "wl"), source=source) for r in read_rows(path)]
    try:
        return parse_entries(rows)
    except ValueError as err:
        raise ImdmsError(f"{path}: {err}", HINT) from None

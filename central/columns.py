"""The report's columns of `records` that are derived from a record and its crossing time.

The collector fills them at ingest, and again when the crossing time changes (a heartbeat
corrects the clock, or an original arrives after its amendment), so the report's GROUP BY reads
only indexed columns. The rules are records.stats's; the equality tests keep the two equal.
"""

from __future__ import annotations

from typing import Any

from records.stats import age_fields, category_source, is_unaccompanied

# (column, declaration) added to `records` after the first release, for the report's breakdowns
ADDED_COLUMNS = (
    ("decision", "TEXT NOT NULL DEFAULT 'ADMITTED'"),
    ("refusal_reason", "TEXT"),
    ("traveller_category", "TEXT"),
    ("purpose", "TEXT"),
    ("stay_band", "TEXT"),
    ("residence", "TEXT"),
    ("transport_mode", "TEXT"),
    ("unaccompanied", "INTEGER NOT NULL DEFAULT 0"),
    ("category_source", "TEXT"),
)


def derived_columns(data: dict[str, Any], crossing_ms: int) -> tuple[Any, ...]:
    """The report columns of one record crossing at crossing_ms, in ADDED_COLUMNS order after
    (age_band, minor): the age is dated from the crossing time, not the booth's clock."""
    band, minor = age_fields(data, crossing_ms)
    return (
        band,
        int(minor is True),
        data.get("decision") or "ADMITTED",
        data.get("refusal_reason"),
        data.get("traveller_category"),
        data.get("purpose"),
        data.get("stay_band"),
        data.get("country_of_residence"),
        data.get("transport_mode"),
        int(is_unaccompanied(data, minor)),
        category_source(data),
    )


DERIVED_COLUMNS = ("age_band", "minor", *(name for name, _ in ADDED_COLUMNS))

"""The filter cube (migration 0005): for every local day, one row per combination of every
column the statistics page filters on or tabulates, with its persons. A view filtered by age
band, nationality, category, purpose or stay is the page's own query (console.aggregate's
GROUPING SETS) over these rows with SUM(n) instead of COUNT(*) over `records`.

Why the joint cube and not one marginal table per filter: every filter applies to every table
and filters combine (LSO x MINEWORKER x MALE), which only the joint distribution answers; and
a per-filter table holds (filter value x each table's key) for each of the page's eight
tables, which on the bench's data is more rows than the joint cube (docs/console.md gives the
counts). The cube is filled and refreshed with the per-day roll-up (console.rollup.refresh:
the same days, in the same transaction), so change detection is the roll-up's.
"""

from __future__ import annotations

from central.db import Database

# every column a filter or a table of the page reads, under its name in records
COLUMNS = (
    "crossing_day",
    "border_post",
    "direction",
    "decision",
    "sex",
    "age_band",
    "nationality",
    "traveller_category",
    "purpose",
    "stay_band",
    "residence",
    "transport_mode",
    "refusal_reason",
)
# the columns console.rollup's stats_rollup also has: views filtered by these alone read it
ROLLUP_FILTERS = frozenset({"border_post", "direction", "sex"})
_TYPES = {"crossing_day": "INTEGER NOT NULL", "sex": "INTEGER"}

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS stats_cube ("
    + ", ".join(f"{c} {_TYPES.get(c, 'TEXT')}" for c in COLUMNS)
    + ", n BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS stats_cube_day ON stats_cube (crossing_day, border_post)",
    # a filtered national month reads only its filter value's rows
    *(
        f"CREATE INDEX IF NOT EXISTS stats_cube_{c} ON stats_cube ({c}, crossing_day)"
        for c in ("age_band", "nationality", "traveller_category", "purpose", "stay_band")
    ),
)


def ensure_schema(db: Database) -> None:
    for stmt in SCHEMA:
        db.execute(stmt)


def fill(db: Database, where: str, params: list[object]) -> None:
    """Insert the cube rows of `records WHERE <where>` (the caller deleted those days')."""
    cols = ", ".join(COLUMNS)
    db.execute(
        f"INSERT INTO stats_cube ({cols}, n) SELECT {cols}, COUNT(*) FROM records"
        f" WHERE {where} GROUP BY {cols}",
        params,
    )


def equal(filters: dict[str, object]) -> tuple[str, list[object]]:
    """' AND col = ?' for each filter (column of records -> value; None: the column is NULL,
    what the page shows as UNKNOWN), for records, stats_cube and stats_rollup alike."""
    sql, params = "", list[object]()
    for column, value in sorted(filters.items()):
        if column not in COLUMNS:
            raise ValueError(f"not a statistics filter column: {column}")
        if value is None:
            sql += f" AND {column} IS NULL"
        else:
            sql, params = sql + f" AND {column} = ?", [*params, value]
    return sql, params

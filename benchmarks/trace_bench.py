"""Tracing benchmark: person-index build time and trace latency (p50/p99) on both stores.

    .venv/bin/python benchmarks/trace_bench.py [--people 20000] [--per-person 5]
        [--queries 300] [--store sqlite|postgresql|both]

Synthetic travellers (invented syllable names, random birth dates, 10% with a second passport
later, 5% without a document) cross 2-8 times each at three posts; their current rows are
bulk-loaded into `records` as ingest leaves them. Then:
1. index build: `refresh(full=True)` (entities, blocked fuzzy linking, entries), records/s;
2. trace latency: `trace()` as `imdms trace` runs it (incremental refresh check, find, timeline,
   flags, companions, audit row, commit), by document and by name + date of birth.
Goal (issue 18): p99 <= 200 ms on 10 M crossings / 2 M people in PostgreSQL.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from central.db import Database, day_number  # noqa: E402
from central.trace.index import refresh  # noqa: E402
from central.trace.search import Query, trace  # noqa: E402
from records.codes import CaptureMethod, Direction, DocumentType, Sex  # noqa: E402
from records.record import CrossingRecord, new_record_id  # noqa: E402

SYLLABLES = "ba be bo ka ke ko la le li lo ma me mo na ne no pa pe ra re se so tha the tse tu"
POSTS = ("MSU-BRIDGE", "MAPUTSOE", "QACHAS-NEK")
BASE = datetime(2025, 1, 1, tzinfo=UTC)
INSERT = (
    "INSERT INTO records (record_id, terminal_id, border_post, direction, capture_method, sex,"
    " age_band, nationality, minor, has_tips, tip_referral, amends, root_id, clock_synced,"
    " boot_id, monotonic_ns, recorded_ms, time_corrected, is_current, crossing_ms,"
    " crossing_day, received_at, payload) VALUES"
    " (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'NONE', NULL, ?, 1, 'b', 1, ?, 0, 1, ?, ?, ?, ?)"
)


def word(rnd: random.Random, n: int) -> str:
    parts = SYLLABLES.split()
    return "".join(rnd.choice(parts) for _ in range(n)).upper()


def people(n: int, per: int, seed: int = 7) -> tuple[list[tuple[Any, ...]], list[dict[str, str]]]:
    """Rows to insert, and per person what a query would name (doc, name, dob)."""
    rnd = random.Random(seed)
    rows: list[tuple[Any, ...]] = []
    asks: list[dict[str, str]] = []
    for i in range(n):
        surname, given = word(rnd, 3), word(rnd, 2)
        dob = (datetime(1950, 1, 1) + timedelta(days=rnd.randint(0, 26000))).date().isoformat()
        nat = rnd.choice(("LSO", "LSO", "ZAF", "ZWE"))
        docs = [f"P{i:08d}"] + ([f"Q{i:08d}"] if rnd.random() < 0.1 else [])
        bare = rnd.random() < 0.05
        sex = rnd.choice((Sex.MALE, Sex.FEMALE))
        t = BASE + timedelta(seconds=rnd.randint(0, 200 * 86400))
        for k in range(rnd.randint(max(1, per - 3), per + 3)):
            number = None if bare else docs[min(k * len(docs) // per, len(docs) - 1)]
            rec = CrossingRecord(
                terminal_id="t1",
                border_post=rnd.choice(POSTS),
                officer_id="o",
                direction=Direction.EXIT if k % 2 else Direction.ENTRY,
                capture_method=CaptureMethod.NO_DOCUMENT if bare else CaptureMethod.MRZ_READER,
                document_type=DocumentType.NONE if bare else DocumentType.PASSPORT,
                document_number=number,
                issuing_state=None if bare else nat,
                surname=surname,
                given_names=given,
                nationality=nat,
                sex=sex,
                date_of_birth=None if bare else dob,
                age_estimated=bare,
                age_at_crossing=2025 - int(dob[:4]) if bare else None,
                recorded_at=t.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                record_id=new_record_id(),
                intended_stay_days=rnd.choice((None, 7, 30, 90)),
            ).with_derived()
            ms = int(t.timestamp() * 1000)
            rows.append(
                (
                    rec.record_id,
                    "t1",
                    rec.border_post,
                    str(rec.direction),
                    str(rec.capture_method),
                    int(sex),
                    rec.age_band,
                    nat,
                    int(bool(rec.minor)),
                    rec.record_id,
                    ms,
                    ms,
                    day_number(ms),
                    rec.recorded_at,
                    rec.to_json(),
                )
            )
            t += timedelta(hours=rnd.randint(2, 24 * 40))
        if not bare:
            asks.append({"doc": f"{nat}:{docs[0]}", "name": f"{given} {surname}", "dob": dob})
    return rows, asks


def load(db: Database, rows: list[tuple[Any, ...]]) -> None:
    sql = INSERT.replace("?", "%s") if db.postgres else INSERT
    cur = db._conn.cursor()  # bulk load: executemany is the drivers' fast path
    for i in range(0, len(rows), 5000):
        cur.executemany(sql, rows[i : i + 5000])
    db.commit()
    db.execute("ANALYZE records")  # as autovacuum would after a day's ingest
    db.commit()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def run(
    url: str, kind: str, rows: list[tuple[Any, ...]], asks: list[dict[str, str]], queries: int
) -> None:
    db = Database(url)
    t = time.perf_counter()
    load(db, rows)
    print(f"[{kind}] loaded {len(rows)} crossings in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    n = refresh(db, full=True)
    build = time.perf_counter() - t
    persons = db.query("SELECT COUNT(DISTINCT person_id) FROM trace_entries")[0][0]
    links = db.query("SELECT status, COUNT(*) FROM trace_links GROUP BY status ORDER BY status")
    print(
        f"[{kind}] index build: {n} crossings in {build:.1f} s ({n / build:.0f}/s);"
        f" {persons} persons; links {dict((str(s), int(c)) for s, c in links)}"
    )
    rnd = random.Random(3)
    for how in ("doc", "name+dob"):
        times = []
        for ask in rnd.sample(asks, min(queries, len(asks))):
            q = Query(doc=ask["doc"]) if how == "doc" else Query(name=ask["name"], dob=ask["dob"])
            t = time.perf_counter()
            found = trace(db, q, operator="bench", reason="benchmark")
            times.append((time.perf_counter() - t) * 1000)
            assert found, how
        print(
            f"[{kind}] trace by {how}: {len(times)} queries, p50 {pct(times, 50):.1f} ms,"
            f" p99 {pct(times, 99):.1f} ms, max {max(times):.1f} ms"
        )
    db.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=20000)
    ap.add_argument("--per-person", type=int, default=5)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    args = ap.parse_args()
    t = time.perf_counter()
    rows, asks = people(args.people, args.per_person)
    print(
        f"generated {len(rows)} crossings of {args.people} people in"
        f" {time.perf_counter() - t:.1f} s"
    )
    if args.store in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as d:
            run(str(Path(d) / "central.sqlite3"), "sqlite", rows, asks, args.queries)
    if args.store in ("postgresql", "both"):
        from tests.collector.postgres import PostgresServer

        server = PostgresServer()
        try:
            run(server.create_database(), "postgresql", rows, asks, args.queries)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

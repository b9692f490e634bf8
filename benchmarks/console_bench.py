"""Console benchmark: dashboard (operations) and statistics p95 server time on a large
PostgreSQL, with Django's test client and through the real server (gunicorn).

    .venv/bin/python benchmarks/console_bench.py [--rows 10000000] [--days 400] [--repeat 30]
        [--keep DIR [--load-only]] [--baseline N]

A PostgreSQL (tests/collector/postgres.py, 256 MB shared buffers; throw-away, or kept in DIR
and reused by the next run with the same DIR) gets the collector's schema from `imdms console
migrate`'s migrations, then `--rows` current crossings generated in SQL (generate_series, 14
posts x 4 terminals, ~25k a day like Lesotho; indexes rebuilt after the load, then VACUUM
ANALYZE as autovacuum would). Timed pages: "/" (operations), "/statistics/" (its default: the
last 31 days, every post), a filtered statistic (one post, ENTRY, FEMALE, internal) and the
national month filtered by age band, nationality, category, LSO x MINEWORKER x MALE, purpose
and stay band (the filter cube of console.rollup_cube; `--baseline N` first times those from
records), and the national year by month; the statistics pages both computed anew (cache
cleared: roll-up or cube summed, the days changed since computed live) and reused from the
shared cache; gunicorn serves with the cache off.
Prints the roll-up's and the cube's build time, rows and size. Goal (issue 19): <= 500 ms p95
on 10 M crossings.
"""

from __future__ import annotations

import argparse
import os
import pwd
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.collector.postgres import PostgresServer  # noqa: E402
from tests.peers import free_port  # noqa: E402

PAGES = {
    "operations": "/",
    "statistics": "/statistics/",
    "statistics-filtered": "/statistics/?post=POST-3&direction=ENTRY&sex=FEMALE&audience=internal",
    # national month filtered by the columns only the filter cube (console.rollup_cube) has
    "statistics-age-band": "/statistics/?age_band=25-29&audience=internal",
    "statistics-nationality": "/statistics/?nationality=ZAF&audience=internal",
    "statistics-category": "/statistics/?category=MINEWORKER&audience=internal",
    "statistics-lso-mineworker-male": "/statistics/?nationality=LSO&category=MINEWORKER&sex=MALE",
    "statistics-purpose": "/statistics/?purpose=EMPLOYMENT&audience=internal",
    "statistics-stay": "/statistics/?stay=MONTHS_3_TO_12&audience=internal",
}
LOAD = """
INSERT INTO records (record_id, terminal_id, border_post, direction, capture_method, sex,
    age_band, nationality, minor, has_tips, tip_referral, amends, root_id, clock_synced, boot_id,
    monotonic_ns, recorded_ms, time_corrected, is_current, crossing_ms, crossing_day,
    received_at, payload, decision, refusal_reason, traveller_category, purpose, stay_band,
    residence, transport_mode, unaccompanied)
SELECT id, 't' || (i %% 56), 'POST-' || (i %% 56 / 4), CASE WHEN i %% 2 = 0 THEN 'ENTRY' ELSE 'EXIT'
    END, CASE WHEN i %% 20 = 0 THEN 'NO_DOCUMENT' ELSE 'MRZ_READER' END, (ARRAY[1, 2, 2, 1, 0])[i %%
    5 + 1], (ARRAY['0-4','5-9','10-14','15-19','20-24','25-29','30-34','35-39','40-44','45-49',
    '50-54','55-59','60-64','65-69','70-74','75-79','80-84','85+'])[i %% 18 + 1],
    (ARRAY['LSO','LSO','LSO','LSO','ZAF','ZAF','ZWE','MOZ'])[i %% 8 + 1], (i %% 18 < 4)::int,
    0, 'NONE', NULL, id, 1, 'b', 1, ms, 0, 1, ms, (ms / 1000 + 7200) / 86400,
    to_char(to_timestamp(ms / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    '{"software_version":"0.1.0","clock_synced":true}',
    CASE WHEN i %% 50 = 0 THEN 'REFUSED' ELSE 'ADMITTED' END,
    CASE WHEN i %% 50 = 0 THEN 'B' END,
    (ARRAY['CITIZEN','RESIDENT','VISITOR','CROSS_BORDER_WORKER','MINEWORKER','STUDENT','TRADER',
    NULL])[i %% 8 + 1], (ARRAY['HOLIDAY','VISITING_FRIENDS_RELATIVES','EDUCATION','BUSINESS',
    'EMPLOYMENT','SHOPPING',NULL])[i %% 7 + 1],
    (ARRAY['UNDER_3_MONTHS','UNDER_3_MONTHS','MONTHS_3_TO_12',NULL])[i %% 4 + 1], 'LSO',
    (ARRAY['PEDESTRIAN','MINIBUS_TAXI','PRIVATE_CAR','BUS'])[i %% 4 + 1], 0
FROM (SELECT i, lpad(i::text, 12, '0') AS id,
             %(start)s::bigint + (i::bigint * %(span)s::bigint / %(rows)s::bigint) AS ms
      FROM generate_series(%(lo)s, %(hi)s) AS i) AS g
"""


class BenchPostgres(PostgresServer):
    """The bench's cluster; with `keep` it lives in that folder and is reused by the next run
    (same folder: no load), else it is a throw-away one."""

    def __init__(self, keep: Path | None = None) -> None:
        self.keep = keep
        if keep is None or not (keep / "data" / "PG_VERSION").exists():
            super().__init__()
            if keep is not None:
                self.shutdown()
                if keep.is_dir():
                    keep.rmdir()  # an empty folder given: the cluster becomes it
                shutil.move(str(self.root), str(keep))
                self.root, self.data, self.log = keep, keep / "data", keep / "server.log"
                self.start()
            return
        self.root, self.data, self.log = keep, keep / "data", keep / "server.log"
        self.port, self.user, self.pid = free_port(), "postgres", 0
        self._run_as = "postgres" if os.geteuid() == 0 else None
        if self._run_as is None:
            self.user = pwd.getpwuid(os.geteuid()).pw_name
        self.start()

    def _options(self) -> str:
        return super()._options().replace("shared_buffers=16MB", "shared_buffers=256MB")

    def bench_database(self) -> tuple[str, bool]:
        """(url, loaded): the kept database "bench" (loaded once filled), or a fresh one."""
        if self.keep is None:
            return self.create_database(), False
        if not self.psql("postgres", "SELECT 1 FROM pg_database WHERE datname = 'bench'"):
            self.psql("postgres", "CREATE DATABASE bench")
        return self.url("bench"), (self.keep / "loaded").exists()

    def finish(self) -> None:
        if self.keep is None:
            self.stop()
        else:
            self.shutdown()  # the folder stays for the next run


def load(url: str, rows: int, days: int) -> float:
    import psycopg

    from central.db import SCHEMA
    from console.rollup import SCHEMA as ROLLUP_SCHEMA

    started = time.monotonic()
    end_ms = int(time.time() * 1000)
    span = days * 86_400_000
    with psycopg.connect(url, autocommit=True) as conn:
        index_sql = [
            s
            for s in (*SCHEMA, *ROLLUP_SCHEMA)
            if s.startswith("CREATE INDEX") and " records " in s
        ]
        names = [s.split()[5] for s in index_sql] + ["records_terminal_recent"]
        for name in names:
            conn.execute(f"DROP INDEX IF EXISTS {name}")  # rebuilt after the load: faster
        step = 1_000_000
        for lo in range(0, rows, step):
            hi = min(rows, lo + step) - 1
            conn.execute(
                LOAD, {"start": end_ms - span, "span": span, "rows": rows, "lo": lo, "hi": hi}
            )
            print(f"  loaded {hi + 1:,} rows ({time.monotonic() - started:.0f} s)", flush=True)
        conn.execute("SET maintenance_work_mem = '256MB'")
        for stmt in index_sql:
            conn.execute(stmt)
        conn.execute(
            "CREATE INDEX IF NOT EXISTS records_terminal_recent ON records"
            " (terminal_id, received_at)"
        )
        conn.execute("VACUUM ANALYZE records")
    return time.monotonic() - started


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, int(len(times) * 0.95) - 1)]


def report(label: str, times: list[float]) -> None:
    print(
        f"  {label:<36} p50 {statistics.median(times) * 1000:7.1f} ms"
        f"  p95 {p95(times) * 1000:7.1f} ms  ({len(times)} requests)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--days", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument(
        "--keep",
        type=Path,
        help="keep the cluster in this folder; a later run with the same folder reuses its"
        " crossings (no load; --rows/--days are then what was loaded)",
    )
    ap.add_argument(
        "--baseline",
        type=int,
        default=0,
        help="first time the filtered national pages this many times from records (no roll-up)",
    )
    ap.add_argument("--load-only", action="store_true", help="stop after the load (with --keep)")
    args = ap.parse_args()
    # an analyst's year: 365 days to the data's last day (today: the load ends now), by month
    year_from = (date.today() - timedelta(days=364)).isoformat()
    PAGES["statistics-year"] = f"/statistics/?from={year_from}&audience=internal"
    pg = BenchPostgres(args.keep.resolve() if args.keep else None)
    tmp = Path(tempfile.mkdtemp(prefix="imdms-console-bench-"))
    (tmp / "secret").write_text(secrets.token_urlsafe(48))
    url, loaded = pg.bench_database()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="console.settings",
        IMDMS_CONSOLE_DATABASE=url,
        IMDMS_CONSOLE_SECRET=str(tmp / "secret"),
        IMDMS_CONSOLE_TESTING="1",
        IMDMS_CONSOLE_HTTP="1",
        IMDMS_CONSOLE_STATIC_ROOT=str(tmp / "static"),
    )
    server: subprocess.Popen[bytes] | None = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        from console.accounts import create_user

        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if loaded:
            print(f"reusing the crossings kept in {args.keep}")
        else:
            print(f"loading {args.rows:,} crossings over {args.days} days into PostgreSQL")
            print(f"  load + index + analyze: {load(url, args.rows, args.days):.0f} s")
            if args.keep:
                (args.keep / "loaded").write_text(f"{args.rows} {args.days}\n")
        if args.load_only:
            return 0
        from django.core.cache import cache

        from central.db import Database
        from console.rollup import refresh

        create_user("bench", "bench-password-2026", "analyst")
        client = Client()
        assert client.login(username="bench", password="bench-password-2026")
        if args.baseline:
            print(f"filtered pages before the roll-up (from records), {args.baseline} requests:")
            db = Database(url, create=False)
            db.execute("DELETE FROM stats_rollup_state")  # never built: the page reads records
            db.commit()
            db.close()
            for name, path in PAGES.items():
                if "=" in path and "post=" not in path:
                    times = []
                    for _ in range(args.baseline):
                        cache.clear()
                        t = time.perf_counter()
                        assert client.get(path).status_code == 200
                        times.append(time.perf_counter() - t)
                    report(name + " (records)", times)
        db = Database(url, create=False)
        try:
            built = refresh(db, rebuild=True)
            print(f"  roll-up and filter cube built: {built.days} days in {built.seconds:.1f} s")
            for name in ("stats_rollup", "stats_cube"):
                db.execute(f"ANALYZE {name}")
                rows = int(db.query(f"SELECT COUNT(*) FROM {name}")[0][0])
                size = int(db.query(f"SELECT pg_total_relation_size('{name}')")[0][0])
                print(f"  {name}: {rows:,} rows, {size / 2**20:.0f} MB with indexes")
            db.commit()
            again = refresh(db)
            print(f"  roll-up refresh, nothing changed: {again.days} days in {again.seconds:.1f} s")
        finally:
            db.close()
        print("Django test client (server time: request in, response out):")
        for name, path in PAGES.items():
            client.get(path)  # warm: connection, plans, caches
            for fresh in (True, False):
                times = []
                for _ in range(args.repeat):
                    if fresh:
                        cache.clear()  # the statistics tables computed anew every time
                    t = time.perf_counter()
                    r = client.get(path)
                    times.append(time.perf_counter() - t)
                    assert r.status_code == 200, r.status_code
                if name == "operations":
                    report(name, times)
                    break  # nothing cached there
                report(name + (" (computed)" if fresh else " (reused from the cache)"), times)
        from console.tables_cache import warm

        t = time.perf_counter()
        cache.clear()
        n, _done = warm([f"POST-{i}" for i in range(14)])
        print(f"  imdms console warm: {n} default views in {time.perf_counter() - t:.1f} s")
        cookie = client.cookies["sessionid"].value
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "imdms.cli",
                "console",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            # no shared cache: every request sums the roll-up (and today's rows live)
            env={
                **os.environ,
                "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
                "IMDMS_CONSOLE_STATS_CACHE_S": "0",
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/signin/", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        print(
            "gunicorn, 2 workers, no cache (statistics from the roll-up on every request),"
            " loopback HTTP (client-side time):"
        )
        for name, path in PAGES.items():
            times = []
            for i in range(args.repeat + 2):
                req = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={cookie}"})
                t = time.perf_counter()
                with urllib.request.urlopen(req, timeout=60) as resp:
                    resp.read()
                    assert resp.status == 200
                if i >= 2:  # the first of each worker warms it
                    times.append(time.perf_counter() - t)
            report(name, times)
    finally:
        if server is not None:
            server.terminate()
            server.wait(20)
        pg.finish()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

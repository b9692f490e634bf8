"""The console on PostgreSQL: `imdms console migrate` adopts a store the collector made (its
rows untouched, twice in a row), and the statistics export there is the CLI report."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.demo import load
from tests.collector.postgres import PostgresServer
from tests.console.test_statistics import rows, table

pytestmark = pytest.mark.peer
EXPORT = """
import django, sys
django.setup()
from django.test import Client
from console.accounts import create_user
create_user("pg-analyst", "pg-analyst-password", "analyst")
c = Client()
assert c.login(username="pg-analyst", password="pg-analyst-password")
r = c.get("/statistics/", {"from": "2026-03-01", "to": "2026-03-14", "format": "csv"})
sys.stdout.write(r.content.decode())
q = {"from": "2026-03-01", "to": "2026-03-14", "audience": "internal"}
open(sys.argv[1], "w").write(c.get("/statistics/", q).content.decode())
q["direction"], q["sex"] = "ENTRY", "FEMALE"
open(sys.argv[2], "w").write(c.get("/statistics/", q).content.decode())
"""


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        yield server
    finally:
        server.stop()


def env(url: str, tmp: Path) -> dict[str, str]:
    (tmp / "secret").write_text(secrets.token_urlsafe(48))
    out = {k: v for k, v in os.environ.items() if not k.startswith(("IMDMS_", "DJANGO_"))}
    out.update(
        PYTHONPATH=os.getcwd(),
        DJANGO_SETTINGS_MODULE="console.settings",
        IMDMS_CONSOLE_DATABASE=url,
        IMDMS_CONSOLE_SECRET=str(tmp / "secret"),
        IMDMS_CONSOLE_TESTING="1",
        IMDMS_CONSOLE_HTTP="1",
        IMDMS_CONSOLE_STATIC_ROOT=str(tmp / "static"),
    )
    return out


def test_migrate_adopts_and_export_equals_report(pg: PostgresServer, tmp_path: Path) -> None:
    url = pg.create_database()
    assert load(url, 400) == 400  # the collector's code made the tables
    e = env(url, tmp_path)
    for _ in range(2):  # adopting, then nothing to do
        r = subprocess.run(
            [sys.executable, "-m", "imdms.cli", "console", "migrate", "--database", url],
            env=e,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 0, r.stderr[-2000:]
    db = url.rsplit("/", 1)[1]
    assert pg.psql(db, "SELECT COUNT(*) FROM records WHERE is_current = 1").strip() == "400"
    tables = pg.psql(db, "SELECT string_agg(tablename, ',') FROM pg_tables").strip().split(",")
    assert {"console_signin", "auth_user", "django_session", "audit_log"} <= set(tables)
    page = subprocess.run(
        [sys.executable, "-c", EXPORT, str(tmp_path / "page.html"), str(tmp_path / "f.html")],
        env=e,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert page.returncode == 0, page.stderr[-2000:]
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "imdms.cli",
            "report",
            "--database",
            url,
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-14",
            "--public",
        ],
        env=e,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr[-2000:]
    assert page.stdout == cli.stdout and cli.stdout.count("\n") > 50
    # the page's own GROUPING SETS query on PostgreSQL against the same report
    internal = subprocess.run(
        [
            sys.executable,
            "-m",
            "imdms.cli",
            "report",
            "--database",
            url,
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-14",
        ],
        env=e,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    report_rows = rows(internal)
    html = (tmp_path / "page.html").read_text()
    for table_id, name in (
        ("bd-purpose", "purpose"),
        ("bd-decision", "decision"),
        ("refusals", "refusals"),
        ("nationality", "crossings"),
    ):
        expected: dict[str, int] = {}
        for row in report_rows:
            if row["table"] == name:
                key = row["nationality"] if name == "crossings" else row["category"]
                expected[key] = expected.get(key, 0) + int(row["persons"])
        assert table(html, table_id) == expected, table_id
    female_entries = sum(
        int(row["persons"])
        for row in report_rows
        if row["table"] == "crossings" and (row["direction"], row["sex"]) == ("ENTRY", "FEMALE")
    )
    got = re.search(r'id="matching">(\d+)<', (tmp_path / "f.html").read_text())
    assert got and int(got.group(1)) == female_entries

"""The statistics page shows `imdms report`'s numbers: its export is the CLI's CSV byte for
byte, and every filtered count equals the sum of the report's matching cells."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from imdms.cli import main
from tests.console.test_pages import client

pytestmark = pytest.mark.usefixtures("console_db")


@pytest.fixture(scope="module", autouse=True, params=["records", "rollup"])
def source(request: pytest.FixtureRequest, console_db: str) -> Iterator[str]:
    """Every test twice: the page computed from records, and from the per-day roll-up (its
    watermark an hour ahead, so no day counts as changed); the roll-up is dropped after."""
    from django.core.cache import cache

    from central.db import Database
    from console import rollup

    cache.clear()
    if request.param == "records":
        yield "records"
        return
    db = Database(console_db, create=False)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(rollup, "MARGIN_S", -3600)
            assert rollup.refresh(db).days > 0
        # filtered views read the filter cube (console.rollup_cube), made with the roll-up
        assert int(db.query("SELECT COUNT(*) FROM stats_cube")[0][0]) > 0
        yield "rollup"
    finally:
        cache.clear()
        db.execute("DELETE FROM stats_rollup_state")
        db.commit()
        db.close()
PERIOD = {"from": "2026-03-01", "to": "2026-03-14"}


def cli_report(db: str, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert (
        main(["report", "--database", db, "--from", "2026-03-01", "--to", "2026-03-14", *extra])
        == 0
    )
    return capsys.readouterr().out


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def matching(query: dict[str, str]) -> int:
    page = client("analyst").get("/statistics/", {**PERIOD, "audience": "internal", **query})
    got = re.search(rb'id="matching">(\d+)<', page.content)
    assert got, page.content[:500]
    return int(got.group(1))


def test_export_is_the_cli_report(console_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    c = client("analyst")
    public = c.get("/statistics/", {**PERIOD, "format": "csv"}).content.decode()
    assert public == cli_report(console_db, capsys, "--public")
    internal = c.get("/statistics/", {**PERIOD, "format": "csv", "audience": "internal"})
    assert internal.content.decode() == cli_report(console_db, capsys)
    post = c.get("/statistics/", {**PERIOD, "format": "csv", "post": "MAPUTSOE"})
    assert post.content.decode() == cli_report(console_db, capsys, "--public", "--post", "MAPUTSOE")


def test_public_is_suppressed_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    page = client("analyst").get("/statistics/", PERIOD).content.decode()
    assert "Cells under 5 persons are suppressed" in page


def test_xlsx_has_the_csv_rows(console_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import load_workbook

    data = client("analyst").get("/statistics/", {**PERIOD, "format": "xlsx"}).content
    sheet = load_workbook(io.BytesIO(data)).active
    got = [[("" if v is None else str(v)) for v in r] for r in sheet.iter_rows(values_only=True)]
    assert got == list(csv.reader(io.StringIO(cli_report(console_db, capsys, "--public"))))


Pick = Callable[[dict[str, str]], bool]


def cells(report: list[dict[str, str]], table: str, pick: Pick) -> int:
    return sum(int(r["persons"]) for r in report if r["table"] == table and pick(r))


@pytest.mark.parametrize(
    ("query", "table", "pick"),
    [
        ({"direction": "ENTRY"}, "crossings", lambda r: r["direction"] == "ENTRY"),
        (
            {"direction": "EXIT", "sex": "FEMALE", "age_band": "25-29"},
            "crossings",
            lambda r: (r["direction"], r["sex"], r["age_band"]) == ("EXIT", "FEMALE", "25-29"),
        ),
        (
            {"nationality": "ZAF", "post": "MSU-BRIDGE"},
            "crossings",
            lambda r: r["nationality"] == "ZAF" and r["border_post"] == "MSU-BRIDGE",
        ),
        ({"category": "MINEWORKER"}, "traveller_category", lambda r: r["category"] == "MINEWORKER"),
        (
            {"purpose": "EDUCATION", "direction": "ENTRY"},
            "purpose",
            lambda r: (r["category"], r["direction"]) == ("EDUCATION", "ENTRY"),
        ),
        ({"stay": "MONTHS_12_PLUS"}, "stay_band", lambda r: r["category"] == "MONTHS_12_PLUS"),
    ],
)
def test_filtered_count_equals_the_report(
    console_db: str,
    capsys: pytest.CaptureFixture[str],
    query: dict[str, str],
    table: str,
    pick: Pick,
) -> None:
    report = rows(cli_report(console_db, capsys))
    expected = cells(report, table, pick)
    assert expected > 0
    assert matching(query) == expected


def test_page_totals_equal_the_report(console_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    report: dict[str, Any] = json.loads(cli_report(console_db, capsys, "--format", "json"))
    page = client("analyst").get("/statistics/", {**PERIOD, "audience": "internal"}).content
    for name in ("entries", "exits", "refused"):
        got = re.search(rb'id="%s">(\d+)<' % name.encode(), page)
        assert got and int(got.group(1)) == report[name], name


def table(html: str, table_id: str) -> dict[str, int]:
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return {k: int(n) for k, n in re.findall(r"<tr><th>([^<]+)</th><td>(\d+)</td></tr>", body)}


@pytest.mark.parametrize(
    ("table_id", "report_table"),
    [
        ("bd-traveller_category", "traveller_category"),
        ("bd-purpose", "purpose"),
        ("bd-stay_band", "stay_band"),
        ("bd-transport_mode", "transport_mode"),
        ("bd-decision", "decision"),
        ("refusals", "refusals"),
    ],
)
def test_page_tables_equal_the_report(
    console_db: str, capsys: pytest.CaptureFixture[str], table_id: str, report_table: str
) -> None:
    report = rows(cli_report(console_db, capsys))
    expected: dict[str, int] = {}
    for r in report:
        if r["table"] == report_table:
            expected[r["category"]] = expected.get(r["category"], 0) + int(r["persons"])
    page = client("analyst").get("/statistics/", {**PERIOD, "audience": "internal"})
    assert table(page.content.decode(), table_id) == expected

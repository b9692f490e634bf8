"""The console in a real browser: Debian's chromium driven by Playwright, against
`imdms console --demo` served by gunicorn on a free loopback port (stopped by its PID).

Each role signs in and sees exactly its pages at 1366x768 (no horizontal scrolling); a
statistic filtered in the form equals the CLI report; a trace writes its audit row; a case is
opened with a reason and moved a step (audited); the watchlist page shows its hits; a POST
without the CSRF token is refused; an idle session expires. Screenshots go to docs/console/.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from console.demo import DEMO_PASSWORD, ROLE_USERS, TRACED_DOC
from console.roles import PAGES
from imdms.cli import main
from tests.peers import free_port, require_peer

pytestmark = pytest.mark.peer
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# docs/console/ gets the screenshots only when asked (IMDMS_SCREENSHOTS=1), so a test run leaves
# the checkout clean; otherwise they are still taken (the pages render) into a temp folder
SHOTS = (Path(__file__).resolve().parents[2] / "docs" / "console"
         if os.environ.get("IMDMS_SCREENSHOTS") == "1"
         else Path(tempfile.mkdtemp(prefix="imdms-console-shots-")))
SESSION_S = 6  # idle timeout of this server: the expiry test waits it out
SHOT_AS = {
    "operations": "analyst",
    "statistics": "analyst",
    "traces": "trafficking",
    "cases": "trafficking",
    "watchlist": "supervisor",
    "links": "supervisor",
    "audit": "supervisor",
    "signins": "administrator",
    "users": "administrator",
}


@dataclass(frozen=True)
class Server:
    url: str
    database: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("console-demo")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMDMS_", "DJANGO_"))}
    env.update(IMDMS_CONSOLE_SESSION_S=str(SESSION_S), PYTHONPATH=os.getcwd())
    log = (data / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "imdms.cli",
            "console",
            "--demo",
            "--data-dir",
            str(data),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--records",
            "600",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        import urllib.request

        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/signin/", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((data / "server.log").read_text()[-2000:]) from None
                time.sleep(0.3)
        yield Server(f"http://127.0.0.1:{port}", str(data / "central.sqlite3"))
    finally:
        proc.send_signal(signal.SIGTERM)  # the gunicorn master (it exec'd in place)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_peer("chromium", os.path.exists(CHROMIUM))
    require_peer("playwright", importlib.util.find_spec("playwright") is not None)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def signed_in(browser: Any, server: Server, role: str) -> Any:
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(server.url + "/signin/")
    page.fill("input[name=username]", ROLE_USERS[role])
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/signin/" not in page.url, page.content()[:500]
    return page


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_each_role_sees_exactly_its_pages(browser: Any, server: Server, role: str) -> None:
    page = signed_in(browser, server, role)
    nav = set(page.eval_on_selector_all("nav a", "els => els.map(e => e.dataset.page)"))
    assert nav == {p.name for p in PAGES if role in p.roles}
    for p in PAGES:
        response = page.goto(server.url + p.path)
        allowed = role in p.roles
        if p.name == "users":  # the Django admin sends non-staff to the sign-in form
            assert (response.status == 200 and "/signin/" not in page.url) == allowed
        else:
            assert response.status == (200 if allowed else 403), (role, p.name)
        if allowed:
            assert fits(page), f"{p.name} scrolls sideways at 1366x768"
            if SHOT_AS[p.name] == role:
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / f"{p.name}.png"))
    page.context.close()


def test_filtered_statistic_equals_cli_report(
    browser: Any, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    page = signed_in(browser, server, "analyst")
    page.goto(server.url + "/statistics/")
    page.fill("input[name=from]", "2026-03-01")
    page.fill("input[name=to]", "2026-03-14")
    page.select_option("select[name=direction]", "ENTRY")
    page.select_option("select[name=sex]", "FEMALE")
    page.select_option("select[name=audience]", "internal")
    page.click("#filters button[type=submit]")
    page.wait_for_load_state()
    shown = int(page.inner_text("#matching"))
    assert (
        main(
            ["report", "--database", server.database, "--from", "2026-03-01", "--to", "2026-03-14"]
        )
        == 0
    )
    rows = csv.DictReader(io.StringIO(capsys.readouterr().out))
    expected = sum(
        int(r["persons"])
        for r in rows
        if r["table"] == "crossings" and (r["direction"], r["sex"]) == ("ENTRY", "FEMALE")
    )
    assert shown == expected > 0
    page.screenshot(path=str(SHOTS / "statistics-filtered.png"))
    page.context.close()


def audit_count(server: Server, kind: str = "trace") -> int:
    with sqlite3.connect(server.database) as conn:
        n: int = conn.execute(
            "SELECT COUNT(*) FROM audit_log WHERE source = 'central' AND operator = 'trafficking'"
            " AND kind = ?", (kind,)
        ).fetchone()[0]
    return n


def test_trace_writes_its_audit_row(browser: Any, server: Server) -> None:
    page = signed_in(browser, server, "trafficking")
    before = audit_count(server)
    page.goto(server.url + "/traces/")
    page.fill("input[name=value]", TRACED_DOC)
    page.fill("input[name=reason]", "case 2026/7, browser test")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert re.match(r"\d+ persons? found", page.inner_text("#trace-result"))
    assert audit_count(server) == before + 1
    # the traced person's booth photo, decoded and drawn by the browser (issue 21 item 4)
    photo = page.locator("td.photos img[alt='booth camera photo']")
    assert photo.count() == 1
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    assert audit_count(server, "console_trace_photos") >= 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "traces-result.png"))
    page.context.close()


def case_audit_actions(server: Server) -> list[str]:
    with sqlite3.connect(server.database) as conn:
        return [r[0] for r in conn.execute("SELECT action FROM case_audit ORDER BY id")]


def test_case_opened_with_a_reason_and_a_step_recorded(browser: Any, server: Server) -> None:
    page = signed_in(browser, server, "trafficking")
    page.goto(server.url + "/cases/")
    assert "MISSING_CHILD_TIP" in page.inner_text("#cases")  # the hit on a referred crossing
    assert "WANTED" in page.inner_text("#hits")  # a hit with no case is listed too
    before = len(case_audit_actions(server))
    page.click("#cases tbody tr:last-child a")
    page.wait_for_load_state()
    page.fill("input[name=reason]", "call from the CGPU, browser test")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "demo: the escort held the passport" in page.inner_text("#person")
    assert fits(page), "a case scrolls sideways at 1366x768"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "case.png"), full_page=True)
    page.select_option("select[name=status]", "contacted")
    page.fill("input[name=note]", "unit called back")
    page.click("form[action$='/status/'] button[type=submit]")
    page.wait_for_load_state()
    assert "-> contacted" in page.inner_text("#message")
    assert case_audit_actions(server)[before:] == ["show", "set-status", "list"]
    page.context.close()


def test_watchlist_page_shows_the_version_and_hits(browser: Any, server: Server) -> None:
    page = signed_in(browser, server, "supervisor")
    page.goto(server.url + "/watchlist/")
    assert page.inner_text("#entries") == "2"
    hits = page.inner_text("#hits")
    assert "MISSING_CHILD_TIP" in hits and "TIP-" in hits
    assert "DEMOCHILD" not in page.content() and "DEMO0000042" not in page.content()
    page.context.close()


def test_csrf_and_session_expiry(browser: Any, server: Server) -> None:
    page = signed_in(browser, server, "trafficking")
    page.goto(server.url + "/traces/")
    status = page.evaluate(
        """async () => (await fetch('/traces/', {method: 'POST', body: new URLSearchParams(
             {kind: 'doc', value: 'LSO:X1', reason: 'no token'})})).status"""
    )
    assert status == 403
    time.sleep(SESSION_S + 1.5)
    page.goto(server.url + "/traces/")
    assert "/signin/" in page.url  # idle too long: signed out
    page.context.close()

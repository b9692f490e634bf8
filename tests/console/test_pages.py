"""Roles, sign-in, CSRF, session expiry, audit rows: the console through Django's test client."""

from __future__ import annotations

import time
from typing import Any

import pytest

from console.demo import DEMO_PASSWORD, ROLE_USERS

pytestmark = pytest.mark.usefixtures("console_db")


def client(role: str | None = None, **kwargs: Any) -> Any:
    from django.test import Client

    c = Client(**kwargs)
    if role is not None:
        r = c.post("/signin/", {"username": ROLE_USERS[role], "password": DEMO_PASSWORD})
        assert r.status_code == 302, r.content[:300]
    return c


def audit() -> list[dict[str, Any]]:
    """The central views in the hash-chained audit log (central/audit/), oldest first."""
    from django.conf import settings

    from central.db import Database
    from central.trace.audit import audit_rows

    db = Database(settings.CENTRAL_DATABASE)
    try:
        return audit_rows(db)
    finally:
        db.close()


def test_migrate_adopts_the_collectors_tables() -> None:
    from console.models import Record

    assert Record.objects.count() == 1200  # stored by central.db before migrate, kept
    assert Record.objects.filter(is_current=1).count() == 1200
    audit()  # the audit chain exists too


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_each_role_sees_exactly_its_pages(role: str) -> None:
    from console.roles import PAGES

    c = client(role)
    home = c.get("/statistics/" if role != "administrator" else "/signins/")
    shown = {p.name for p in PAGES if f'data-page="{p.name}"' in home.content.decode()}
    allowed = {p.name for p in PAGES if role in p.roles}
    assert shown == allowed
    for p in PAGES:
        if p.name == "users":
            continue  # the Django admin: checked below
        got = c.get(p.path).status_code
        assert got == (200 if role in p.roles else 403), (role, p.name, got)
    admin = c.get("/admin/auth/user/")
    assert (admin.status_code == 200) == (role == "administrator")


def test_signed_out_goes_to_signin() -> None:
    r = client().get("/statistics/")
    assert r.status_code == 302 and r["Location"].startswith("/signin/")


def test_trace_needs_a_reason_and_writes_an_audit_row() -> None:
    c = client("trafficking")
    before = len(audit())
    r = c.post("/traces/", {"kind": "doc", "value": "LSO:DEMO0000001", "reason": ""})
    assert r.status_code == 400 and len(audit()) == before
    r = c.post("/traces/", {"kind": "doc", "value": "LSO:DEMO0000001", "reason": "case 2026/1"})
    assert r.status_code == 200 and b'id="trace-result"' in r.content
    rows = audit()
    # the trace's row, then the photos' own (the demo's traced person has one: test_trace_photos)
    assert [r["action"] for r in rows[before:]] == ["trace", "console_trace_photos"]
    row = rows[before]
    assert (row["operator"], row["reason"], row["action"]) == ("trafficking", "case 2026/1",
                                                             "trace")
    assert row["result_count"] >= 2


def test_audit_page_is_itself_audited() -> None:
    def views() -> int:
        return sum(1 for r in audit() if r["action"] == "console-audit")

    before = views()
    assert client("supervisor").get("/audit/").status_code == 200
    assert views() == before + 1


def test_cases_and_watchlist_work_with_no_setting() -> None:
    assert b'id="cases"' in client("trafficking").get("/cases/").content
    assert b'id="versions"' in client("supervisor").get("/watchlist/").content


def test_csrf_enforced() -> None:
    c = client("trafficking")
    c.handler.enforce_csrf_checks = True  # as a browser's server sees it
    r = c.post("/traces/", {"kind": "doc", "value": "LSO:DEMO0000001", "reason": "x"})
    assert r.status_code == 403
    r = client(enforce_csrf_checks=True).post(
        "/signin/", {"username": "analyst", "password": DEMO_PASSWORD}
    )
    assert r.status_code == 403  # the sign-in form too (login CSRF)


def test_session_expires_when_idle() -> None:
    from django.test import override_settings

    with override_settings(SESSION_COOKIE_AGE=1):
        c = client("analyst")
        assert c.get("/statistics/").status_code == 200
        time.sleep(2.1)
        r = c.get("/statistics/")
    assert r.status_code == 302 and r["Location"].startswith("/signin/")


def test_lockout_after_failures() -> None:
    from django.conf import settings

    from console.accounts import create_user
    from console.models import SignIn

    create_user("locked-out", "a-long-password-42", "analyst")
    c = client()
    for _ in range(settings.LOCKOUT_FAILURES):
        r = c.post("/signin/", {"username": "locked-out", "password": "wrong-password"})
        assert r.status_code == 401
    r = c.post("/signin/", {"username": "locked-out", "password": "a-long-password-42"})
    assert r.status_code == 403 and b"locked" in r.content
    assert SignIn.objects.filter(username="locked-out", outcome="locked").count() == 1


def test_totp_second_factor() -> None:
    import pyotp

    from console.accounts import create_user

    secret = create_user("with-code", "another-long-pass-7", "analyst", totp=True)
    assert secret
    c = client()
    r = c.post("/signin/", {"username": "with-code", "password": "another-long-pass-7"})
    assert r.status_code == 401
    code = pyotp.TOTP(secret).now()
    r = c.post(
        "/signin/", {"username": "with-code", "password": "another-long-pass-7", "code": code}
    )
    assert r.status_code == 302


def test_passwords_are_argon2() -> None:
    from django.contrib.auth.models import User

    assert User.objects.get(username="analyst").password.startswith("argon2$argon2id$")


def test_operations_marks_silent_terminals_stale() -> None:
    from django.conf import settings

    from console.operations import store_heartbeat, terminals

    store_heartbeat(
        {
            "terminal_id": "maputsoe-1",
            "border_post": "MAPUTSOE",
            "software_version": "9.9",
            "clock_synced": True,
            "outbox_pending": 3,
            "outbox_awaiting_receipt": 1,
        }
    )
    rows = {t.terminal_id: t for t in terminals()}
    assert len(rows) == 6  # 3 posts x 2 terminals, from the records themselves
    assert not any(t.stale for t in rows.values())  # records received just now
    assert rows["maputsoe-1"].awaiting_receipt == 1 and rows["maputsoe-1"].outbox_pending == 3
    later = terminals(now=time.time() + settings.STALE_AFTER_S + 5)
    assert all(t.stale for t in later)
    page = client("analyst").get("/").content.decode()
    assert 'class="stale"' not in page and "9.9" in page


def test_links_need_a_reason_and_are_audited(console_db: str) -> None:
    from central.db import Database
    from central.trace.index import refresh

    db = Database(console_db)
    try:
        refresh(db)
        db.commit()
        person = str(db.query("SELECT person_id FROM trace_entities LIMIT 1")[0][0])
    finally:
        db.close()
    c = client("supervisor")
    before = sum(1 for r in audit() if r["action"] == "link-list")
    assert c.post("/links/", {"person": person, "reason": ""}).status_code == 400
    r = c.post("/links/", {"person": person, "reason": "weekly link review"})
    assert r.status_code == 200 and b'id="links"' in r.content
    assert sum(1 for r in audit() if r["action"] == "link-list") == before + 1
    assert client("trafficking").get("/links/").status_code == 403


def test_warm_fills_the_shared_cache() -> None:
    import re

    from django.core.cache import cache

    from console.tables_cache import warm

    cache.clear()
    assert warm(["MAPUTSOE"])[0] == 2
    first = client("analyst").get("/statistics/").content.decode()
    when = re.search(r"Computed at ([0-9:]+ UTC)", first)
    time.sleep(1.1)
    again = client("analyst").get("/statistics/", {"audience": "internal"}).content.decode()
    assert when and f"Computed at {when.group(1)}" in again  # reused, whatever the audience


def test_operations_shows_the_heartbeats_the_collector_stored() -> None:
    from django.conf import settings

    from central.db import Database

    db = Database(settings.CENTRAL_DATABASE)
    try:  # what central.db.Database.heartbeat keeps for each terminal
        db.execute("INSERT INTO terminal_status (terminal_id, border_post, received_at, payload)"
                   " VALUES (?, ?, ?, ?)",
                   ("hb-only-9", "PEKA", "2026-12-03T10:00:00.000Z",
                    '{"software_version": "9.9.1", "outbox_pending": 7, "clock_synced": true}'))
        db.commit()
        page = client("analyst").get("/").content.decode()
    finally:
        db.execute("DELETE FROM terminal_status WHERE terminal_id = ?", ("hb-only-9",))
        db.commit()
        db.close()
    assert "hb-only-9" in page and "9.9.1" in page


def test_doctor_sees_the_real_migrations_applied() -> None:
    from django.conf import settings

    from config.models import Config
    from imdms.checks import Status
    from imdms.cli.doctor.migrations import check_migrations

    config = Config.model_validate({"collector": {"database": settings.CENTRAL_DATABASE}})
    result = check_migrations(config)
    assert result.status is Status.PASS, result.message

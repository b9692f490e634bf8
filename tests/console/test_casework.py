"""The cases and watchlist pages, wired to central/cases and central/watchlist with no
setting: the case list with every watchlist hit, one case (reason asked, audited), status
steps, the watchlist's versions and hits, and publishing from the browser."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey

from central.db import Database
from tests.cases.records import DOC, SURNAME, referred
from tests.collector.peers import Broker, mosquitto  # noqa: F401
from tests.console.test_pages import audit, client

pytestmark = pytest.mark.usefixtures("console_db")
HIT = {"list_version": "3", "match": "document", "border_post": "MSU-BRIDGE",
       "terminal_id": "t1"}


@pytest.fixture(scope="module")
def case(console_db: str) -> Iterator[str]:
    """A referred crossing's case and two hits (one on that crossing) in the console's store."""
    from central.cases.desk import CaseDesk
    from central.watchlist.hits import store_hit
    from config.models import CasesConfig
    from records.case_id import case_id

    rec = referred()
    db = Database(console_db)
    try:
        db.store(rec)
        db.commit()
        CaseDesk(CasesConfig(), console_db, "imdms/v1", None, dispatch=False).after_commit(
            db, [json.dumps(rec).encode()])
        store_hit(db, {**HIT, "event_id": "e1", "record_id": rec["record_id"],
                       "entry_id": "wl-1", "category": "MISSING_CHILD_TIP",
                       "occurred_at": "2026-12-03T10:00:00Z"})
        store_hit(db, {**HIT, "event_id": "e2", "record_id": "elsewhere", "entry_id": "wl-2",
                       "category": "WANTED", "occurred_at": "2026-12-03T11:00:00Z"})
    finally:
        db.close()
    yield case_id(rec["record_id"])
    db = Database(console_db)
    try:  # the session's other tests count the demo's records
        db.execute("DELETE FROM record_indicators WHERE record_id = ?", (rec["record_id"],))
        db.execute("DELETE FROM records WHERE record_id = ?", (rec["record_id"],))
        db.commit()
    finally:
        db.close()


def case_audit(console_db: str) -> list[dict[str, Any]]:
    from central.cases.audit import audit_rows

    db = Database(console_db)
    try:
        return audit_rows(db)
    finally:
        db.close()


def test_case_list_shows_cases_and_every_hit(case: str, console_db: str) -> None:
    before = len(case_audit(console_db))
    page = client("trafficking").get("/cases/").content.decode()
    assert case in page and "SOCIAL_WELFARE" in page and "received" in page
    cases, hits = page.split('id="hits"')
    assert "MISSING_CHILD_TIP" in cases  # the hit on the referred crossing, in its row
    assert hits.index("WANTED") < hits.index("MISSING_CHILD_TIP")  # newest first, with no case
    assert SURNAME not in page and DOC not in page
    assert [r["action"] for r in case_audit(console_db)[before:]] == ["list"]
    assert audit()[-1]["action"] == "console-cases"


def test_a_case_needs_a_reason_and_is_audited(case: str, console_db: str) -> None:
    c = client("trafficking")
    asked = c.get(f"/cases/{case}/").content.decode()
    assert "Reason (required)" in asked and SURNAME not in asked
    refused = c.post(f"/cases/{case}/", {"reason": " "})
    assert refused.status_code == 400 and b"a reason is required" in refused.content
    shown = c.post(f"/cases/{case}/", {"reason": "call from the unit"}).content.decode()
    assert SURNAME in shown and DOC in shown and "referred at" in shown
    rows = case_audit(console_db)
    assert rows[-1]["action"] == "show" and rows[-1]["reason"] == "call from the unit"
    assert audit()[-1]["action"] == "console-case"


def test_status_steps_with_notes(case: str) -> None:
    c = client("trafficking")
    done = c.post(f"/cases/{case}/status/", {"status": "contacted", "note": "unit called"})
    assert done.status_code == 200 and b"received -&gt; contacted" in done.content
    bad = c.post(f"/cases/{case}/status/", {"status": "identified"})
    assert bad.status_code == 400 and b"cannot become identified" in bad.content
    shown = c.post(f"/cases/{case}/", {"reason": "check"}).content.decode()
    assert "unit called" in shown and "contacted" in shown


@pytest.mark.parametrize(("role", "cases", "watchlist"), [
    ("analyst", 403, 403), ("trafficking", 200, 403), ("supervisor", 403, 200),
    ("administrator", 403, 403)])
def test_each_role_its_pages(case: str, role: str, cases: int, watchlist: int) -> None:
    c = client(role)
    assert c.get("/cases/").status_code == cases
    assert c.get(f"/cases/{case}/").status_code == cases
    assert c.get("/watchlist/").status_code == watchlist


def test_watchlist_page_shows_versions_and_hits(case: str) -> None:
    page = client("supervisor").get("/watchlist/").content.decode()
    assert "WANTED" in page and case in page and "Sign and publish" in page
    assert audit()[-1]["action"] == "console-watchlist"


@pytest.mark.peer
def test_publish_from_the_page(case: str, tmp_path: Path, mosquitto: Broker,  # noqa: F811
                               monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from messaging.seal import ED25519_PRIVATE, pem

    key = tmp_path / "watchlist.key"
    config = tmp_path / "central.toml"
    config.write_text(f'[broker]\nhost = "127.0.0.1"\nport = {mosquitto.port}\n'
                      f'[watchlist]\nsigning_key_credential = "{key}"\n')
    monkeypatch.setenv("IMDMS_CONFIG", str(config))
    listed = b'[{"category": "WANTED", "instruction": "Hold.", "document_number": "ZZ1"}]'
    c = client("supervisor")
    refused = c.post("/watchlist/", {"entries": SimpleUploadedFile("l.json", listed)})
    assert refused.status_code == 400 and b"signing key credential" in refused.content
    key.write_text(pem(ED25519_PRIVATE, bytes(SigningKey.generate()), "PRIVATE KEY"))
    key.chmod(0o600)
    done = c.post("/watchlist/", {"entries": SimpleUploadedFile("l.json", listed)})
    assert done.status_code == 200, done.content[-800:]
    page = done.content.decode()
    assert "version 1 published: 1 entries" in page and "ZZ1" not in page
    assert [r["action"] for r in audit()[-2:]] == ["console-watchlist-publish", "console-watchlist"]

"""Photos in the console's trace (issue 21 item 4): shown to the trafficking unit inline in a
no-store page, audited as their own view; refused to every other role."""

from __future__ import annotations

import pytest

from console.demo import TRACED_DOC
from tests.console.test_pages import audit, client

pytestmark = pytest.mark.usefixtures("console_db")
TRACE = {"kind": "doc", "value": TRACED_DOC, "reason": "case 2026/9, photo test"}


def test_trafficking_unit_sees_the_photo_and_the_view_is_audited() -> None:
    before = audit()
    r = client("trafficking").post("/traces/", TRACE)
    assert r.status_code == 200
    assert r.content.count(b'src="data:image/jpeg;base64,/9j/') == 1  # a JPEG, inline
    assert b'alt="booth camera photo"' in r.content
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]
    rows = audit()[len(before):]
    assert [row["action"] for row in rows] == ["trace", "console_trace_photos"]
    assert rows[1]["operator"] == "trafficking" and rows[1]["reason"] == TRACE["reason"]
    assert rows[1]["result_count"] == 1


@pytest.mark.parametrize("role", ["analyst", "supervisor", "administrator"])
def test_other_roles_get_no_photo(role: str) -> None:
    before = len(audit())
    r = client(role).post("/traces/", TRACE)
    assert r.status_code == 403 and b"data:image" not in r.content
    assert len(audit()) == before


def test_a_trace_without_photos_writes_no_photo_row() -> None:
    before = audit()
    r = client("trafficking").post("/traces/", {**TRACE, "value": "LSO:DEMO0000002"})
    assert r.status_code == 200 and b"data:image" not in r.content
    assert [row["action"] for row in audit()[len(before):]] == ["trace"]

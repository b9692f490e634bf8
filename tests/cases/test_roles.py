"""PostgreSQL: a case officer's role granted CASE_OFFICER_GRANTS lists, shows and moves cases
through the CLI's functions, but cannot edit the history or the audit log, nor drop or disable
their triggers (only the owner could)."""

from __future__ import annotations

import json

import pytest

from central.cases.audit import audit_rows
from central.cases.desk import CaseDesk
from central.cases.lifecycle import Status
from central.cases.schema import CASE_OFFICER_GRANTS, ensure_schema
from central.cases.store import list_cases, set_status, show
from central.db import Database
from config.models import CasesConfig
from records.case_id import case_id
from tests.cases.records import SURNAME, referred
from tests.collector.postgres import PASSWORD, PostgresServer

pytestmark = pytest.mark.peer


def test_the_case_officer_cannot_rewrite_the_logs(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database()
    name = url.rsplit("/", 1)[1]
    owner = Database(url)
    rec = referred()
    owner.store(rec)
    owner.commit()
    CaseDesk(CasesConfig(), url, "imdms/v1", None, dispatch=False).after_commit(
        owner, [json.dumps(rec).encode()])
    owner.close()
    role = "cases_" + name[2:]
    postgres_server.psql(name, f"CREATE ROLE {role} LOGIN PASSWORD 'co-pw'")
    for grant in CASE_OFFICER_GRANTS:
        postgres_server.psql(name, grant.format(role=role))
    officer_url = url.replace(f"{postgres_server.user}:{PASSWORD}@", f"{role}:co-pw@", 1)
    db = Database(officer_url, create=False)
    cid = case_id(rec["record_id"])
    try:
        ensure_schema(db)  # exists: no DDL
        assert [c["case_id"] for c in list_cases(db, "sw-3")] == [cid]
        assert show(db, cid, operator="sw-3", reason="call")["person"]["surname"] == SURNAME
        set_status(db, cid, Status.CONTACTED, operator="sw-3", note=None)
        for table in ("case_events", "case_audit"):
            for sql in (f"UPDATE {table} SET operator = 'x'", f"DELETE FROM {table}",
                        f"TRUNCATE {table}", f"ALTER TABLE {table} DISABLE TRIGGER ALL",
                        f"DROP TRIGGER {table}_no_change ON {table}"):
                with pytest.raises(Exception) as err:
                    db.execute(sql)
                assert db.is_db_error(err.value), sql
                assert "permission denied" in str(err.value) or "must be owner" in str(err.value)
                db.rollback()
        assert [r["action"] for r in audit_rows(db)] == ["list", "show", "set-status"]
    finally:
        db.close()

"""PostgreSQL: a tracing role granted TRACER_GRANTS traces, but cannot edit the audit log,
nor drop or disable its triggers (only the owner could)."""

from __future__ import annotations

import pytest

from central.db import Database
from central.trace.audit import audit_rows
from central.trace.index import refresh
from central.trace.schema import TRACER_GRANTS
from central.trace.search import Query, trace
from tests.collector.postgres import PASSWORD, PostgresServer
from tests.trace.people import crossing, ingest

SQL = (
    "UPDATE audit_log SET reason = 'x'",
    "DELETE FROM audit_log",
    "TRUNCATE audit_log",
    "ALTER TABLE audit_log DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_log_no_change ON audit_log",
)


def test_the_tracer_role_cannot_rewrite_the_log(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database()
    name = url.rsplit("/", 1)[1]
    owner = Database(url)
    ingest(owner, crossing())
    refresh(owner)
    owner.close()
    role = "tracer_" + name[2:]
    postgres_server.psql(name, f"CREATE ROLE {role} LOGIN PASSWORD 'tr-pw'")
    for grant in TRACER_GRANTS:
        postgres_server.psql(name, grant.format(role=role))
    tracer_url = url.replace(f"{postgres_server.user}:{PASSWORD}@", f"{role}:tr-pw@", 1)
    db = Database(tracer_url, create=False)
    try:
        (found,) = trace(db, Query(doc="ZAF:A01234567"), operator="inv-1", reason="case 9")
        assert len(found.crossings) == 1
        for sql in SQL:
            with pytest.raises(Exception) as err:
                db.execute(sql)
            assert db.is_db_error(err.value), sql
            assert "permission denied" in str(err.value) or "must be owner" in str(err.value)
            db.rollback()
        assert [r["reason"] for r in audit_rows(db)] == ["case 9"]
    finally:
        db.close()

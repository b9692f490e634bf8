"""The hash chain on both stores: intact, edited, deleted, reordered, truncated, concurrent."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from central.audit.chain import GENESIS, Entry, append, record_view
from central.audit.verify import head, verify
from central.db import Database
from tests.audit.tamper import tamper
from tests.collector.peers import Store


def fill(db: Database, n: int = 5) -> None:
    for i in range(n):
        record_view(db, operator=f"inv-{i}", reason="case 2026/114", action="trace",
                    params={"doc": f"LSO:RA{i:07d}"}, result_count=i,
                    at=f"2026-03-01T08:00:0{i}.000Z")
        db.commit()


def test_an_intact_chain_verifies_with_its_count(db: Database) -> None:
    assert verify(db).ok and verify(db).count == 0
    fill(db)
    v = verify(db)
    assert (v.ok, v.count, v.first_seq, v.last_seq) == (True, 5, 1, 5)
    rows = db.query("SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq")
    assert rows[0][1] == GENESIS
    assert all(rows[i][1] == rows[i - 1][2] for i in range(1, 5))


def test_the_guards_refuse_update_and_delete(db: Database) -> None:
    fill(db, 2)
    sql = ["UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log WHERE seq = 1"]
    if db.postgres:
        sql.append("TRUNCATE audit_log")
    for stmt in sql:
        with pytest.raises(Exception) as err:
            db.execute(stmt)
        assert db.is_db_error(err.value) and "append-only" in str(err.value), stmt
        db.rollback()
    assert verify(db).count == 2


def test_an_edited_row_is_found(db: Database) -> None:
    fill(db)
    tamper(db, "UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 3")
    v = verify(db)
    assert (v.ok, v.broken_seq, v.count) == (False, 3, 2)
    assert "edited" in (v.problem or "")


def test_an_edited_row_with_its_hash_recomputed_breaks_the_next(db: Database) -> None:
    from central.audit.chain import COLUMNS, row_hash

    fill(db)
    (row,) = db.query(f"SELECT {COLUMNS}, prev_hash FROM audit_log WHERE seq = 3")
    forged = list(row[:11])
    forged[8] = "nothing to see"
    new_hash = row_hash(str(row[11]), tuple(forged))
    tamper(db, f"UPDATE audit_log SET reason = 'nothing to see', hash = '{new_hash}'"
               " WHERE seq = 3")
    v = verify(db)
    assert (v.ok, v.broken_seq) == (False, 4) and "does not follow" in (v.problem or "")


def test_a_deleted_row_is_found(db: Database) -> None:
    fill(db)
    tamper(db, "DELETE FROM audit_log WHERE seq = 3")
    v = verify(db)
    assert (v.ok, v.broken_seq) == (False, 3) and "missing" in (v.problem or "")


def test_a_deleted_row_with_the_rest_renumbered_is_found(db: Database) -> None:
    fill(db)
    tamper(db, "DELETE FROM audit_log WHERE seq = 3",
           "UPDATE audit_log SET seq = seq - 1 WHERE seq = 4",
           "UPDATE audit_log SET seq = seq - 1 WHERE seq = 5")
    v = verify(db)
    assert (v.ok, v.broken_seq) == (False, 3)


def test_a_deleted_prefix_without_a_purge_row_is_found(db: Database) -> None:
    fill(db)
    tamper(db, "DELETE FROM audit_log WHERE seq <= 2")
    v = verify(db)
    assert (v.ok, v.broken_seq) == (False, 3) and "no purge row" in (v.problem or "")


def test_reordered_rows_are_found(db: Database) -> None:
    fill(db)
    tamper(db, "UPDATE audit_log SET seq = 100 WHERE seq = 2",
           "UPDATE audit_log SET seq = 2 WHERE seq = 3",
           "UPDATE audit_log SET seq = 3 WHERE seq = 100")
    v = verify(db)
    assert (v.ok, v.broken_seq) == (False, 2)


def test_a_truncated_tail_is_found_against_a_saved_head(db: Database) -> None:
    fill(db)
    saved = json.loads(json.dumps(head(db)))
    assert saved["seq"] == 5
    tamper(db, "DELETE FROM audit_log WHERE seq >= 4")
    assert verify(db).ok  # the rows left are a valid chain: only the head tells
    v = verify(db, saved)
    assert (v.ok, v.broken_seq) == (False, 5) and "end" in (v.problem or "")
    fill(db, 3)  # even refilled to seq 5 and beyond: row 5 is not the row the head saw
    v = verify(db, saved)
    assert (v.ok, v.broken_seq) == (False, 5) and "saved head" in (v.problem or "")


def test_a_saved_head_of_an_intact_chain_passes(db: Database) -> None:
    fill(db)
    saved = head(db)
    fill(db, 2)
    assert verify(db, saved).ok


def _writer(url: str, name: str, n: int, errors: list[BaseException]) -> None:
    d = Database(url)
    try:
        for i in range(n):
            append(d, Entry("central", "trace", operator=name, reason="load",
                            detail={"i": i}))
            d.commit()
    except BaseException as err:  # reported by the test
        errors.append(err)
    finally:
        d.close()


def test_two_writers_at_once_do_not_fork_the_chain(db: Database, store: Store) -> None:
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_writer, args=(store.url, f"w{k}", 40, errors))
               for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    v = verify(db)
    assert (v.ok, v.count, v.last_seq) == (True, 80, 80)
    by: dict[Any, int] = {}
    for (op,) in db.query("SELECT operator FROM audit_log"):
        by[op] = by.get(op, 0) + 1
    assert by == {"w0": 40, "w1": 40}

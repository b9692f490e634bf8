"""Poison (issue 12 item 5): add() refuses what the broker or the collector could not carry,
with a clear error naming the field and never its value; batched adds report per record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imdms.errors import OutboxError, SchemaError
from messaging.outbox import Outbox
from tests.messaging.records import make_record

SECRET = "SECRETNAME"


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("surname", SECRET + "\x00", "NUL"),
        ("given_names", SECRET + "\udcff", "lone surrogate"),
        ("notes", "\ud800" + SECRET, "lone surrogate"),
        ("tip_note", b"SECRETNAME", "bytes"),
        ("intended_stay_days", float("nan"), "finite"),
    ],
)
def test_add_refuses_poison_values(tmp_path: Path, field: str, value: Any, why: str) -> None:
    with Outbox(tmp_path / "o.sqlite3") as box:
        data = make_record().to_dict()
        data[field] = value
        with pytest.raises(SchemaError) as err:
            box.add_dict(data)
        assert field in err.value.message and why in err.value.message
        assert SECRET not in str(err.value) and "NOT saved" in err.value.hint
        assert box.status().pending == 0


def test_add_refuses_poison_keys(tmp_path: Path) -> None:
    with Outbox(tmp_path / "o.sqlite3") as box:
        for key in (SECRET + "\x00", SECRET + "\udcff"):
            data = make_record().to_dict()
            data[key] = "x"
            with pytest.raises(SchemaError) as err:
                box.add_dict(data)
            assert SECRET not in str(err.value) and "field name" in err.value.message
        data = make_record().to_dict()
        data[1] = "x"  # type: ignore[index]
        with pytest.raises(SchemaError):
            box.add_dict(data)
        assert box.status().pending == 0


def test_add_many_reports_each_record(tmp_path: Path) -> None:
    with Outbox(tmp_path / "o.sqlite3", max_record_bytes=4096) as box:
        good = make_record()
        already = make_record()
        box.add(already)
        poison = dict(make_record().to_dict(), surname="A\x00B")
        huge = make_record(notes="x" * 1900, tip_note="y" * 1900)
        results = box.add_many([good, already, poison, huge, good])
        assert [r.state for r in results] == ["queued", "known", "rejected", "rejected", "known"]
        assert results[2].reason is not None and "surname" in results[2].reason
        assert results[3].reason is not None and "too large" in results[3].reason
        assert results[0].record_id == good.record_id
        assert box.status().pending == 2 and box.status().quarantined == 0


def test_add_many_is_one_transaction_per_batch(tmp_path: Path) -> None:
    with Outbox(tmp_path / "o.sqlite3") as box:
        statements: list[str] = []
        box._db.set_trace_callback(statements.append)
        results = box.add_many([make_record() for _ in range(1200)])
        box._db.set_trace_callback(None)
        assert {r.state for r in results} == {"queued"} and len(results) == 1200
        assert sum(s.startswith("COMMIT") for s in statements) == 3  # 500 + 500 + 200


def test_import_keeps_poison_in_quarantine_and_accepted_ones_travel(tmp_path: Path) -> None:
    """Nothing accepted is dropped later: what add accepts is exactly what is fetched."""
    with Outbox(tmp_path / "o.sqlite3") as box:
        records = [make_record().to_dict() for _ in range(5)]
        records.insert(2, dict(make_record().to_dict(), given_names="\udcff"))
        assert box.import_records(records) == (5, 0, 1)
        (q,) = box.quarantined()
        assert q.imported and q.reason.startswith("import: record cannot be carried")
        assert box.status().rejected_imports == 1
        rows = box.fetch(0, 100)
        assert [json.loads(r.payload) for r in rows] == [r for r in records
                                                        if r["given_names"] != "\udcff"]
        for row in rows:
            row.payload.encode("utf-8")  # every accepted payload is plain UTF-8 JSON


def test_size_limit_is_bytes_not_characters(tmp_path: Path) -> None:
    with Outbox(tmp_path / "o.sqlite3", max_record_bytes=4096) as box:
        with pytest.raises(OutboxError, match="too large"):
            box.add(make_record(notes="é" * 1990))  # ~2 KiB chars; 6 bytes each as \\u escapes
        assert box.status().pending == 0

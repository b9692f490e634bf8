"""The sealed question and answer (pure), and the centre's lookup on a constructed history."""

from __future__ import annotations

import base64
import json

import pytest

from central.db import Database
from central.history.lookup import ACTION, lookup
from central.trace.audit import audit_rows
from central.trace.index import refresh
from messaging.history_wire import (
    Answer,
    Crossing,
    Document,
    answer,
    ask,
    open_answer,
    open_question,
    question_id,
)
from messaging.seal import Opener, Sealer, new_key_pair
from records.codes import Direction
from tests.collector.peers import Store, postgres_server, store
from tests.trace.people import T0, crossing, ingest, iso

__all__ = ["postgres_server", "store"]  # the lookup runs on both central stores

PRIVATE, PUBLIC = new_key_pair()
DOC = Document("ZAF", "A01234567", "1990-05-17")


def test_question_and_answer_open_only_for_their_keys() -> None:
    q = ask(Sealer.from_pem(PUBLIC), DOC)
    assert b"A01234567" not in q.payload and b"1990" not in q.payload
    assert question_id(q.payload) == q.id
    qid, doc, reply = open_question(Opener.from_pem(PRIVATE), q.payload)
    assert (qid, doc) == (q.id, DOC)
    sent = Answer(True, (Crossing("2026-03-01T08:00:00.000Z", "ENTRY", "MSU-BRIDGE"),),
                  ("OPEN_STAY",), 0, "MINEWORKER", "EMPLOYMENT")
    payload = answer(qid, reply, sent)
    assert b"MSU-BRIDGE" not in payload and b"MINEWORKER" not in payload
    assert open_answer(q, payload) == sent
    other = ask(Sealer.from_pem(PUBLIC), DOC)
    with pytest.raises(ValueError, match="another question"):
        open_answer(other, payload)
    with pytest.raises(ValueError, match="cannot be opened"):
        open_question(Opener.from_pem(new_key_pair()[0]), q.payload)


def test_a_box_moved_under_another_id_is_refused() -> None:
    q = ask(Sealer.from_pem(PUBLIC), DOC)
    data = json.loads(q.payload)
    data["id"] = "f" * 32
    with pytest.raises(ValueError, match="another message"):
        open_question(Opener.from_pem(PRIVATE), json.dumps(data).encode())
    data["box"] = base64.b64encode(b"junk" * 20).decode()
    with pytest.raises(ValueError, match="cannot be opened"):
        open_question(Opener.from_pem(PRIVATE), json.dumps(data).encode())
    with pytest.raises(ValueError):
        question_id(b"not json")


def test_lookup_answers_recent_crossings_flags_minors_and_audits(store: Store) -> None:
    db = Database(store.url)
    ingest(db, *[crossing(doc="ZAF:M00000001", surname="DLAMINI", given="NOMSA",
                          dob="2016-02-02", days=d,
                          direction=Direction.EXIT if i % 2 else Direction.ENTRY)
                 for i, d in enumerate((0, 1, 8, 9, 15, 16, 22))])
    refresh(db)
    db.commit()
    now = int((T0.timestamp() + 23 * 86400) * 1000)
    got = lookup(db, Document("ZAF", "M00000001", "2016-02-02"), terminal="t1",
                 post="MSU-BRIDGE", as_of_ms=now)
    assert got.found and len(got.crossings) == 5
    assert got.crossings[-1].at.startswith(iso(T0)[:4]) and got.crossings[-1].direction == "ENTRY"
    assert "MINOR_FREQUENT" in got.flags and got.minor_30d == 7
    nobody = lookup(db, Document("ZAF", "X1", None), terminal="t1", post="MSU-BRIDGE")
    assert not nobody.found and nobody.flags == ()
    rows = [r for r in audit_rows(db) if r["action"] == ACTION]
    assert [(r["operator"], r["result_count"]) for r in rows] == [("terminal:t1", 7),
                                                                 ("terminal:t1", 0)]
    assert "M00000001" not in json.dumps(rows)
    db.close()

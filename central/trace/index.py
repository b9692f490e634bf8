"""Building the person index from the central records, and linking records into persons.

A crossing's entity is its document (ISSUER:NUMBER:DOB) or, without a document, the crossing
itself. A new entity is compared only with entities in its block (the same date of birth; or,
when one side has only an age, the same first three letters of the sorted name, a birth year
within one year and the same sex): at 2 M people a date of birth holds ~55 entities and a name
block a few hundred, so linking costs a few index lookups, never all pairs.
Decisions: same full date of birth, sex and nationality compatible, name score >= AUTO_SCORE
-> an auto link (joins the two persons); a lower score or only an approximate age -> a
suggested link a supervisor may confirm, except between two undocumented crossings with the
very same name, sex and nationality (auto, confidence 0.7). Entities that crossed in one group
are never linked (twins travelling together stay two people).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from central.db import Database
from central.trace.names import doc_key, doc_number, name_block, name_key, name_score
from central.trace.schema import ensure_schema
from records.record import new_record_id

log = logging.getLogger(__name__)

HOME_COUNTRY = "LSO"
HOME_CATEGORIES = ("CITIZEN", "RESIDENT")
AUTO_SCORE = 92.0  # same name after folding, bar a letter or two
SUGGEST_SCORE = 85.0  # worth a supervisor's look
APPROX_SCORE = 95.0  # only an age on one side: the name must almost agree
BATCH = 2000
BARE = "record:"  # the entity of a crossing without a document


@dataclass(frozen=True, slots=True)
class Entity:
    key: str
    name: str
    dob: str | None
    birth_year: int | None
    sex: int
    nationality: str | None


def _entity(root: str, data: dict[str, Any]) -> Entity:
    dob = data.get("date_of_birth") or None
    key = doc_key(data.get("issuing_state"), data.get("document_number"), dob)
    year: int | None = int(dob[:4]) if dob else None
    age = data.get("age_at_crossing")
    if year is None and isinstance(age, int):
        year = int(str(data["recorded_at"])[:4]) - age
    return Entity(
        key or f"{BARE}{root}",
        # without a document, the name as the person stated it (issue 21 item 4)
        name_key(data.get("surname"), data.get("given_names"))
        or name_key(data.get("stated_name"), None),
        dob,
        year,
        int(data.get("sex") or 0),
        data.get("nationality"),
    )


def _person_of(db: Database, entity: str) -> str | None:
    rows = db.query("SELECT person_id FROM trace_entities WHERE entity = ?", (entity,))
    return str(rows[0][0]) if rows else None


def merge(db: Database, a: str, b: str) -> str:
    """Join two persons; the older id (uuid7 sorts by time) stays. Returns the kept id."""
    if a == b:
        return a
    keep, drop = min(a, b), max(a, b)
    db.execute("UPDATE trace_entities SET person_id = ? WHERE person_id = ?", (keep, drop))
    db.execute("UPDATE trace_entries SET person_id = ? WHERE person_id = ?", (keep, drop))
    return keep


def _crossed_together(db: Database, a: str, b: str) -> bool:
    rows = db.query(
        "SELECT 1 FROM trace_entries x JOIN trace_entries y ON x.group_id = y.group_id"
        " WHERE x.entity = ? AND y.entity = ? AND x.group_id IS NOT NULL",
        (a, b),
    )
    return bool(rows)


def _candidates(db: Database, e: Entity) -> list[tuple[Any, ...]]:
    cols = "SELECT entity, person_id, name_key, dob, sex, nationality FROM trace_entities"
    rows: list[tuple[Any, ...]] = []
    if e.dob and len(e.dob) == 10:
        rows += db.query(cols + " WHERE dob = ?", (e.dob,))
    if e.birth_year is None or not e.name:
        return rows
    # approximate age on one side: the same name block, birth year within a year, same sex;
    # a dated entity meets only the undated ones (another date of birth is another person)
    undated = " AND dob IS NULL" if e.dob and len(e.dob) == 10 else ""
    for sex in sorted({e.sex, 0}):
        rows += db.query(
            cols + " WHERE name_block = ? AND birth_year BETWEEN ? AND ? AND sex = ?" + undated,
            (name_block(e.name), e.birth_year - 1, e.birth_year + 1, sex),
        )
    return rows


def _judge(
    e: Entity, key: str, name: str, dob: str | None, sex: int, nat: str | None
) -> tuple[str, float, dict[str, Any]] | None:
    """(status, confidence, evidence) of linking e with a candidate, or None (keep apart)."""
    if e.sex and sex and e.sex != sex:
        return None
    if e.nationality and nat and e.nationality != nat:
        return None
    score = name_score(e.name, name)
    exact = bool(e.dob and dob == e.dob and len(e.dob) == 10)
    evidence: dict[str, Any] = {
        "name_score": round(score, 1),
        "dob": "same" if exact else "approximate age",
        "sex": "same" if e.sex == sex and sex else "unknown on one side",
        "nationality": "same" if e.nationality == nat and nat else "unknown on one side",
    }
    certain = (1.0 if e.sex == sex and sex else 0.9) * (
        1.0 if e.nationality == nat and nat else 0.9
    )
    if exact and score >= AUTO_SCORE:
        return "auto", round(score / 100 * certain, 3), evidence
    if exact and score >= SUGGEST_SCORE:
        return "suggested", round(score / 100 * certain * 0.8, 3), evidence
    if not exact and score >= APPROX_SCORE:
        # two crossings without a document, same name, sex and nationality known and equal:
        # no document contradicts them, so they join (a supervisor may split them)
        both_bare = e.key.startswith(BARE) and key.startswith(BARE)
        if both_bare and score == 100 and certain == 1.0:
            return "auto", 0.7, evidence
        return "suggested", round(score / 100 * certain * 0.6, 3), evidence
    return None


def link_entity(db: Database, e: Entity) -> None:
    """Compare a new entity with its block; record links; join persons on auto links.

    A candidate already in the entity's person is skipped: a person seen k times without a
    document gets about k links, not k*(k-1)/2.
    """
    me = _person_of(db, e.key)
    merged = False  # until a join, each candidate's person is the one its row was read with
    for cand, person, name, dob, sex, nat in _candidates(db, e):
        if cand == e.key:
            continue
        if (_person_of(db, str(cand)) if merged else str(person)) == me:
            continue
        verdict = _judge(e, str(cand), str(name), dob, int(sex), nat)
        if verdict is None or _crossed_together(db, e.key, str(cand)):
            continue
        status, confidence, evidence = verdict
        a, b = sorted((e.key, str(cand)))
        db.execute(
            "INSERT INTO trace_links (a, b, confidence, evidence, status) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (a, b) DO NOTHING",
            (a, b, confidence, json.dumps(evidence, sort_keys=True), status),
        )
        if status == "auto":
            me = _join_decided(db, e.key) or me
            merged = True
    _join_decided(db, e.key)


def _join_decided(db: Database, entity: str) -> str | None:
    """Join the persons of this entity's auto and confirmed links (a supervisor's
    confirmations are kept across a rebuild). Returns the entity's person afterwards."""
    for a, b in db.query(
        "SELECT a, b FROM trace_links WHERE (a = ? OR b = ?) AND status IN ('auto', 'confirmed')",
        (entity, entity),
    ):
        pa, pb = _person_of(db, str(a)), _person_of(db, str(b))
        if pa and pb:
            merge(db, pa, pb)
    return _person_of(db, entity)


def index_record(db: Database, root: str, record_id: str, data: dict[str, Any]) -> None:
    """Put one crossing (its current version) into the index."""
    e = _entity(root, data)
    person = _person_of(db, e.key)
    new = person is None
    if person is None:
        person = new_record_id()
        db.execute(
            "INSERT INTO trace_entities (entity, person_id, name_key, name_block, dob,"
            " birth_year, sex, nationality) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (e.key, person, e.name, name_block(e.name), e.dob, e.birth_year, e.sex, e.nationality),
        )
    home = (
        data.get("nationality") == HOME_COUNTRY or data.get("traveller_category") in HOME_CATEGORIES
    )
    db.execute(
        "INSERT INTO trace_entries (root_id, record_id, entity, person_id, issuer, doc_number,"
        " dob, direction, border_post, group_id, adult_ref, minor, home, stay_days,"
        " tip_referral, watchlist) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (root_id) DO UPDATE SET record_id = excluded.record_id,"
        " entity = excluded.entity, person_id = excluded.person_id, issuer = excluded.issuer,"
        " doc_number = excluded.doc_number, dob = excluded.dob, direction = excluded.direction,"
        " border_post = excluded.border_post, group_id = excluded.group_id,"
        " adult_ref = excluded.adult_ref, minor = excluded.minor, home = excluded.home,"
        " stay_days = excluded.stay_days, tip_referral = excluded.tip_referral,"
        " watchlist = excluded.watchlist",
        (
            root,
            record_id,
            e.key,
            person,
            (data.get("issuing_state") or "").upper() or None,
            doc_number(data.get("document_number")) or None,
            e.dob,
            data["direction"],
            data["border_post"],
            data.get("group_id"),
            data.get("accompanying_adult_ref"),
            int(data.get("minor") is True),
            int(home),
            data.get("intended_stay_days"),
            data.get("tip_referral") or "NONE",
            data.get("watchlist_result") or "NOT_CHECKED",
        ),
    )
    if new:
        link_entity(db, e)


def _lock(db: Database) -> None:
    """Hold the index for this transaction: PostgreSQL's advisory lock; SQLite's write lock
    (BEGIN IMMEDIATE), so the cursor read and the batch it names belong together."""
    if db.postgres:
        db.execute("SELECT pg_advisory_xact_lock(hashtext('imdms-trace-index'))")
    else:
        db.commit()
        db.execute("BEGIN IMMEDIATE")


def refresh(db: Database, *, full: bool = False) -> int:
    """Index the current records received since the last run (all with full=True: auto and
    suggested links are rebuilt, a supervisor's confirm/split decisions are kept).
    Commits every BATCH crossings. Returns the number of crossings indexed."""
    ensure_schema(db)
    done, rebuilt = 0, full
    while True:
        _lock(db)  # two tracers refreshing at once would both insert the same entities
        if full:
            for table in ("trace_entries", "trace_entities", "trace_state"):
                db.execute(f"DELETE FROM {table}")
            db.execute("DELETE FROM trace_links WHERE status IN ('auto', 'suggested')")
            full = False
        rows = db.query("SELECT value FROM trace_state WHERE name = 'cursor'")
        since, after = json.loads(rows[0][0]) if rows else ("", "")
        # `+is_current`: keeps SQLite on the (received_at, root_id) index, not records_report
        batch = db.query(
            "SELECT received_at, root_id, record_id, payload FROM records WHERE +is_current = 1"
            " AND (received_at, root_id) > (?, ?) ORDER BY received_at, root_id LIMIT ?",
            (since, after, BATCH),
        )
        if not batch:
            db.commit()
            break
        for _received, root, rid, payload in batch:
            index_record(db, str(root), str(rid), json.loads(payload))
        db.execute(
            "INSERT INTO trace_state (name, value) VALUES ('cursor', ?)"
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (json.dumps([str(batch[-1][0]), str(batch[-1][1])]),),
        )
        db.commit()
        done += len(batch)
    if rebuilt:  # PostgreSQL plans from statistics: a fresh index would look empty
        for table in ("trace_entries", "trace_entities", "trace_links"):
            db.execute(f"ANALYZE {table}")
        db.commit()
    log.info("trace index: %d crossings indexed", done)
    return done

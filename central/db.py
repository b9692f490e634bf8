"""The central database: received crossings, rejected messages, terminals' clock offsets.

SQLite by default (a file, created 0600: it holds personal data); PostgreSQL when the configured
`database` is a postgresql:// URL and psycopg is installed. The SQL is written once with `?`
placeholders and ANSI syntax both engines accept.

Ingest keeps, for every crossing (a "root" record and its amendments), exactly one row with
`is_current = 1` (the winning version, records.stats rules) and on it `crossing_ms`, the time
the person crossed (the root's time), and `crossing_day`, its local day number (days since
1970-01-01 at DAY_OFFSET_MINUTES, Lesotho time), and the age band, minor and unaccompanied flags
derived at that time (central.columns: a corrected time gives a corrected age).
Reports GROUP BY over current rows only, in the order of the covering indexes `records_cells`
and `records_breakdowns`, so SQLite aggregates without sorting.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from central.columns import ADDED_COLUMNS, DERIVED_COLUMNS, derived_columns
from central.connect import connect_postgres, connect_sqlite, is_postgres_url
from central.dberrors import describe, is_connection_lost, is_db_error, url_password
from central.ingest import canonical_text, plainly_valid
from central.photos import SCHEMA as PHOTO_SCHEMA
from central.photos import split_photos, store_photos
from central.values import payload_text, safe_text, unstorable
from imdms.errors import ImdmsError, SchemaError
from records.clock import ms_to_iso, utc_now_iso
from records.schema import validate_record
from records.stats import DEFAULT_UTC_OFFSET_MINUTES, instant_ms, is_void

log = logging.getLogger(__name__)

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS records (
        record_id TEXT PRIMARY KEY,
        terminal_id TEXT NOT NULL,
        border_post TEXT NOT NULL,
        direction TEXT NOT NULL,
        capture_method TEXT NOT NULL,
        sex INTEGER NOT NULL,
        age_band TEXT,
        nationality TEXT,
        minor INTEGER NOT NULL,
        has_tips INTEGER NOT NULL,
        tip_referral TEXT NOT NULL,
        amends TEXT,
        root_id TEXT NOT NULL,
        clock_synced INTEGER NOT NULL,
        boot_id TEXT NOT NULL,
        monotonic_ns BIGINT NOT NULL,
        recorded_ms BIGINT NOT NULL,
        time_corrected INTEGER NOT NULL DEFAULT 0,
        is_current INTEGER NOT NULL DEFAULT 0,
        crossing_ms BIGINT,
        crossing_day INTEGER,
        received_at TEXT NOT NULL,
        payload TEXT NOT NULL,"""
    + ",".join(f"\n        {name} {decl}" for name, decl in ADDED_COLUMNS)
    + "\n    )",
    # covering indexes of the report's GROUP BYs: a range scan reads no table pages
    "DROP INDEX IF EXISTS records_report",  # the first release's, without decision
    "CREATE INDEX IF NOT EXISTS records_cells ON records (is_current, crossing_day, direction,"
    " sex, age_band, nationality, border_post, decision, capture_method, minor, has_tips,"
    " crossing_ms)",
    "DROP INDEX IF EXISTS records_breakdown",  # the release before category_source
    "CREATE INDEX IF NOT EXISTS records_breakdowns ON records (is_current, crossing_day,"
    " direction, border_post, decision, refusal_reason, traveller_category, purpose, stay_band,"
    " residence, transport_mode, category_source, unaccompanied, crossing_ms)",
    # referrals are rare: a partial index keeps their count off the big index
    "CREATE INDEX IF NOT EXISTS records_referred ON records (crossing_day, crossing_ms,"
    " border_post, tip_referral) WHERE is_current = 1 AND tip_referral <> 'NONE'",
    "CREATE INDEX IF NOT EXISTS records_root ON records (root_id)",
    "CREATE INDEX IF NOT EXISTS records_boot ON records (terminal_id, boot_id, clock_synced)",
    """CREATE TABLE IF NOT EXISTS record_indicators (
        record_id TEXT NOT NULL,
        indicator TEXT NOT NULL,
        PRIMARY KEY (record_id, indicator)
    )""",
    """CREATE TABLE IF NOT EXISTS rejected (
        id INTEGER PRIMARY KEY,
        received_at TEXT NOT NULL,
        topic TEXT NOT NULL,
        reason TEXT NOT NULL,
        payload TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS clock_offsets (
        terminal_id TEXT NOT NULL,
        boot_id TEXT NOT NULL,
        offset_ns BIGINT NOT NULL,
        heartbeat_at TEXT NOT NULL,
        PRIMARY KEY (terminal_id, boot_id)
    )""",
    """CREATE TABLE IF NOT EXISTS counters (
        name TEXT PRIMARY KEY,
        value BIGINT NOT NULL
    )""",
    # the latest heartbeat of each terminal (counts and states, no personal data): what the
    # console's operations page and `imdms doctor --central` show
    """CREATE TABLE IF NOT EXISTS terminal_status (
        terminal_id TEXT PRIMARY KEY,
        border_post TEXT NOT NULL,
        received_at TEXT NOT NULL,
        payload TEXT NOT NULL
    )""",
    *PHOTO_SCHEMA,  # photos of crossings, off the payload (central/photos.py)
)
MAX_REJECTED_PAYLOAD = 65536
MAX_MESSAGE_BYTES = 262_144  # a crossing is ~1 KB; anything this big is not one
DAY_OFFSET_MINUTES = DEFAULT_UTC_OFFSET_MINUTES  # crossing_day's local time


def day_number(ms: int, utc_offset_minutes: int = DAY_OFFSET_MINUTES) -> int:
    """Local day number of an instant: floor((ms/1000 + offset) / 86400), as records.stats."""
    return (ms // 1000 + utc_offset_minutes * 60) // 86_400


RECORD_COLUMNS = (
    "INSERT INTO records (record_id, terminal_id, border_post, direction, capture_method,"
    f" sex, nationality, {', '.join(DERIVED_COLUMNS)}, has_tips, tip_referral, amends,"
    " root_id, clock_synced, boot_id, monotonic_ns, recorded_ms, time_corrected,"
    " received_at, payload, is_current, crossing_ms, crossing_day) VALUES "
)
RECORD_WIDTH = 21 + len(DERIVED_COLUMNS)
ON_RECORD_CONFLICT = " ON CONFLICT (record_id) DO NOTHING"
INSERT_RECORD = (RECORD_COLUMNS + "(" + ", ".join(["?"] * RECORD_WIDTH) + ")"
                 + ON_RECORD_CONFLICT)
ROWS_PER_INSERT = 200  # 200 x 45 values: under SQLite's and PostgreSQL's parameter limits


def record_row(data: dict[str, Any], recorded_ms: int, root: str,
               corrected: bool) -> tuple[Any, ...]:
    """INSERT_RECORD's values; an original (no amends) goes in current, dated by its time."""
    alone = not data.get("amends")
    return (
        data["record_id"],
        data["terminal_id"],
        data["border_post"],
        data["direction"],
        data["capture_method"],
        int(data["sex"]),
        data.get("nationality"),
        *derived_columns(data, recorded_ms),  # a lone original crosses at recorded_ms
        int(bool(data.get("tip_indicators"))),
        data.get("tip_referral") or "NONE",
        data.get("amends"),
        root,
        int(bool(data["clock_synced"])),
        data["boot_id"],
        data["monotonic_ns"],
        recorded_ms,
        int(corrected),
        utc_now_iso(),
        canonical_text(data),
        int(alone),
        recorded_ms if alone else None,
        day_number(recorded_ms) if alone else None,
    )


@dataclass(frozen=True)
class Ingested:
    """What ingest did: "stored", "duplicate" or "rejected" (with the reason); record: the
    stored or duplicate crossing as parsed (its id goes into the commit receipt)."""

    outcome: str
    reason: str | None = None
    record: dict[str, Any] | None = field(default=None, repr=False, compare=False)


def compact_reason(message: str, limit: int = 500) -> str:
    """A schema error with repeated problems counted ("a: required x49; b: pattern")."""
    head, sep, tail = message.partition(": ")
    if not sep:
        return message[:limit]
    counts: dict[str, int] = {}
    for part in tail.split("; "):
        counts[part] = counts.get(part, 0) + 1
    parts = [p if n == 1 else f"{p} x{n}" for p, n in counts.items()]
    return (head + ": " + "; ".join(parts))[:limit]


class Database:
    """One connection to the central store. Not thread-safe: one thread uses it.

    Writes happen in the open transaction; call commit() (the collector does, per batch).
    """

    def __init__(self, url: str, *, create: bool = True) -> None:
        """Open the store; create: make missing tables (off for a read-only report user)."""
        self.url = url
        self.postgres = is_postgres_url(url)
        self._heartbeat_warned: set[str] = set()
        self._conn: Any = connect_postgres(url) if self.postgres else connect_sqlite(url)
        try:
            if create:
                self._create_schema()
        except Exception as err:
            if not is_db_error(err):
                raise
            self._conn.close()
            raise ImdmsError(
                f"cannot create the central tables: {self.describe(err)}",
                "check that the database user may create tables in this database",
            ) from err

    def describe(self, err: BaseException) -> str:
        """The driver's or server's reason for a failure, fit for the technician."""
        return describe(err, url_password(self.url))

    def connection_lost(self) -> bool:
        """PostgreSQL only: the connection is gone (restart, terminated backend)."""
        return self.postgres and is_connection_lost(self._conn)

    def reconnect(self) -> None:
        """Replace a lost PostgreSQL connection. Raises ImdmsError while the server is away."""
        try:
            self._conn.close()
        except Exception:  # already dead: nothing to close
            pass
        self._conn = connect_postgres(self.url)

    def _create_schema(self) -> None:
        if self.postgres:  # collectors starting together would race on CREATE TABLE
            self._conn.execute("SELECT pg_advisory_xact_lock(hashtext('imdms-schema'))")
        for i, stmt in enumerate(SCHEMA):
            if self.postgres:
                stmt = stmt.replace("id INTEGER PRIMARY KEY", "id BIGSERIAL PRIMARY KEY")
            self._conn.execute(stmt)
            if i == 0:
                self._add_columns()
        self.commit()

    def _add_columns(self) -> None:
        """Bring a table made by an older release up to date: add the report's new columns
        and fill them on current rows from the stored payloads (once; may take a while)."""
        have = {d[0] for d in self.execute("SELECT * FROM records WHERE 1 = 0").description}
        missing = [(n, d) for n, d in ADDED_COLUMNS if n not in have]
        if not missing:
            return
        for name, decl in missing:
            self._conn.execute(f"ALTER TABLE records ADD COLUMN {name} {decl}")
        rows = self.query(
            "SELECT record_id, crossing_ms, payload FROM records WHERE is_current = 1"
        )
        log.info("adding report columns to %d stored crossings", len(rows))
        for rid, ms, payload in rows:
            self._set_derived(str(rid), json.loads(payload), int(ms))

    # -- low level ---------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self.postgres:
            sql = sql.replace("?", "%s")
        return self._conn.execute(sql, params)

    def insert_rows(self, head: str, width: int, rows: Sequence[Sequence[Any]],
                    tail: str = "") -> None:
        """`head` + one multi-row VALUES list + `tail` per ROWS_PER_INSERT rows: one round trip
        each. Not executemany: psycopg pipelines that, and a connection cut mid-pipeline loses
        the server's reason ("consuming input failed" instead of the FATAL message)."""
        one = "(" + ", ".join(["?"] * width) + ")"
        for start in range(0, len(rows), ROWS_PER_INSERT):
            part = rows[start : start + ROWS_PER_INSERT]
            self.execute(head + ", ".join([one] * len(part)) + tail,
                         [v for row in part for v in row])

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.execute(sql, params).fetchall())

    def commit(self) -> None:
        self._conn.commit()

    def rollback(self) -> None:
        self._conn.rollback()

    def is_db_error(self, err: BaseException) -> bool:
        """An error of the database driver (outage or refused value; see central.dberrors)."""
        return is_db_error(err)

    def lock_for_ingest(self) -> None:
        """PostgreSQL: one collector's batch at a time (held until commit or rollback).

        An original and its amendment may reach two collectors at once; each would miss the
        other's uncommitted row and both rows would stay current. SQLite already serialises
        writers (a stale snapshot fails and the batch is retried).
        """
        if self.postgres:
            self._conn.execute("SELECT pg_advisory_xact_lock(hashtext('imdms-ingest'))")

    @contextmanager
    def savepoint(self, name: str = "one_message") -> Iterator[None]:
        """Undo one message's (or one batch's) writes if it fails, keeping the rest."""
        if not self.postgres and not self._conn.in_transaction:
            self._conn.execute("BEGIN")
        self._conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException as err:
            if self.connection_lost():
                raise  # nothing to undo on a dead connection; keep the server's reason
            try:
                self._conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                self._conn.execute(f"RELEASE SAVEPOINT {name}")
            except Exception as undo:
                raise undo from err
            raise
        self._conn.execute(f"RELEASE SAVEPOINT {name}")

    def close(self) -> None:
        try:
            self._conn.commit()
        finally:
            self._conn.close()

    def bump(self, name: str, by: int = 1) -> None:
        self.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value",
            (name, by),
        )

    def counter(self, name: str) -> int:
        rows = self.query("SELECT value FROM counters WHERE name = ?", (name,))
        return int(rows[0][0]) if rows else 0

    # -- ingest ------------------------------------------------------------------------------
    def reject(self, topic: str, payload: bytes, reason: str) -> Ingested:
        """Keep a bad message for a technician (first 64 KiB, losslessly: see payload_text)."""
        topic, reason = safe_text(topic), safe_text(reason)
        self.execute(
            "INSERT INTO rejected (received_at, topic, reason, payload) VALUES (?, ?, ?, ?)",
            (utc_now_iso(), topic, reason, payload_text(payload[:MAX_REJECTED_PAYLOAD])),
        )
        log.warning("rejected a message on %s: %s", topic, reason)
        return Ingested("rejected", reason)

    def _parse(
        self, topic: str, payload: bytes, *, values: bool = True
    ) -> tuple[dict[str, Any] | None, Ingested | None]:
        """The message as a JSON object the store can hold, or its rejection (values=False:
        the caller checks the values itself)."""
        if len(payload) > MAX_MESSAGE_BYTES:
            return None, self.reject(
                topic, payload, f"too large: {len(payload)} bytes (limit {MAX_MESSAGE_BYTES})"
            )
        try:
            data = json.loads(payload)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None, self.reject(topic, payload, "not JSON")
        if not isinstance(data, dict):
            return None, self.reject(topic, payload, "not a JSON object")
        bad = unstorable(data) if values else None
        if bad is not None:
            return None, self.reject(topic, payload, bad)
        return data, None

    def ingest(
        self,
        payload: bytes,
        *,
        topic: str = "",
        post: str | None = None,
        terminal: str | None = None,
        parsed: dict[str, Any] | None = None,
    ) -> Ingested:
        """Validate and store one crossing message; duplicates and bad messages are not stored.

        post/terminal: from the topic; a record claiming another post or terminal is rejected
        (the broker's ACL authenticates the topic, not the payload).
        parsed: the payload already parsed (an opened crossing-v2, central/unseal.py: its
        sealed form was size-checked), so it is not parsed twice; a rejection then keeps the
        parsed record as canonical JSON, as it kept the opened payload before.
        """
        checked = self.check(payload, topic=topic, post=post, terminal=terminal, parsed=parsed)
        return checked if isinstance(checked, Ingested) else self.store(checked)

    def check(
        self,
        payload: bytes,
        *,
        topic: str = "",
        post: str | None = None,
        terminal: str | None = None,
        parsed: dict[str, Any] | None = None,
    ) -> dict[str, Any] | Ingested:
        """ingest() without the storing: the valid record, or its rejection (recorded)."""
        if parsed is None:
            data, rejected = self._parse(topic, payload, values=False)
            if data is None:
                assert rejected is not None
                return rejected
        else:
            data = parsed

        def refuse(reason: str) -> Ingested:
            kept = payload if parsed is None else canonical_text(data).encode("utf-8")
            return self.reject(topic, kept, reason)

        if not plainly_valid(data):  # the full checks, in their order, with their reasons
            bad = unstorable(data)
            if bad is not None:
                return refuse(bad)
            try:
                validate_record(data)
            except SchemaError as err:
                return refuse(compact_reason(err.message))
        try:  # the schema's date-time format is only checked when rfc3339-validator is installed
            instant_ms(data["recorded_at"])
        except ValueError:
            return refuse("recorded_at: not an ISO 8601 date-time")
        if (post is not None and data["border_post"] != post) or (
            terminal is not None and data["terminal_id"] != terminal
        ):
            return refuse("border_post/terminal_id differ from the topic")
        return data

    def store(self, data: dict[str, Any]) -> Ingested:
        """Store one valid record dict (validated by the caller); its photos go to their own
        table and never reach the payload (central/photos.py)."""
        data, photos = split_photos(data)
        done = self._store_record(data)
        if photos and done.outcome == "stored":
            store_photos(self, data["record_id"], photos, instant_ms(data["recorded_at"]))
        return done

    def _store_record(self, data: dict[str, Any]) -> Ingested:
        rid = data["record_id"]
        recorded_ms = instant_ms(data["recorded_at"])
        corrected = False
        if not data["clock_synced"]:
            offset = self.clock_offset(data["terminal_id"], data["boot_id"])
            if offset is not None:
                recorded_ms = (data["monotonic_ns"] + offset) // 1_000_000
                corrected = True
        amends = data.get("amends")
        root = rid
        if amends:
            rows = self.query("SELECT root_id FROM records WHERE record_id = ?", (amends,))
            root = rows[0][0] if rows else amends
        # an original goes in current, dated by its own time: right unless amendments came
        # first (then refresh_winner below decides), and saves two statements per crossing
        alone = not amends
        cur = self.execute(INSERT_RECORD, record_row(data, recorded_ms, root, corrected))
        if cur.rowcount == 0:
            self.bump("duplicates")
            return Ingested("duplicate", record=data)
        for tip in sorted(set(data.get("tip_indicators") or ())):
            self.execute(
                "INSERT INTO record_indicators (record_id, indicator) VALUES (?, ?)", (rid, tip)
            )
        # amendments that arrived before this record now belong to this record's crossing
        moved = self.execute(
            "UPDATE records SET root_id = ? WHERE root_id = ? AND record_id <> ?", (root, rid, rid)
        ).rowcount
        if not alone or moved:
            self.refresh_winner(root, data)
        return Ingested("stored", record=data)

    def _set_derived(self, record_id: str, data: dict[str, Any], crossing_ms: int) -> None:
        self.execute(
            "UPDATE records SET "
            + ", ".join(f"{c} = ?" for c in DERIVED_COLUMNS)
            + " WHERE record_id = ?",
            (*derived_columns(data, crossing_ms), record_id),
        )

    def _payload(self, record_id: str) -> dict[str, Any]:
        rows = self.query("SELECT payload FROM records WHERE record_id = ?", (record_id,))
        data: dict[str, Any] = json.loads(rows[0][0])
        return data

    def refresh_winner(self, root: str, stored: dict[str, Any] | None = None) -> None:
        """Mark the winning version of one crossing current and give it the crossing time, and
        the age at that time. stored: the record just inserted (its columns are already dated
        from its own recorded_ms, the crossing time when it is a lone original)."""
        rows = self.query(
            "SELECT record_id, amends IS NOT NULL, recorded_ms, is_current FROM records"
            " WHERE root_id = ?",
            (root,),
        )
        if len(rows) == 1 and rows[0][0] == root:  # the common case: a lone original
            ms = int(rows[0][2])
            self.execute(
                "UPDATE records SET is_current = 1, crossing_ms = ?, crossing_day = ?"
                " WHERE record_id = ?",
                (ms, day_number(ms), root),
            )
            if stored is None:  # the time was corrected: so is the age
                self._set_derived(root, self._payload(root), ms)
            return
        winner = max(rows, key=lambda r: (bool(r[1]), int(r[2]), str(r[0])))
        root_row = [r for r in rows if r[0] == root]
        crossing_ms = int(root_row[0][2]) if root_row else int(winner[2])
        self.execute(
            "UPDATE records SET is_current = 0, crossing_ms = NULL, crossing_day = NULL"
            " WHERE root_id = ?"
            " AND record_id <> ?",
            (root, winner[0]),
        )
        if winner[1] and self._is_void(str(winner[0])):  # a void amendment: counted nowhere
            self.execute(
                "UPDATE records SET is_current = 0, crossing_ms = NULL, crossing_day = NULL"
                " WHERE record_id = ?",
                (winner[0],),
            )
            return
        self.execute(
            "UPDATE records SET is_current = 1, crossing_ms = ?, crossing_day = ?"
            " WHERE record_id = ?",
            (crossing_ms, day_number(crossing_ms), winner[0]),
        )
        wid = str(winner[0])
        data = stored if stored is not None and stored["record_id"] == wid else self._payload(wid)
        self._set_derived(wid, data, crossing_ms)

    def _is_void(self, record_id: str) -> bool:
        rows = self.query("SELECT payload FROM records WHERE record_id = ?", (record_id,))
        return bool(rows) and is_void(json.loads(rows[0][0]))

    # -- clocks ------------------------------------------------------------------------------
    def clock_offset(self, terminal_id: str, boot: str) -> int | None:
        rows = self.query(
            "SELECT offset_ns FROM clock_offsets WHERE terminal_id = ? AND boot_id = ?",
            (terminal_id, boot),
        )
        return int(rows[0][0]) if rows else None

    def ingest_heartbeat(
        self, payload: bytes, *, topic: str = "", terminal: str | None = None
    ) -> Ingested:
        """A heartbeat the store cannot hold (not JSON, NUL, ...) is rejected; else heartbeat()."""
        data, rejected = self._parse(topic, payload)
        if data is None:
            assert rejected is not None
            return rejected
        self.heartbeat(payload, topic=topic, terminal=terminal)
        return Ingested("heartbeat")

    def heartbeat(self, payload: bytes, *, topic: str = "", terminal: str | None = None) -> bool:
        """Learn a terminal's clock offset from a synchronised heartbeat and correct the times
        of records it made earlier in the same boot with an unsynchronised clock.

        Needs boot_id, monotonic_ns, clock_synced and the wall time sent_at sampled together (the
        schema shared with the forwarder: messaging/heartbeat.py).
        Returns True when it corrected or learnt something. Bad heartbeats are ignored (logged).
        """
        from messaging.heartbeat import parse as parse_heartbeat

        try:
            hb = parse_heartbeat(payload)  # the time is the schema's one key, sent_at
            terminal_id = str(hb.terminal_id or terminal)
            boot, mono, synced, wall = hb.boot_id, hb.monotonic_ns, hb.clock_synced, hb.sent_at
            wall_ns = instant_ms(wall) * 1_000_000
        except (ValueError, TypeError):
            if topic not in self._heartbeat_warned:  # once per terminal, not every minute
                self._heartbeat_warned.add(topic)
                log.warning(
                    "heartbeats on %s carry no boot_id/monotonic_ns/sent_at: unsynchronised "
                    "clocks of that terminal cannot be corrected",
                    topic,
                )
            return False
        if terminal_id and terminal_id != "None":
            self.execute(
                "INSERT INTO terminal_status (terminal_id, border_post, received_at, payload)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (terminal_id) DO UPDATE SET"
                " border_post = excluded.border_post, received_at = excluded.received_at,"
                " payload = excluded.payload",
                (terminal_id, str(hb.border_post or ""), utc_now_iso(),
                 json.dumps(hb.to_dict(), sort_keys=True)),
            )
        if synced is not True or not terminal_id or terminal_id == "None":
            return False
        if self.clock_offset(terminal_id, boot) is not None:
            return False  # the first synchronised heartbeat of a boot sets the offset
        offset = wall_ns - mono
        self.execute(
            "INSERT INTO clock_offsets (terminal_id, boot_id, offset_ns, heartbeat_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (terminal_id, boot_id) DO NOTHING",
            (terminal_id, boot, offset, wall),
        )
        rows = self.query(
            "SELECT record_id, root_id, monotonic_ns FROM records WHERE terminal_id = ?"
            " AND boot_id = ? AND clock_synced = 0 AND time_corrected = 0",
            (terminal_id, boot),
        )
        roots = set()
        for rid, root, m in rows:
            self.execute(
                "UPDATE records SET recorded_ms = ?, time_corrected = 1 WHERE record_id = ?",
                ((int(m) + offset) // 1_000_000, rid),
            )
            roots.add(root)
        for root in roots:
            self.refresh_winner(root)
        if rows:
            log.info("corrected the time of %d records of terminal %s", len(rows), terminal_id)
        return True

    # -- reading -----------------------------------------------------------------------------
    def iter_records(self, current_only: bool = False) -> Iterator[dict[str, Any]]:
        """Stored records as wire dicts, recorded_at replaced by the corrected time if any."""
        sql = "SELECT payload, recorded_ms, time_corrected FROM records"
        if current_only:
            sql += " WHERE is_current = 1"
        for payload, ms, corrected in self.execute(sql + " ORDER BY record_id"):
            data: dict[str, Any] = json.loads(payload)
            if corrected:
                data["recorded_at"] = ms_to_iso(int(ms))
            yield data

    def rejected(self) -> list[tuple[str, str]]:
        """(topic, reason) of every rejected message, oldest first."""
        return [
            (str(t), str(r))
            for t, r in self.query("SELECT topic, reason FROM rejected ORDER BY id")
        ]

"""Bookkeeping of the chaos tests: what add() accepted, what the centre received, the table.

The booth player's file lists what the officer was told "saved"; imports that the CLI
reported as queued are added here; the centre's file lists every delivery (with a hash of
the payload, so a duplicate with other bytes shows up as a conflict).
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

HEADER = ("scenario", "expected", "received", "missing", "duplicates", "bound", "notes")


@dataclass
class Row:
    scenario: str
    expected: int
    received: int
    missing: int
    duplicates: int
    bound: int
    notes: list[str] = field(default_factory=list)
    pending: int | None = None  # `imdms outbox status` at the end
    conflicts: int = 0  # ids delivered with different bytes
    problems: list[str] = field(default_factory=list)  # tracebacks, crashed processes

    def cells(self) -> tuple[str, ...]:
        return (self.scenario, str(self.expected), str(self.received), str(self.missing),
                str(self.duplicates), str(self.bound), "; ".join(self.problems + self.notes))

    @property
    def passed(self) -> bool:
        return (self.missing == 0 and self.pending == 0 and self.duplicates <= self.bound
                and self.conflicts == 0 and not self.problems)


def table(rows: Iterable[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines)


class Ledger:
    def __init__(self, booth_file: Path, centre_file: Path) -> None:
        self.booth_file = booth_file
        self.centre_file = centre_file
        self._lock = threading.Lock()
        self._imported: set[str] = set()
        self._offset = 0
        self._deliveries: list[tuple[str, str]] = []
        self._heartbeats: list[str] = []

    def add_imported(self, ids: Iterable[str]) -> None:
        with self._lock:
            self._imported.update(ids)

    def booth_lines(self) -> list[tuple[str, str]]:
        if not self.booth_file.exists():
            return []
        out = []
        for line in self.booth_file.read_text().splitlines():
            parts = line.split()
            if len(parts) == 2:
                out.append((parts[0], parts[1]))
        return out

    def accepted(self) -> dict[str, str]:
        """record_id -> kind ("normal", a poison kind, "imported") of everything accepted."""
        found = {rid: kind for rid, kind in self.booth_lines() if not kind.startswith("refused")}
        with self._lock:
            found.update((rid, "imported") for rid in self._imported)
        return found

    def refused(self) -> Counter[str]:
        return Counter(kind for _rid, kind in self.booth_lines() if kind.startswith("refused"))

    def centre_text(self) -> str:
        return self.centre_file.read_text() if self.centre_file.exists() else ""

    def _read_centre(self) -> None:
        """Parse what the centre appended since the last call (complete lines only)."""
        if not self.centre_file.exists():
            return
        with self.centre_file.open("rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        end = chunk.rfind(b"\n") + 1
        self._offset += end
        for line in chunk[:end].decode().splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "C":
                self._deliveries.append((parts[1], parts[2]))
            elif len(parts) == 2 and parts[0] == "H":
                self._heartbeats.append(parts[1])

    def deliveries(self) -> list[tuple[str, str]]:
        """(record_id, payload hash) per crossing the centre received, in arrival order."""
        with self._lock:
            self._read_centre()
            return list(self._deliveries)

    def heartbeats(self) -> list[str]:
        """The sent_at of every heartbeat the centre received."""
        with self._lock:
            self._read_centre()
            return list(self._heartbeats)

    def received_ids(self) -> set[str]:
        return {rid for rid, _h in self.deliveries()}


def whereabouts(db_path: Path, ids: set[str]) -> str:
    """Where the missing records are in the outbox file (after every process stopped)."""
    if not ids:
        return ""
    try:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            counts = {}
            for table_name in ("outbox", "sent", "quarantine"):
                rows = db.execute(f"SELECT record_id FROM {table_name}").fetchall()  # noqa: S608
                # tombstones may keep the id as the UUID's 16 bytes
                stored = {str(uuid.UUID(bytes=r[0])) if isinstance(r[0], bytes) else r[0]
                          for r in rows}
                counts[table_name] = len(ids & stored)
            integrity = db.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error as err:
        return f"outbox file unreadable ({err.__class__.__name__}: {err})"
    nowhere = len(ids) - sum(counts.values())
    return (f"missing ones: {counts['outbox']} pending, {counts['sent']} in sent, "
            f"{counts['quarantine']} quarantined, {nowhere} nowhere in the file; "
            f"quick_check: {integrity}")


def in_sent(db_path: Path, ids: set[str]) -> set[str]:
    """Those of `ids` whose tombstone is in `sent`: the broker PUBACKed them (all processes
    stopped)."""
    if not ids:
        return set()
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT record_id FROM sent").fetchall()
    finally:
        db.close()
    stored = {str(uuid.UUID(bytes=r[0])) if isinstance(r[0], bytes) else r[0] for r in rows}
    return ids & stored

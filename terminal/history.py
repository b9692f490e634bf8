"""The booth's history question (issue 18 item 4): ask the centre through this terminal's
forwarder (messaging/history_relay: <data_dir>/history.sock), give up after 1 s, and otherwise
fall back to what this booth itself saw of the document in the last 30 days.

No Textual here: terminal/history_panel.py runs `ask()` in a worker and shows the result. The
question is sealed here (messaging/history_wire), with the reply key in this process's memory
only; the local memory is a digest of the document -> times and directions, memory only, gone
with the process (issue 20 item 1).
"""

from __future__ import annotations

import socket
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from messaging.history_relay import SOCKET_FILE
from messaging.history_wire import Answer, Document, ask, open_answer
from messaging.seal import Sealer
from ocr.mrz import MrzRecord
from records.record import CrossingRecord
from records.rules import partial_iso
from terminal.saving import document_key

TIMEOUT_S = 1.0  # issue 18: "answer within 1 s or give up"
LOCAL_DAYS = 30
KEEP_DOCS = 20_000
KEEP_EACH = 5


@dataclass(frozen=True, slots=True)
class Seen:
    at: str  # recorded_at, ISO UTC
    direction: str


class LocalHistory:
    """What this booth saved per document (digest only), the last KEEP_EACH each."""

    def __init__(self, keep: int = KEEP_DOCS) -> None:
        self._keep = keep
        self._seen: OrderedDict[str, list[Seen]] = OrderedDict()

    def remember(self, record: CrossingRecord) -> None:
        key = document_key(record)
        if key is None or record.void is not None:
            return
        seen = self._seen.pop(key, [])
        seen = [s for s in seen if s.at != record.recorded_at] + [
            Seen(record.recorded_at, record.direction.value)]
        self._seen[key] = seen[-KEEP_EACH:]
        while len(self._seen) > self._keep:
            self._seen.popitem(last=False)

    def recent(self, mrz: MrzRecord | None, now: datetime | None = None) -> list[Seen]:
        key = document_key(mrz)
        if key is None:
            return []
        since = (now or datetime.now(UTC)) - timedelta(days=LOCAL_DAYS)
        cut = since.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return [s for s in self._seen.get(key, []) if s.at >= cut]


def document_of(mrz: MrzRecord) -> Document | None:
    if not mrz.document_number or not mrz.issuing_state:
        return None
    dob = partial_iso(mrz.date_of_birth) if mrz.date_of_birth is not None else None
    return Document(mrz.issuing_state, mrz.document_number, dob if dob and len(dob) == 10
                    else None)


class HistoryClient:
    """Asks the centre through the forwarder's socket; None means "history unavailable"."""

    def __init__(self, data_dir: Path | None, sealer: Sealer | None,
                 timeout_s: float = TIMEOUT_S) -> None:
        self.path = None if data_dir is None else Path(data_dir) / SOCKET_FILE
        self.sealer = sealer
        self.timeout_s = timeout_s

    @property
    def possible(self) -> bool:
        return self.path is not None and self.sealer is not None and self.path.exists()

    def ask(self, mrz: MrzRecord) -> Answer | None:
        doc = document_of(mrz)
        return None if doc is None else self.ask_document(doc)

    def ask_document(self, doc: Document) -> Answer | None:
        if self.sealer is None or self.path is None:
            return None
        question = ask(self.sealer, doc)
        deadline = time.monotonic() + self.timeout_s
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(self.timeout_s)
                conn.connect(str(self.path))
                conn.sendall(question.payload + b"\n")
                buf = b""
                while not buf.endswith(b"\n"):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return None
                    conn.settimeout(left)
                    chunk = conn.recv(16_384)
                    if not chunk:
                        return None  # the forwarder is offline (or dropped the question)
                    buf += chunk
        except OSError:  # no forwarder, or the 1 s passed
            return None
        try:
            return open_answer(question, buf.strip())
        except ValueError:
            return None

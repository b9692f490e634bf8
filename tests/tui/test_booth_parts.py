"""The rooms beside the booth app: the reader pump, the status text with receipts, the reader
states written for the heartbeat, and the typed read failure and summary keys."""

from __future__ import annotations

import dataclasses
import json
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from drivers.base import DocumentRead, ReaderState, ReaderStatus, ReadFailure
from drivers.fake import FakeReader
from imdms.errors import ReaderIOError
from messaging.health import write_reader_state
from records.stats import CellKey
from terminal.pump import ReaderPump
from terminal.status import QueueStatus, read_queue
from tests.helpers import wait_for
from tests.tui.helpers import BoothFactory, sign_in


def test_pump_reports_one_failure_per_outage_and_every_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("terminal.pump.RETRY_S", 0.01)
    reader = FakeReader(name="mrz")
    stop = threading.Event()
    states: list[ReaderState] = []
    reads: list[DocumentRead] = []
    failures: list[tuple[str, ...]] = []
    pump = ReaderPump(reader, timeout_s=0.01, stop=stop, on_state=lambda _n, s: states.append(s),
                      on_read=reads.append, on_failure=lambda *f: failures.append(f))
    for _ in range(2):  # one outage, two failed reads
        reader.feed(ReaderIOError("the reader was unplugged", "plug it back in"))
    reader.feed(DocumentRead("fake", "mrz", error="garbled"))
    worker = threading.Thread(target=pump.run, daemon=True)
    worker.start()
    for _ in range(500):
        if reads:
            break
        stop.wait(0.01)
    stop.set()
    worker.join(2)
    reader.close()
    assert not worker.is_alive()
    assert failures == [("Reader 'mrz' failed", "the reader was unplugged", "plug it back in")]
    assert [s.status for s in states] == [ReaderStatus.ERROR, ReaderStatus.CONNECTED]
    assert [r.error for r in reads] == ["garbled"] and pump.error is None


def test_queue_text_shows_receipts_only_when_on() -> None:
    off = QueueStatus(4, awaiting_receipt=3, oldest_unreceipted_age_s=754)
    assert off.text == "4 to send"
    on = dataclasses.replace(off, receipts=True)
    assert on.text == "4 to send, 3 await receipt (oldest 12m)"
    assert dataclasses.replace(on, awaiting_receipt=0).text == "4 to send"


def test_reader_states_file_is_private_and_whole(tmp_path: Path) -> None:
    write_reader_state(tmp_path / "data", {"mrz": "connected", "chip": "error"})
    path = tmp_path / "data" / "reader-state.json"
    assert json.loads(path.read_text()) == {"chip": "error", "mrz": "connected"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["reader-state.json"]  # no temp left


def test_read_failure_is_typed_also_from_extra() -> None:
    old_style = DocumentRead("chip", "chip", error="card removed",
                             extra={"kind": "card_removed", "hint": "put it back",
                                    "resumable": True})
    assert old_style.failure == ReadFailure("card_removed", "put it back", resumable=True)
    assert DocumentRead("fake", "mrz").failure is None


def test_cell_key_parts_and_wire_form() -> None:
    key = CellKey.parse("ENTRY|FEMALE|30-34|LSO|MAPUTSOE")
    assert key.direction == "ENTRY" and str(key) == "ENTRY|FEMALE|30-34|LSO|MAPUTSOE"
    dims = ("direction", "sex", "age_band", "nationality", "border_post")
    assert key.named(dims)["border_post"] == "MAPUTSOE"


class ReceiptsOutbox:
    """The real outbox, with records awaiting their receipt."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def status(self) -> Any:
        return dataclasses.replace(self.real.status(), awaiting_receipt=2,
                                   oldest_unreceipted_age_s=300.0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


async def test_booth_writes_reader_states_and_shows_receipts(make_booth: BoothFactory,
                                                             tmp_path: Path) -> None:
    from messaging.outbox import Outbox

    booth = make_booth(outbox=ReceiptsOutbox(Outbox(tmp_path / "r.sqlite3")))
    booth.app.settings.receipts = True
    path = booth.data_dir / "reader-state.json"
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await wait_for(pilot, lambda: path.exists())
        assert json.loads(path.read_text()) == {"mrz": "connected"}
        assert "2 await receipt (oldest 5m)" in str(booth.app.queue.text)
        booth.reader.set_state(ReaderStatus.DISCONNECTED, "USB cable unplugged")
        booth.app.refresh_status()
        assert json.loads(path.read_text()) == {"mrz": "disconnected"}
    assert read_queue(booth.outbox).receipt_text == ""  # receipts off: nothing said

"""One ReaderContract suite, run on every backend (python-can back2back style).

Each subclass says how to build its reader and how to present a document to it; the behaviour
the terminal relies on (timeouts, close from another thread, one DocumentRead per document,
failed reads with a reason) is asserted once, here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from config.models import SerialMrzConfig, SimulatorConfig
from drivers.base import DocumentRead, DocumentReader, ReaderStatus
from drivers.fake import FakeReader
from drivers.framing import encode
from drivers.serial_mrz import SerialMrzReader
from drivers.simulator import SimulatorReader
from drivers.wedge import WedgeReader
from ocr.specimens import specimens
from tests.drivers.conftest import Pty, wait_for

SPECIMENS = specimens()


class ReaderContract:
    source = ""

    def make_reader(self) -> DocumentReader:
        raise NotImplementedError

    def present(self, reader: DocumentReader, lines: Sequence[str]) -> None:
        raise NotImplementedError

    @pytest.fixture
    def reader(self) -> Iterator[DocumentReader]:
        reader = self.make_reader()
        assert wait_for(lambda: reader.state.status is ReaderStatus.CONNECTED)
        yield reader
        reader.close()

    def read_one(self, reader: DocumentReader) -> DocumentRead:
        got = reader.read(5)
        assert got is not None, "no DocumentRead within 5 s"
        return got

    def test_context_manager_closes(self) -> None:
        with self.make_reader() as reader:
            assert not reader.closed
        assert reader.closed

    def test_close_is_idempotent_and_read_after_close_is_none(self) -> None:
        reader = self.make_reader()
        reader.close()
        reader.close()
        assert reader.read(0.01) is None
        assert reader.read(None) is None

    def test_read_times_out_with_none(self, reader: DocumentReader) -> None:
        start = time.monotonic()
        assert reader.read(0.1) is None
        assert 0.09 <= time.monotonic() - start < 1.0

    def test_close_from_another_thread_wakes_read(self, reader: DocumentReader) -> None:
        results: list[DocumentRead | None] = []
        thread = threading.Thread(target=lambda: results.append(reader.read(None)))
        thread.start()
        time.sleep(0.05)
        reader.close()
        thread.join(2)
        assert not thread.is_alive() and results == [None]

    @pytest.mark.parametrize("name", ["lso_passport", "zaf_id_card", "td2_document"])
    def test_valid_document(self, reader: DocumentReader, name: str) -> None:
        lines = SPECIMENS[name]
        self.present(reader, lines)
        got = self.read_one(reader)
        assert got.ok and got.error is None
        assert got.source == self.source and got.reader_name == reader.name
        assert got.raw_lines == tuple(lines)
        assert got.mrz is not None and got.mrz.valid
        assert got.started_at <= got.finished_at
        assert got.to_json()["ok"] is True

    def test_bad_check_digit_is_read_but_invalid(self, reader: DocumentReader) -> None:
        self.present(reader, SPECIMENS["bad_check_digit"])
        got = self.read_one(reader)
        assert got.ok and got.mrz is not None and not got.mrz.valid

    def test_unreadable_characters_fail_with_reason(self, reader: DocumentReader) -> None:
        lines = list(SPECIMENS["lso_passport"])
        lines[1] = "?" + lines[1][1:]
        self.present(reader, lines)
        got = self.read_one(reader)
        assert not got.ok and "unreadable characters" in (got.error or "")

    def test_documents_in_order(self, reader: DocumentReader) -> None:
        names = ["lso_passport", "minor_passport", "expired_passport"]
        for name in names:
            self.present(reader, SPECIMENS[name])
        got = [self.read_one(reader).raw_lines for _ in names]
        assert got == [tuple(SPECIMENS[n]) for n in names]


class TestFakeReader(ReaderContract):
    source = "fake"

    def make_reader(self) -> DocumentReader:
        return FakeReader(None, name="fake")

    def present(self, reader: DocumentReader, lines: Sequence[str]) -> None:
        assert isinstance(reader, FakeReader)
        reader.feed_lines(lines)


class TestSimulatorInProcess(ReaderContract):
    source = "simulator"

    def make_reader(self) -> DocumentReader:
        return SimulatorReader(SimulatorConfig.model_validate({}), name="sim")

    def present(self, reader: DocumentReader, lines: Sequence[str]) -> None:
        assert isinstance(reader, SimulatorReader)
        reader.present(lines)


class TestSimulatorThroughPty(TestSimulatorInProcess):
    def make_reader(self) -> DocumentReader:
        cfg = SimulatorConfig.model_validate({"pty_framing": "3m-rte"})
        return SimulatorReader(cfg, name="sim", baud=115200)


class TestSerialLoop(ReaderContract):
    source = "serial_mrz"
    framing = "desko-cute"

    def make_reader(self) -> DocumentReader:
        cfg = SerialMrzConfig.model_validate(
            {"type": "serial_mrz", "port": "loop://", "framing": self.framing}
        )
        return SerialMrzReader(cfg, name="serial")

    def present(self, reader: DocumentReader, lines: Sequence[str]) -> None:
        assert isinstance(reader, SerialMrzReader)
        reader._port.write(encode(lines, self.framing))


class TestSerialPty(ReaderContract):
    source = "serial_mrz"
    framing = "lines"

    @pytest.fixture(autouse=True)
    def _pty(self, tmp_path: Path) -> Iterator[None]:
        self.pty = Pty(tmp_path)
        yield
        self.pty.unplug()

    def make_reader(self) -> DocumentReader:
        cfg = SerialMrzConfig.model_validate(
            {"type": "serial_mrz", "port": self.pty.path, "framing": self.framing}
        )
        return SerialMrzReader(cfg, name="serial")

    def present(self, reader: DocumentReader, lines: Sequence[str]) -> None:
        self.pty.write(encode(lines, self.framing))


class TestWedgeReader(ReaderContract):
    source = "wedge"

    def make_reader(self) -> DocumentReader:
        self.clock = 100.0
        return WedgeReader(name="wedge")

    def present(self, reader: DocumentReader, lines: Sequence[str]) -> None:
        assert isinstance(reader, WedgeReader)
        self.clock += 2.0  # a pause since the last document
        for line in lines:
            for char in [*line, "\r"]:
                self.clock += 0.004
                reader.feed_key(char, self.clock)

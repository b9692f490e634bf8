"""One ReaderContract suite, run on every backend (python-can back2back style).

Each subclass (tests/drivers/test_contract.py, tests/chip/test_contract_chip.py) says how to build
its reader and how to present a document to it; the behaviour the terminal relies on (timeouts,
close from another thread, one DocumentRead per document, failed reads with a reason) is asserted
once, here. Not a test module: the suite runs only through its subclasses.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence

import pytest

from drivers.base import DocumentRead, DocumentReader, ReaderStatus
from ocr.specimens import specimens
from tests.helpers import wait_until

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
        assert wait_until(lambda: reader.state.status is ReaderStatus.CONNECTED)
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

"""The shared ReaderContract (tests/drivers) run on ChipReader over pcscd + vpcd + simulator.

Presenting a document = set_mrz(lines) as the booth does after the optical read, then putting a
chip personalised with the same MRZ on the reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest

from config.models import ChipConfig
from drivers.base import DocumentReader
from drivers.chip.reader import ChipReader
from drivers.registry import open_reader
from tests.drivers.contract import ReaderContract
from tools.epassport_sim import EPassportCard, TestPki, VpcdClient, make_card
from tools.epassport_sim.pcscd import READER

pytestmark = pytest.mark.peer


class TestChipReaderContract(ReaderContract):
    source = "chip"
    insert: Callable[[EPassportCard], VpcdClient]
    pki: TestPki

    @pytest.fixture(autouse=True)
    def _peers(self, sim: Callable[[EPassportCard], VpcdClient], pki: TestPki) -> Iterator[None]:
        self.insert, self.pki = sim, pki
        yield

    def make_reader(self) -> DocumentReader:
        config = ChipConfig(type="chip", reader=READER)
        return open_reader(config, name="chip")  # through the registry, as the terminal does

    def present(self, reader: DocumentReader, lines: Sequence[str]) -> None:
        assert isinstance(reader, ChipReader)
        reader.set_mrz(lines)
        self.insert(make_card(lines, self.pki, face_bytes=4000))

    def test_unreadable_characters_fail_with_reason(self, reader: DocumentReader) -> None:
        pytest.skip("a chip has no OCR: DG1 is digital")

    def test_documents_in_order(self, reader: DocumentReader) -> None:
        pytest.skip("one chip at a time on a PC/SC slot")

    def test_card_without_keys_says_read_the_page_first(self, reader: DocumentReader) -> None:
        from tests.chip.helpers import td3

        self.insert(make_card(td3(), self.pki, face_bytes=4000))
        got = self.read_one(reader)
        assert not got.ok and got.extra["kind"] == "no_keys"
        assert reader.read(0.2) is None  # not re-read until new keys or a new card
        assert isinstance(reader, ChipReader)
        reader.set_mrz(td3())
        got = self.read_one(reader)
        assert got.ok

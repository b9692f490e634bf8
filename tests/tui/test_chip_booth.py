"""The chip in the booth: the optical read hands its MRZ to the chip reader, the chip read is
attached to the open traveller, and the record says CHIP_VERIFIED only when it should.

Runs a real ChipReader on an in-process card slot (tools/epassport_sim/inprocess.py): the
reader's own BAC/PACE, secure messaging and passive authentication, without pcscd or root.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config.models import ChipConfig, Config
from drivers.chip.reader import ChipReader
from drivers.fake import FakeReader
from messaging.outbox import Outbox
from records.codes import CaptureMethod, Decision
from records.record import CrossingRecord
from terminal.app import make_app
from terminal.screens.document import DocumentScreen
from terminal.screens.scan import ScanScreen
from tests.chip.helpers import td3
from tests.tui.conftest import fixed_clock, id_counter, screen_text, sign_in, wait_for
from tools.epassport_sim import TestPki, make_card, make_test_pki
from tools.epassport_sim.inprocess import InProcessSlot


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return make_test_pki()


class ChipBooth:
    def __init__(self, tmp_path: Path, officers_file: Path, pki: TestPki) -> None:
        csca = tmp_path / "csca"
        csca.mkdir()
        (csca / "test-csca.pem").write_bytes(pki.csca_pem())
        data_dir = tmp_path / "data"
        data_dir.mkdir()
        cfg = Config.model_validate(
            {"terminal": {"data_dir": str(data_dir), "officers_file": str(officers_file)}}
        )
        self.slot = InProcessSlot()
        self.optical = FakeReader(name="mrz")
        self.chip = ChipReader(
            ChipConfig(type="chip", csca_path=csca), name="chip", transport=self.slot
        )
        self.outbox = Outbox(data_dir / "outbox.sqlite3")
        self.app = make_app(
            cfg, [self.optical, self.chip], self.outbox, watchlist=lambda: None,
            clock=fixed_clock, new_id=id_counter(), status_interval_s=30.0,
        )

    def records(self) -> list[CrossingRecord]:
        from messaging.audit import is_audit

        return [CrossingRecord.from_dict(d) for _, d in self.outbox.iter_all() if not is_audit(d)]

    def close(self) -> None:
        self.optical.close()
        self.chip.close()
        self.outbox.close()


@pytest.fixture
def chip_booth(tmp_path: Path, officers_file: Path, pki: TestPki) -> Iterator[ChipBooth]:
    booth = ChipBooth(tmp_path, officers_file, pki)
    yield booth
    booth.close()


def _doc(pilot: Any) -> DocumentScreen:
    screen = pilot.app.screen
    assert isinstance(screen, DocumentScreen)
    return screen


async def _open(pilot: Any, booth: ChipBooth, lines: list[str]) -> DocumentScreen:
    booth.optical.feed_lines(lines)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))
    return _doc(pilot)


async def _save(pilot: Any, booth: ChipBooth, count: int) -> None:
    await pilot.press("enter", "enter")
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, ScanScreen) and len(booth.records()) == count,
    )


async def test_chip_read_attached_to_the_open_traveller(
    chip_booth: ChipBooth, pki: TestPki
) -> None:
    booth = chip_booth
    page = td3()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)

        # 1. optical read, then the passport on the chip reader: verified
        doc = await _open(pilot, booth, page)
        assert doc.chip_pending and "reading chip..." in screen_text(pilot.app)
        booth.slot.insert(make_card(page, pki))
        await wait_for(pilot, lambda: doc.read.chip is not None)
        await pilot.pause()
        text = screen_text(pilot.app)
        assert "PASSED" in text and "Chip data = printed page" in text
        assert doc.query("#face")
        await _save(pilot, booth, 1)
        booth.slot.remove()

        # 2. the chip's DG1 differs from the printed page (same keys): alert, REFERRED
        doc = await _open(pilot, booth, page)
        await pilot.pause()
        # the document screen is reused: nothing of the previous traveller's chip is left
        assert not doc.query("#face") and "PASSED" not in screen_text(pilot.app)
        assert "reading chip..." in screen_text(pilot.app)
        booth.slot.insert(make_card(td3(surname="OTHER"), pki))
        await wait_for(pilot, lambda: doc.read.chip is not None)
        await pilot.pause()
        assert "CHIP DATA DIFFERS FROM THE PRINTED PAGE" in screen_text(pilot.app)
        await _save(pilot, booth, 2)
        booth.slot.remove()

        # 3. keys that do not open the chip: what to do is shown, saving is not blocked
        doc = await _open(pilot, booth, page)
        booth.slot.insert(make_card(page, pki, chip_mrz_lines=td3(doc="LS7654321")))
        await wait_for(pilot, lambda: bool(doc.chip_problem))
        await pilot.pause()
        assert "rescan the data page" in screen_text(pilot.app)
        await _save(pilot, booth, 3)

    good, mismatch, unread = booth.records()
    assert good.capture_method is CaptureMethod.CHIP_VERIFIED and good.chip_status == "PASSED"
    assert mismatch.capture_method is CaptureMethod.MRZ_READER
    assert mismatch.chip_status == "FAILED:dg1_mismatch"
    assert mismatch.decision is Decision.REFERRED
    assert unread.capture_method is CaptureMethod.MRZ_READER
    assert unread.chip_status == "NOT_READ"


async def test_chip_arriving_on_the_categorise_form_preselects_referred(
    chip_booth: ChipBooth, pki: TestPki
) -> None:
    from terminal.screens.categorise import CategoriseScreen

    booth = chip_booth
    page = td3()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        doc = await _open(pilot, booth, page)
        await pilot.press("enter")
        assert isinstance(pilot.app.screen, CategoriseScreen)
        booth.slot.insert(make_card(td3(surname="OTHER"), pki))
        await wait_for(pilot, lambda: doc.read.chip is not None)
        await pilot.pause()
        assert pilot.app.screen.query_one("#decision").value is Decision.REFERRED  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(booth.records()) == 1)
    (record,) = booth.records()
    assert record.chip_status == "FAILED:dg1_mismatch" and record.decision is Decision.REFERRED


async def test_typed_mrz_also_opens_the_chip(chip_booth: ChipBooth, pki: TestPki) -> None:
    from textual.widgets import Input

    booth = chip_booth
    page = td3()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f3")
        screen = pilot.app.screen
        screen.query_one("#mrz-1", Input).value = page[0]
        screen.query_one("#mrz-2", Input).value = page[1]
        await pilot.pause()
        screen.query_one("#mrz-2").focus()
        await pilot.press("enter")
        doc = _doc(pilot)
        assert doc.chip_pending
        booth.slot.insert(make_card(page, pki))
        await wait_for(pilot, lambda: doc.read.chip is not None)
        await _save(pilot, booth, 1)
    (record,) = booth.records()
    # the chip verified what was typed; the capture method still says the MRZ was typed
    assert record.chip_status == "PASSED" and record.capture_method is CaptureMethod.MANUAL

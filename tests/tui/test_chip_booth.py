"""The chip in the booth: the optical read hands its MRZ to the chip reader, the chip read is
attached to the open traveller, and the record says CHIP_VERIFIED only when it should.

Runs a real ChipReader on an in-process card slot (tools/epassport_sim/inprocess.py): the
reader's own BAC/PACE, secure messaging and passive authentication, without pcscd or root.
"""

from __future__ import annotations

from records.codes import CaptureMethod, Decision
from tests.chip.helpers import td3
from tests.helpers import wait_for
from tests.tui.chip_booth import ChipBooth, document_screen, open_read, save_expecting
from tests.tui.helpers import saved, screen_text, sign_in
from tools.epassport_sim import TestPki, make_card


async def test_chip_read_attached_to_the_open_traveller(
    chip_booth: ChipBooth, pki: TestPki
) -> None:
    booth = chip_booth
    page = td3()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)

        # 1. optical read, then the passport on the chip reader: verified
        doc = await open_read(pilot, booth, page)
        assert doc.chip_pending and "reading chip..." in screen_text(pilot.app)
        booth.slot.insert(make_card(page, pki))
        await wait_for(pilot, lambda: doc.read.chip is not None)
        await pilot.pause()
        text = screen_text(pilot.app)
        assert "PASSED" in text and "Chip data = printed page" in text
        assert doc.query("#face")
        await save_expecting(pilot, booth, 1)
        booth.slot.remove()

        # 2. the chip's DG1 differs from the printed page (same keys): alert, REFERRED
        doc = await open_read(pilot, booth, page)
        await pilot.pause()
        # the document screen is reused: nothing of the previous traveller's chip is left
        assert not doc.query("#face") and "PASSED" not in screen_text(pilot.app)
        assert "reading chip..." in screen_text(pilot.app)
        booth.slot.insert(make_card(td3(surname="OTHER"), pki))
        await wait_for(pilot, lambda: doc.read.chip is not None)
        await pilot.pause()
        assert "CHIP DATA DIFFERS FROM THE PRINTED PAGE" in screen_text(pilot.app)
        await save_expecting(pilot, booth, 2)
        booth.slot.remove()

        # 3. keys that do not open the chip: what to do is shown, saving is not blocked
        doc = await open_read(pilot, booth, page)
        booth.slot.insert(make_card(page, pki, chip_mrz_lines=td3(doc="LS7654321")))
        await wait_for(pilot, lambda: bool(doc.chip_problem))
        await pilot.pause()
        assert "rescan the data page" in screen_text(pilot.app)
        await save_expecting(pilot, booth, 3)

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
        doc = await open_read(pilot, booth, page)
        await pilot.press("enter")
        assert isinstance(pilot.app.screen, CategoriseScreen)
        booth.slot.insert(make_card(td3(surname="OTHER"), pki))
        await wait_for(pilot, lambda: doc.read.chip is not None)
        await pilot.pause()
        assert pilot.app.screen.query_one("#decision").value is Decision.REFERRED  # type: ignore[attr-defined]
        await pilot.press("enter")
        await saved(pilot, booth, 1, on_scan=False)
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
        doc = document_screen(pilot)
        assert doc.chip_pending
        booth.slot.insert(make_card(page, pki))
        await wait_for(pilot, lambda: doc.read.chip is not None)
        await save_expecting(pilot, booth, 1)
    (record,) = booth.records()
    # the chip verified what was typed; the capture method still says the MRZ was typed
    assert record.chip_status == "PASSED" and record.capture_method is CaptureMethod.MANUAL

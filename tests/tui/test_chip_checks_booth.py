"""What the new chip checks show in the booth and save in the outbox: Chip and Active
Authentication per check, the possible-clone alert (REFERRED preselected, as for a DG1
mismatch), the card access number for ID cards, the progress of a chip read.

A real ChipReader on the in-process card slot, cards from the simulator's named profiles.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input

from records.codes import CaptureMethod, ChipCheck, Decision
from terminal.screens.can_entry import CanEntryModal
from tests.chip.helpers import td3
from tests.helpers import wait_for
from tests.tui.chip_booth import ChipBooth, open_read, save_expecting
from tests.tui.helpers import screen_text, sign_in
from tools.epassport_sim import TestPki, make_card
from tools.epassport_sim.profiles import TEST_CAN, make_profile


async def _read_profile(pilot: Any, booth: ChipBooth, pki: TestPki, name: str) -> Any:
    page = td3()
    doc = await open_read(pilot, booth, page)
    booth.slot.insert(make_profile(name, page, pki).card)
    await wait_for(pilot, lambda: doc.read.chip is not None, timeout=15)
    await pilot.pause()
    return doc


async def test_possible_clone_alerts_and_preselects_referred(
    chip_booth: ChipBooth, pki: TestPki
) -> None:
    booth = chip_booth
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        doc = await _read_profile(pilot, booth, pki, "clone")
        text = screen_text(pilot.app)
        assert "POSSIBLE CLONED CHIP" in text
        assert "Chip auth: failed" in text and "Active auth: failed" in text
        assert "POSSIBLE CLONE" in text and "PASSED" not in text
        assert doc.case is not None and doc.case.form.decision is Decision.REFERRED
        await save_expecting(pilot, booth, 1)
    (record,) = booth.records()
    assert record.decision is Decision.REFERRED
    assert record.chip_clone_suspected is True
    assert record.chip_status == "FAILED:possible_clone"
    assert record.chip_authentication is ChipCheck.FAILED
    assert record.active_authentication is ChipCheck.FAILED
    # a chip that could not prove itself genuine does not verify the capture
    assert record.capture_method is CaptureMethod.MRZ_READER


@pytest.mark.parametrize(
    ("profile", "ca", "aa"),
    [("ca", ChipCheck.PASSED, ChipCheck.NOT_OFFERED),
     ("aa-rsa", ChipCheck.NOT_OFFERED, ChipCheck.PASSED)],
)
async def test_genuine_chip_checks_are_shown_and_recorded(
    chip_booth: ChipBooth, pki: TestPki, profile: str, ca: ChipCheck, aa: ChipCheck
) -> None:
    booth = chip_booth
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        doc = await _read_profile(pilot, booth, pki, profile)
        text = screen_text(pilot.app)
        assert f"Chip auth: {ca.value.replace('_', ' ').lower()}" in text
        assert f"Active auth: {aa.value.replace('_', ' ').lower()}" in text
        assert "CLONE" not in text
        assert doc.case is not None and doc.case.form.decision is Decision.ADMITTED
        await save_expecting(pilot, booth, 1)
    (record,) = booth.records()
    assert record.chip_status == "PASSED" and record.chip_clone_suspected is False
    assert record.capture_method is CaptureMethod.CHIP_VERIFIED
    assert (record.chip_authentication, record.active_authentication) == (ca, aa)


async def test_can_typed_by_the_officer_opens_an_id_card(
    chip_booth: ChipBooth, pki: TestPki
) -> None:
    booth = chip_booth
    page = td3()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        doc = await open_read(pilot, booth, page)
        # an ID card whose chip the MRZ keys do not open: PACE with the CAN only
        card = make_profile("pace-can", page, pki,
                            chip_mrz_lines=td3(doc="LS7654321")).card
        booth.slot.insert(card)
        await wait_for(pilot, lambda: bool(doc.chip_problem), timeout=15)
        await pilot.pause()
        assert "F6: type its card access number" in screen_text(pilot.app)
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CanEntryModal))
        await pilot.press(*"12345", "enter")  # too short: said, nothing sent
        await pilot.pause()
        assert "6 digits" in screen_text(pilot.app)
        field = pilot.app.screen.query_one("#can", Input)
        field.value = ""
        await pilot.press(*"654321", "enter")  # a wrong CAN: said what to check
        await wait_for(pilot, lambda: "type it again" in doc.chip_problem, timeout=15)
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CanEntryModal))
        await pilot.press(*TEST_CAN, "enter")
        await wait_for(pilot, lambda: doc.read.chip is not None, timeout=15)
        await pilot.pause()
        text = screen_text(pilot.app)
        assert "PASSED" in text and "Chip data = printed page" in text
        await save_expecting(pilot, booth, 1)
    (record,) = booth.records()
    assert record.chip_status == "PASSED"
    assert record.capture_method is CaptureMethod.CHIP_VERIFIED


async def test_chip_progress_reaches_the_document_screen(
    chip_booth: ChipBooth, pki: TestPki
) -> None:
    booth = chip_booth
    page = td3()
    seen: list[tuple[str, int, int | None]] = []
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        doc = await open_read(pilot, booth, page)
        original = doc.show_chip_progress

        def spy(file: str, done: int, total: int | None) -> None:
            seen.append((file, done, total))
            original(file, done, total)
            if file == "DG2" and doc.read.chip is None:
                assert "reading chip... DG2" in str(doc.query_one("#chip").render())

        doc.show_chip_progress = spy  # type: ignore[method-assign]
        booth.slot.insert(make_card(page, pki))
        await wait_for(pilot, lambda: doc.read.chip is not None, timeout=15)
        await pilot.pause()
        # the finished read replaces the progress line
        assert "reading chip" not in screen_text(pilot.app)
        await save_expecting(pilot, booth, 1)
    assert any(file == "DG2" for file, _, _ in seen)


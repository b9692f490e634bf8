"""The photo step (issue 21 item 4) on the booth: a person without a document, a minor and a
referral are asked for consent; Y takes the photo (simulated camera), Enter keeps it, N records
a refusal, neither a refusal nor a missing camera blocks the crossing; the chip's face is kept;
the stated name goes into the record; and a clean adult is never asked."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from ocr.specimens import specimens
from records.codes import CaptureMethod, Decision
from terminal.photo import DEFAULT_RECORD_LIMIT, photo_budget
from terminal.screens.categorise import CategoriseScreen
from terminal.screens.no_document import NoDocumentScreen
from terminal.screens.photo import PhotoModal
from terminal.widgets.choice import Choice
from tests.helpers import wait_for
from tests.tui.helpers import (
    NOW,
    BoothFactory,
    chip_read,
    read_and_open,
    saved,
    screen_text,
    sign_in,
)

UNDOCUMENTED = ["f4", *"MPHO", "enter", "a", "enter"]  # name, continue, asylum seeker, save


def jpeg_of(b64: str | None) -> bytes:
    assert b64 is not None
    data = base64.b64decode(b64)
    assert data.startswith(b"\xff\xd8\xff")
    return data


async def photo_modal(pilot: Any) -> PhotoModal:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PhotoModal))
    modal = pilot.app.screen
    assert isinstance(modal, PhotoModal)
    return modal


async def test_undocumented_adult_with_photo_in_ten_keys(make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press(*UNDOCUMENTED)
        modal = await photo_modal(pilot)
        assert modal.reason == "no document"
        assert "A photo of you is taken only if you agree." in screen_text(pilot.app)
        await pilot.press("y")
        await wait_for(pilot, lambda: modal.state == "taken")
        assert "Photo taken" in screen_text(pilot.app) and modal.query("#photo-image")
        await pilot.press("enter")
        await saved(pilot, booth, 1)
    (record,) = booth.records()
    assert record.capture_method is CaptureMethod.NO_DOCUMENT
    assert record.stated_name == "MPHO" and record.photo_consent is True
    assert len(jpeg_of(record.photo_jpeg)) <= photo_budget(DEFAULT_RECORD_LIMIT, 1)
    assert record.document_face_jpeg is None
    assert "MPHO" not in repr(record)


async def test_a_refusal_is_recorded_and_the_crossing_saved(make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press(*UNDOCUMENTED)
        await photo_modal(pilot)
        await pilot.press("n")
        await saved(pilot, booth, 1)
    (record,) = booth.records()
    assert record.photo_consent is False and record.photo_jpeg is None


async def test_retake_and_back_to_the_form(make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press(*UNDOCUMENTED)
        modal = await photo_modal(pilot)
        await pilot.press("escape")  # back to the form: nothing saved, nothing recorded
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CategoriseScreen))
        assert booth.records() == []
        await pilot.press("f2")
        modal = await photo_modal(pilot)
        await pilot.press("y")
        await wait_for(pilot, lambda: modal.state == "taken")
        first = modal.jpeg
        await pilot.press("r")
        await wait_for(pilot, lambda: modal.state == "taken" and modal.jpeg != first)
        second = modal.jpeg
        await pilot.press("enter")
        await saved(pilot, booth, 1)
    (record,) = booth.records()
    assert second is not None and jpeg_of(record.photo_jpeg) == second


async def test_no_camera_records_the_consent_without_a_photo(
        make_booth: BoothFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("terminal.screens.photo.camera_for", lambda readers: None)
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press(*UNDOCUMENTED)
        modal = await photo_modal(pilot)
        await pilot.press("y")
        assert modal.state == "failed" and "No camera" in screen_text(pilot.app)
        await pilot.press("enter")
        await saved(pilot, booth, 1)
    (record,) = booth.records()
    assert record.photo_consent is True and record.photo_jpeg is None


async def test_a_minor_with_a_chip_keeps_the_chip_face_and_the_booth_photo(
        make_booth: BoothFactory) -> None:
    booth = make_booth()
    lines = specimens(NOW.date())["minor_passport"]
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        booth.reader.feed(chip_read(lines, matches=True))
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "DocumentScreen")
        await pilot.press("enter", "f2")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "MinorAloneModal")
        await pilot.press("3")  # the adult is at another booth
        modal = await photo_modal(pilot)
        assert modal.reason == "minor"
        assert modal.max_bytes == photo_budget(DEFAULT_RECORD_LIMIT, 2)  # room for the face
        await pilot.press("y")
        await wait_for(pilot, lambda: modal.state == "taken")
        await pilot.press("enter")
        await saved(pilot, booth, 1)
    (record,) = booth.records()
    assert record.minor and record.photo_consent is True
    assert len(jpeg_of(record.photo_jpeg)) <= photo_budget(DEFAULT_RECORD_LIMIT, 2)
    assert len(jpeg_of(record.document_face_jpeg)) <= photo_budget(DEFAULT_RECORD_LIMIT, 2)


async def test_a_referral_is_asked_a_clean_adult_is_not(make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await read_and_open(pilot, booth, "lso_passport")
        await pilot.press("enter", "enter")  # a clean citizen: Enter, Enter, no photo step
        await saved(pilot, booth, 1, photo="")
        await read_and_open(pilot, booth, "lso_passport")
        await pilot.press("enter")
        form = pilot.app.screen
        assert isinstance(form, CategoriseScreen)
        form.query_one("#decision", Choice).value = Decision.REFERRED
        await pilot.press("f2")
        modal = await photo_modal(pilot)
        assert modal.reason == "referral"
        await pilot.press("n")
        await saved(pilot, booth, 2)
    clean, referred = booth.records()
    assert clean.photo_consent is None and clean.photo_jpeg is None
    assert referred.decision is Decision.REFERRED and referred.photo_consent is False


async def test_the_name_field_comes_first_on_the_no_document_form(
        make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f4")
        screen = pilot.app.screen
        assert isinstance(screen, NoDocumentScreen)
        assert screen.focused is screen.query_one("#nd-name")
        await pilot.press(*"  Lineo   Mokoena ", "escape")


async def test_the_shift_summary_never_hands_a_photo_to_the_statistics(
        make_booth: BoothFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    import records.stats

    seen: list[dict[str, Any]] = []
    real = records.stats.summarise

    def spy(recs: Any) -> Any:
        seen.extend(recs)
        return real(seen)

    monkeypatch.setattr(records.stats, "summarise", spy)
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press(*UNDOCUMENTED)
        modal = await photo_modal(pilot)
        await pilot.press("y")
        await wait_for(pilot, lambda: modal.state == "taken")
        await pilot.press("enter")
        await saved(pilot, booth, 1)
        await pilot.press("f6")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ShiftSummaryScreen")
    assert booth.records()[0].photo_jpeg
    assert seen and all(r["photo_jpeg"] is None and r["document_face_jpeg"] is None
                        for r in seen)

"""Snapshots at 80x24, in English and Sesotho, of the screens issue 21 item 4 adds or changes:
the no-document form (the stated name first) and the photo step (consent asked; the photo
taken). Update only these with
`pytest tests/tui/test_snapshots_photos.py --snapshot-update` and look at the report."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from records.codes import TravellerCategory
from terminal import i18n
from tests.helpers import wait_for
from tests.tui.helpers import OFFICER, BoothFactory

SIZE = (80, 24)
LANGUAGES = ["en", "st"]


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    i18n.set_language("en")


async def _no_document(pilot: Any, language: str) -> None:
    if language == "st":
        await pilot.press("f8")
    pilot.app.sign_in(OFFICER)
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ScanScreen")
    await pilot.press("f4")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "NoDocumentScreen")
    await pilot.press(*"MPHO")


async def _photo_step(pilot: Any, language: str) -> None:
    await _no_document(pilot, language)
    await pilot.press("enter")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "CategoriseScreen")
    # by value: a letter picks another category once the labels are in Sesotho
    pilot.app.screen.query_one("#category").value = TravellerCategory.ASYLUM_SEEKER_REFUGEE
    await pilot.press("f2")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "PhotoModal")
    await pilot.pause()


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_document_form(snap_compare: Any, make_booth: BoothFactory, language: str) -> None:
    async def run_before(pilot: Any) -> None:
        await _no_document(pilot, language)
        await pilot.pause()

    assert snap_compare(make_booth().app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("language", LANGUAGES)
def test_photo_consent(snap_compare: Any, make_booth: BoothFactory, language: str) -> None:
    async def run_before(pilot: Any) -> None:
        await _photo_step(pilot, language)

    assert snap_compare(make_booth().app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("language", LANGUAGES)
def test_photo_taken(snap_compare: Any, make_booth: BoothFactory, language: str) -> None:
    async def run_before(pilot: Any) -> None:
        await _photo_step(pilot, language)
        await pilot.press("y")
        await wait_for(pilot, lambda: pilot.app.screen.state == "taken")
        await pilot.pause()

    assert snap_compare(make_booth().app, terminal_size=SIZE, run_before=run_before)

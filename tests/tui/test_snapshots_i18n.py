"""Snapshots at 80x24 of the screens whose language matters most: sign-in (where the officer
picks it, F8) and the traveller's F9 screen (Sesotho above English whatever the officer's
language; the officer's keys below in theirs). Update as in test_snapshots.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from terminal import i18n
from tests.helpers import wait_for
from tests.tui.helpers import OFFICER, PIN, BoothFactory

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    i18n.set_language("en")


def test_sign_in_sesotho(snap_compare: Any, make_booth: BoothFactory) -> None:
    booth = make_booth()
    booth.app.settings.demo_pin = "1234"

    async def run_before(pilot: Any) -> None:
        await pilot.press("f8")
        # a loaded machine may paint late: wait for the relabelled screen, not a fixed pause
        await wait_for(pilot, lambda: "Puo" in str(
            pilot.app.screen.query_one("#language-line").render()))
        await pilot.pause()
        assert "ha ho ofisiri" in str(booth.app.status_line())  # at once, not at the next tick

    assert snap_compare(booth.app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("language", ["en", "st"])
def test_traveller(snap_compare: Any, make_booth: BoothFactory, language: str) -> None:
    booth = make_booth()

    async def run_before(pilot: Any) -> None:
        if language == "st":
            await pilot.press("f8")
        pilot.app.sign_in(OFFICER)
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ScanScreen")
        await pilot.press("f9")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "TravellerScreen")
        await pilot.press("3")  # trafficking: the page that matters most
        await pilot.pause()

    assert snap_compare(booth.app, terminal_size=SIZE, run_before=run_before)


async def test_language_kept_for_the_shift_and_reset_at_sign_out(
    make_booth: BoothFactory,
) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        assert i18n.current_language() == "st"
        for key in OFFICER:
            await pilot.press(key)
        await pilot.press("tab", *PIN, "enter")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ScanScreen")
        assert booth.app.shift is not None and booth.app.shift.language == "st"
        assert "Fana ka tokomane e latelang" in str(
            pilot.app.screen.query_one("#prompt").render())
        await pilot.press("f9")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "TravellerScreen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ScanScreen")
        booth.app.sign_out("officer")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "SignInScreen")
        assert i18n.current_language() == "en"


def test_scan_sesotho(snap_compare: Any, make_booth: BoothFactory) -> None:
    """A Sesotho shift: the prompt, panels, status bar and keys must still fit 80 columns."""
    from tests.tui.test_snapshots import seed_shift

    booth = make_booth()

    async def run_before(pilot: Any) -> None:
        await pilot.press("f8")
        await seed_shift(pilot)
        await pilot.pause()

    assert snap_compare(booth.app, terminal_size=SIZE, run_before=run_before)


async def test_traveller_screen_from_the_document_screen_and_back(
    make_booth: BoothFactory,
) -> None:
    """F9 mid-traveller (before consent to a photo, say) and Esc back to the same document."""
    booth = make_booth()
    async with booth.app.run_test(size=SIZE) as pilot:
        booth.app.sign_in(OFFICER)
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ScanScreen")
        booth.feed("lso_passport")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "DocumentScreen")
        document = pilot.app.screen
        await pilot.press("f9")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "TravellerScreen")
        await pilot.press("right")
        assert pilot.app.screen.page == 1  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is document)
        assert booth.records() == []  # showing the traveller's screen saved nothing

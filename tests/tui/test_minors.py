"""Issue 21 item 3: a minor with no adult linked needs an explicit choice, counted apart."""

from __future__ import annotations

from records.codes import Decision, Direction, MinorTravel
from terminal.screens.categorise import CategoriseScreen
from terminal.screens.minor_alone import MinorAloneModal
from terminal.screens.shift_summary import ShiftSummaryScreen
from tests.helpers import wait_for
from tests.tui.helpers import BoothFactory, read_and_open, saved, screen_text, sign_in


async def test_each_choice_is_recorded_and_alone_minors_are_counted(
        make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        for n, key in enumerate(("1", "2", "3"), start=1):
            await read_and_open(pilot, booth, "minor_passport")
            await pilot.press("enter", "enter")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, MinorAloneModal))
            assert "How does this minor travel?" in screen_text(pilot.app)
            await pilot.press(key)
            await saved(pilot, booth, n)
        await pilot.press("f6")
        assert isinstance(pilot.app.screen, ShiftSummaryScreen)
        assert "minors 3 (2 alone)" in screen_text(pilot.app)  # the adult elsewhere: not alone
    alone, referred, elsewhere = booth.records()
    assert alone.minor_travel is MinorTravel.ALONE_WITH_CONSENT and alone.consent_letter_seen
    assert alone.decision is Decision.ADMITTED
    assert referred.minor_travel is MinorTravel.REFERRED
    assert referred.decision is Decision.REFERRED
    assert elsewhere.minor_travel is MinorTravel.ADULT_AT_OTHER_BOOTH
    assert elsewhere.consent_letter_seen is None


async def test_a_linked_minor_is_not_asked(make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await read_and_open(pilot, booth, "lso_passport")
        await pilot.press("enter", "enter")
        await saved(pilot, booth, 1)
        await read_and_open(pilot, booth, "minor_passport")
        await pilot.press("enter")
        assert isinstance(pilot.app.screen, CategoriseScreen)
        pilot.app.screen.query_one("#adult").focus()
        await pilot.press("right", "tab", "right", "enter")  # the adult, parent, save
        await saved(pilot, booth, 2)
    adult, minor = booth.records()
    assert minor.accompanying_adult_ref == adult.record_id and minor.minor_travel is None
    assert minor.direction is Direction.ENTRY

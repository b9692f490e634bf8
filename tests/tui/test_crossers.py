"""Issue 21 item 1: a frequent crosser's last category and purpose are proposed, marked, one
key (F4) to confirm; the record says whether the proposal was confirmed."""

from __future__ import annotations

from records.codes import Purpose, TravellerCategory
from terminal.crossers import CrosserMemory
from terminal.screens.categorise import CategoriseScreen
from terminal.screens.shift_summary import ShiftSummaryScreen
from terminal.widgets.choice import Choice
from tests.helpers import wait_for
from tests.tui.helpers import BoothFactory, read_and_open, saved, screen_text, sign_in


async def test_same_as_last_time_is_one_key(make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await read_and_open(pilot, booth, "lso_passport")
        assert "LAST TIME" not in screen_text(pilot.app)
        await pilot.press("enter")
        form = pilot.app.screen
        assert isinstance(form, CategoriseScreen)
        form.query_one("#category", Choice).value = TravellerCategory.MINEWORKER
        form.query_one("#purpose", Choice).value = Purpose.EMPLOYMENT
        form.query_one("#decision").focus()
        await pilot.press("enter")
        await saved(pilot, booth, 1)
        await read_and_open(pilot, booth, "lso_passport")  # next week, same passport
        text = screen_text(pilot.app)
        assert "LAST TIME (08:30): Mineworker, Employment  PROPOSED" in text
        await pilot.press("f4")  # same as last time: one key after the read
        await saved(pilot, booth, 2)
        await read_and_open(pilot, booth, "lso_passport")
        await pilot.press("enter")
        form = pilot.app.screen
        assert isinstance(form, CategoriseScreen)
        assert "PROPOSED as last time" in screen_text(pilot.app)
        assert form.query_one("#category", Choice).value is TravellerCategory.MINEWORKER
        form.query_one("#category", Choice).value = TravellerCategory.CITIZEN
        form.query_one("#purpose", Choice).value = Purpose.VISITING_FRIENDS_RELATIVES
        form.query_one("#decision").focus()
        await pilot.press("enter")  # chosen otherwise
        await saved(pilot, booth, 3)
        await pilot.press("f6")  # the shift summary tells the three apart
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ShiftSummaryScreen))
        assert "Category as proposed 1  proposal changed 1  chosen 1" in screen_text(pilot.app)
    first, again, changed = booth.records()
    assert first.category_proposed is None
    assert (again.traveller_category, again.purpose) == (TravellerCategory.MINEWORKER,
                                                         Purpose.EMPLOYMENT)
    assert again.category_proposed is True
    assert changed.traveller_category is TravellerCategory.CITIZEN
    assert changed.category_proposed is False


async def test_no_proposal_for_a_new_document_and_the_memory_is_bounded(
        make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await read_and_open(pilot, booth, "lso_passport")
        await pilot.press("f4")  # nothing to repeat: F4 does nothing here
        assert "LAST TIME" not in screen_text(pilot.app)
        await pilot.press("enter", "enter")
        await saved(pilot, booth, 1)
        await read_and_open(pilot, booth, "zaf_passport")
        assert "LAST TIME" not in screen_text(pilot.app)
    memory = CrosserMemory(keep=1)
    first, = booth.records()
    memory.remember(first)
    assert len(memory) == 1


def test_a_correction_of_the_category_is_no_longer_as_proposed() -> None:
    from dataclasses import replace

    from drivers.framing import Frame
    from drivers.serial_mrz import document_read
    from ocr.specimens import specimens
    from terminal.booking import Booth, amendment, case_for_read, form_from_record
    from tests.tui.helpers import NOW, fixed_clock, id_counter

    booth = Booth("t-1", "MSU-BRIDGE", "off-1", clock=fixed_clock, new_id=id_counter())
    read = document_read("fake", "mrz", Frame(tuple(specimens(NOW.date())["lso_passport"])))
    case = case_for_read(booth, read)
    case.proposed = (TravellerCategory.CITIZEN, Purpose.RETURNING_RESIDENT)
    original = case.build(booth)
    assert original.category_proposed is True
    same = amendment(booth, original, form_from_record(original), "typo in notes")
    assert same.category_proposed is True
    form = replace(form_from_record(original), traveller_category=TravellerCategory.MINEWORKER,
                   purpose=Purpose.EMPLOYMENT)
    assert amendment(booth, original, form, "was a mineworker").category_proposed is False

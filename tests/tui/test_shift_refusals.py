"""The shift summary shows refusals on their own line: records.stats.summarise counts only
those who crossed in `in`/`out`, and the refused separately (by reason)."""

from __future__ import annotations

from records.codes import Decision, RefusalReason
from terminal.screens.categorise import CategoriseScreen
from terminal.screens.shift_summary import ShiftSummaryScreen
from tests.helpers import wait_for
from tests.tui.helpers import BoothFactory, read_and_open, saved, screen_text, sign_in


async def test_refusals_have_their_own_line(make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await read_and_open(pilot, booth, "lso_passport")
        await pilot.press("enter", "enter")
        await saved(pilot, booth, 1)
        await read_and_open(pilot, booth, "lso_id_card")
        await pilot.press("enter")
        screen = pilot.app.screen
        assert isinstance(screen, CategoriseScreen)
        screen.query_one("#decision").value = Decision.REFUSED  # type: ignore[attr-defined]
        screen.query_one("#refusal").value = RefusalReason.C_NO_VALID_VISA  # type: ignore[attr-defined]
        await pilot.press("f2")
        await saved(pilot, booth, 2)
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ShiftSummaryScreen))
        text = screen_text(pilot.app)
    assert "1 persons  in 1  out 0" in text  # the refused did not cross
    assert "Refused 1: C no valid visa/permit 1" in text
    refused = [r for r in booth.records() if r.decision is Decision.REFUSED]
    assert len(refused) == 1

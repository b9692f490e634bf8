"""Issue 21 item 2: a group opened with one key, joined by every read until closed; minors
linked to the group's adult (relationship asked once); the code joins another booth."""

from __future__ import annotations

from datetime import date

from records.codes import Relationship
from terminal.groups import group_id, normalise_code
from terminal.screens.categorise import CategoriseScreen
from terminal.screens.group_code import GroupCodeModal
from tests.helpers import wait_for
from tests.tui.helpers import BoothFactory, read_and_open, saved, screen_text, sign_in


async def test_family_of_four_in_a_group(make_booth: BoothFactory) -> None:
    booth = make_booth(border_post="MASERU-BR")
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f7")  # open a group
        group = pilot.app.groups.open  # type: ignore[attr-defined]
        assert group is not None and f"GROUP {group.code} open" in screen_text(pilot.app)
        for n, name in enumerate(("lso_passport", "lso_id_card"), start=1):
            await read_and_open(pilot, booth, name)
            await pilot.press("enter", "enter")
            await saved(pilot, booth, n)
        await read_and_open(pilot, booth, "minor_passport")
        await pilot.press("enter")  # the relationship is asked: the form focuses it
        form = pilot.app.screen
        assert isinstance(form, CategoriseScreen)
        assert f"GROUP {group.code}" in screen_text(pilot.app)
        assert form.focused is form.query_one("#relationship")
        await pilot.press("right", "enter")  # parent
        await saved(pilot, booth, 3)
        await read_and_open(pilot, booth, "minor_passport")  # the second child
        await pilot.press("enter", "enter")  # the relationship said once is proposed
        await saved(pilot, booth, 4)
        await pilot.press("f7")  # close
        assert "closed: 4 saved here" in screen_text(pilot.app)
        await read_and_open(pilot, booth, "zaf_passport")  # after closing: no group
        await pilot.press("enter", "right", "enter")
        await saved(pilot, booth, 5)
    mum, dad, child1, child2, stranger = booth.records()
    gid = group_id("MASERU-BR", date(2026, 11, 27), group.code)
    assert {r.group_id for r in (mum, dad, child1, child2)} == {gid}
    assert child1.accompanying_adult_ref == dad.record_id == child2.accompanying_adult_ref
    assert child1.relationship_to_adult is Relationship.PARENT
    assert child2.relationship_to_adult is Relationship.PARENT
    assert child1.minor_travel is None and stranger.group_id is None


async def test_the_code_joins_the_group_at_another_booth(make_booth: BoothFactory) -> None:
    first = make_booth(border_post="MASERU-BR", terminal_id="booth-1")
    async with first.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f7")
        code = pilot.app.groups.open.code  # type: ignore[attr-defined]
        await read_and_open(pilot, first, "lso_passport")
        await pilot.press("enter", "enter")
        await saved(pilot, first, 1)
    other = make_booth(border_post="MASERU-BR", terminal_id="booth-2")
    async with other.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f11")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, GroupCodeModal))
        await pilot.press(*"x!", "enter")
        await pilot.press("backspace", "backspace", *code.lower(), "enter")
        await wait_for(pilot, lambda: f"GROUP {code} joined" in screen_text(pilot.app))
        await read_and_open(pilot, other, "minor_passport")
        await pilot.press("enter", "enter")  # in a group: not asked whether alone
        await saved(pilot, other, 1)
    (adult,) = first.records()
    (minor,) = other.records()
    assert minor.group_id == adult.group_id is not None
    assert minor.accompanying_adult_ref is None and minor.minor_travel is None


def test_codes_as_typed() -> None:
    assert normalise_code(" k7m2 ") == "K7M2" and normalise_code("oil1") == "0111"
    assert normalise_code("K7M") is None and normalise_code("K7MU") is None

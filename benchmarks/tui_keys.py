"""Keystrokes after the read, per booth flow (issue 21 "Measure"), driven with the Pilot and
checked against the records saved. Each flow has the keys the officer needed before issue 21
(`before`: everything chosen by hand) and with it (`after`: proposals, groups); both run on
the current booth, so both are real paths. Used by benchmarks/tui_bench.py --keys."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from records.codes import Purpose, Relationship, TravellerCategory
from records.record import CrossingRecord

Keys = list[str]
Check = Callable[[list[CrossingRecord]], bool]
TO_CATEGORY = ["shift+tab"] * 6  # from the decision (focused) back to the category


@dataclass
class Flow:
    name: str
    persons: int
    setup: list[tuple[str, Keys]]  # (specimen, keys) saved before the measured part
    steps: list[tuple[str | None, Keys]]  # (specimen read, or None for a key on the scan screen)
    check: Check
    new: bool = False  # a flow issue 21 added: nothing to compare "before" with


def _mineworker(recs: list[CrossingRecord]) -> bool:
    r = recs[-1]
    return (r.traveller_category, r.purpose) == (TravellerCategory.MINEWORKER,
                                                 Purpose.EMPLOYMENT)


def _linked(recs: list[CrossingRecord]) -> bool:
    minors = [r for r in recs if r.minor]
    return bool(minors) and all(r.accompanying_adult_ref and r.relationship_to_adult
                                is Relationship.PARENT for r in minors)


def _grouped(recs: list[CrossingRecord]) -> bool:
    return _linked(recs) and len({r.group_id for r in recs[-4:]}) == 1 and bool(recs[-1].group_id)


def _photographed(recs: list[CrossingRecord]) -> bool:
    r = recs[-1] if recs else None
    return r is not None and r.stated_name == "MPHO" and r.photo_consent is True \
        and bool(r.photo_jpeg)


PHOTO = ["y", "enter"]  # the photo step (minors, no document): consent, photo kept
# F4 (no document), the name as stated, continue, "a" (asylum seeker), save; the photo step:
# Y (consent, photo taken), Enter (kept, saved)
UNDOCUMENTED_PHOTO: list[tuple[str | None, Keys]] = [
    (None, ["f4", *"MPHO", "enter", "a", "enter", *PHOTO])]
MANUAL_MINEWORKER = ["enter", *TO_CATEGORY, "m", "tab", "e", "e", "enter"]
# a minor's save opens the photo step (issue 21 item 4) in both: its two keys count in both
ADULT = ["enter", "enter"]
CHILD_LINK = ["enter", "right", "tab", "right", "enter", *PHOTO]


def flows(after: bool) -> list[Flow]:
    crosser_setup = [("lso_passport", MANUAL_MINEWORKER)]
    family = [("lso_passport", ADULT), ("lso_id_card", ADULT)]
    if after:
        family_steps: list[tuple[str | None, Keys]] = [
            (None, ["f7"]), *family, ("minor_passport", ["enter", "right", "enter", *PHOTO]),
            ("minor_passport", ["enter", "enter", *PHOTO]), (None, ["f7"])]
    else:
        family_steps = [*family, ("minor_passport", CHILD_LINK),
                        ("minor_passport", CHILD_LINK)]
    return [
        Flow("clean citizen", 1, [], [("lso_passport", ["enter", "enter"])],
             lambda r: r[-1].traveller_category is TravellerCategory.CITIZEN),
        Flow("frequent crosser", 1, crosser_setup,
             [("lso_passport", ["f4"] if after else MANUAL_MINEWORKER)], _mineworker),
        Flow("visitor", 1, [], [("zaf_passport", ["enter", "enter", "right", "enter"])],
             lambda r: r[-1].purpose is Purpose.HOLIDAY),
        Flow("minor with adult", 1, [("lso_passport", ADULT)],
             [("minor_passport", CHILD_LINK)], _linked),
        Flow("family of four in a group" if after else "family of four", 4, [], family_steps,
             _grouped if after else _linked),
        Flow("undocumented adult with photo", 1, [], UNDOCUMENTED_PHOTO, _photographed,
             new=True),
    ]


async def _run(flow: Flow, tmp: Path) -> int:
    from config.models import Config
    from drivers.fake import FakeReader
    from messaging.outbox import Outbox
    from ocr.specimens import specimens
    from terminal.app import make_app
    from terminal.officers import OfficerStore
    from terminal.screens.document import DocumentScreen
    from terminal.screens.photo import PhotoModal
    from terminal.screens.scan import ScanScreen

    OfficerStore(tmp / "officers.toml").add("bench", "1234")
    config = Config.model_validate(
        {"terminal": {"data_dir": str(tmp), "officers_file": str(tmp / "officers.toml")}})
    reader, outbox = FakeReader(name="mrz"), Outbox(tmp / "outbox.sqlite3")
    app = make_app(config, reader, outbox, watchlist=lambda: None, status_interval_s=60)
    lines = specimens()

    def records() -> list[CrossingRecord]:
        return [CrossingRecord.from_dict(d) for _, d in outbox.iter_all()
                if d.get("schema") != "imdms-audit/1" and "kind" not in d]

    async def until(pilot: Any, ok: Callable[[], bool]) -> None:
        for _ in range(500):
            if ok():
                return
            await pilot.pause(0.01)
        raise RuntimeError(f"{flow.name}: stuck on {app.screen}")

    counted = 0
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            app.sign_in("bench")
            await until(pilot, lambda: isinstance(app.screen, ScanScreen))
            for measured, steps in ((False, flow.setup), (True, flow.steps)):
                for specimen, keys in steps:
                    before = len(records())
                    if specimen is not None:
                        reader.feed_lines(lines[specimen])
                        await until(pilot, lambda: isinstance(app.screen, DocumentScreen))
                    for key in keys:  # the photo step takes its photo in a thread: wait
                        await pilot.press(key)
                        await until(pilot, lambda: not isinstance(app.screen, PhotoModal)
                                    or app.screen.state != "taking")
                    counted += len(keys) if measured else 0
                    if specimen is not None:
                        await until(pilot, lambda n=before: len(records()) == n + 1  # type: ignore[misc]
                                    and isinstance(app.screen, ScanScreen))
            await until(pilot, lambda: flow.check(records()))
    finally:
        reader.close()
        outbox.close()
    return counted


async def keystrokes(after: bool) -> list[tuple[str, int, int]]:
    """(flow, keys after the reads, persons) for each flow; -1 for a new flow's "before"."""
    out = []
    for flow in flows(after):
        if flow.new and not after:
            out.append((flow.name, -1, flow.persons))
            continue
        with tempfile.TemporaryDirectory() as tmp:
            out.append((flow.name, await _run(flow, Path(tmp)), flow.persons))
    return out

"""What the TUI tests share: the fixed clock and ids, the demo officer, the Booth a test drives
(made by the make_booth fixture in conftest.py), the steps of a flow (sign in, read, save) and
reading the screen."""

from __future__ import annotations

import io
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from PIL import Image
from textual.pilot import Pilot

from drivers.base import ChipSummary, DocumentRead
from drivers.fake import FakeReader
from ocr.mrz import MrzRecord, parse_mrz
from ocr.specimens import specimens
from records.codes import Purpose
from records.record import CrossingRecord
from terminal.booth import BoothApp
from terminal.screens.categorise import CategoriseScreen
from terminal.screens.document import DocumentScreen
from terminal.screens.scan import ScanScreen
from terminal.widgets.choice import Choice
from tests.helpers import wait_for

NOW = datetime(2026, 11, 27, 8, 30, 0, tzinfo=UTC)
OFFICER, PIN = "msu-017", "4321"
KIOSK = (80, 24)  # the booth's terminal size


def fixed_clock() -> datetime:
    return NOW


def id_counter() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"01937a00-0000-7000-8000-{next(counter):012d}"


@dataclass
class Booth:
    app: BoothApp
    reader: FakeReader
    outbox: Any
    data_dir: Path
    closers: list[Callable[[], None]] = field(default_factory=list)

    def records(self) -> list[CrossingRecord]:
        from messaging.audit import is_audit

        return [CrossingRecord.from_dict(d) for _, d in self.outbox.iter_all()
                if not is_audit(d) and d.get("kind") != "watchlist_hit"]

    def hits(self) -> list[dict[str, Any]]:
        """The watchlist hit events in the outbox (Outbox.add_event), oldest first."""
        return [d for _, d in self.outbox.iter_all() if d.get("kind") == "watchlist_hit"]

    def audits(self) -> list[dict[str, Any]]:
        """The audit events in the outbox, oldest first."""
        from messaging.audit import is_audit

        return [d for _, d in self.outbox.iter_all() if is_audit(d)]

    def feed(self, name: str) -> None:
        self.reader.feed_lines(specimens(NOW.date())[name])


BoothFactory = Callable[..., Booth]


async def sign_in(
    pilot: Any, officer: str = OFFICER, pin: str = PIN, *, to_scan: bool = True
) -> None:
    """Sign in; wait for the scan screen, or (to_scan=False) only for the shift to start (a
    traveller kept from an idle sign-out reopens instead)."""
    screen = pilot.app.screen
    screen.query_one("#officer-id").value = officer
    screen.query_one("#pin").value = pin
    screen.query_one("#pin").focus()
    await pilot.press("enter")
    if to_scan:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ScanScreen))
    else:
        await wait_for(pilot, lambda: pilot.app.shift is not None)


@asynccontextmanager
async def signed_in(booth: Booth, reading: str | None = None) -> AsyncIterator[Pilot[Any]]:
    """The booth running at the kiosk's size with the demo officer signed in (and, with
    `reading`, that specimen read and its document screen open): its pilot."""
    async with booth.app.run_test(size=KIOSK) as pilot:
        await sign_in(pilot)
        if reading is not None:
            await read_and_open(pilot, booth, reading)
        yield pilot


def specimen_mrz(name: str) -> MrzRecord:
    """The parsed MRZ of the specimen `name` as the booth reads it on NOW's date."""
    return parse_mrz(specimens(NOW.date())[name])


def screen_text(app: Any) -> str:
    """All text the current screen shows (for assertions on what the officer reads)."""
    parts = []
    for widget in app.screen.query("*"):
        render = getattr(widget, "render", None)
        if render is None or not widget.display:
            continue
        try:
            parts.append(str(render()))
        except Exception:
            continue
    return "\n".join(parts)


async def save_visitor(pilot: Any) -> None:
    """Enter, the purpose a visitor must give, F2."""
    await pilot.press("enter")
    screen = pilot.app.screen
    assert isinstance(screen, CategoriseScreen)
    screen.query_one("#purpose", Choice).value = Purpose.HOLIDAY
    await pilot.press("f2")


async def read_and_open(pilot: Any, booth: Booth, name: str) -> None:
    """Feed the specimen `name` to the booth's reader; wait for the document screen."""
    booth.feed(name)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))


class SavesRecords(Protocol):
    def records(self) -> list[CrossingRecord]: ...


async def saved(pilot: Any, booth: SavesRecords, count: int, *, photo: str = "n",
                on_scan: bool = True) -> None:
    """Wait until the booth is back on the scan screen with `count` records saved. A photo
    step on the way (no document, minor, referral) is answered with the keys `photo` ("n": the
    traveller refuses; tests/tui/test_photos.py covers the step itself). on_scan False: wait
    for the records only, wherever the booth is."""
    from terminal.screens.photo import PhotoModal

    def done() -> bool:
        return (not on_scan or isinstance(pilot.app.screen, ScanScreen)) \
            and len(booth.records()) == count

    for _ in range(250):
        if done():
            return
        if isinstance(pilot.app.screen, PhotoModal):
            await pilot.press(*photo)
        await pilot.pause(0.02)
    await wait_for(pilot, done)


def chip_read(lines: list[str], *, matches: bool, pa_ok: bool = True) -> DocumentRead:
    """A chip backend's read of `lines`: DG1 matching the print or not, PA passed or not."""
    steps = {"sod_signature": "passed", "csca_chain": "passed", "dg_hashes": "passed"}
    if not pa_ok:
        steps["dg_hashes"] = "failed: DG2 hash differs"
    chip = ChipSummary("PACE", ("DG1", "DG2", "SOD"), steps, matches, png_face())
    return DocumentRead("chip", "chip", tuple(lines), parse_mrz(lines), chip=chip)


def png_face() -> bytes:
    """A tiny PNG standing in for the DG2 face."""
    img = Image.new("RGB", (60, 80), (200, 150, 120))
    for x in range(20, 40):
        for y in range(20, 30):
            img.putpixel((x, y), (30, 30, 30))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()

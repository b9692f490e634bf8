"""A booth with a chip reader on an in-process simulated slot, for the chip TUI tests (the `pki`
and `chip_booth` fixtures in conftest.py make it), and the steps those tests share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from config.models import ChipConfig, Config
from drivers.chip.reader import ChipReader
from drivers.fake import FakeReader
from messaging.outbox import Outbox
from records.record import CrossingRecord
from terminal.app import make_app
from terminal.screens.document import DocumentScreen
from tests.helpers import wait_for
from tests.tui.helpers import fixed_clock, id_counter
from tools.epassport_sim import TestPki
from tools.epassport_sim.inprocess import InProcessSlot


class ChipBooth:
    def __init__(self, tmp_path: Path, officers_file: Path, pki: TestPki) -> None:
        csca = tmp_path / "csca"
        csca.mkdir()
        (csca / "test-csca.pem").write_bytes(pki.csca_pem())
        data_dir = tmp_path / "data"
        data_dir.mkdir()
        cfg = Config.model_validate(
            {"terminal": {"data_dir": str(data_dir), "officers_file": str(officers_file)}}
        )
        self.slot = InProcessSlot()
        self.optical = FakeReader(name="mrz")
        self.chip = ChipReader(
            ChipConfig(type="chip", csca_path=csca), name="chip", transport=self.slot
        )
        self.outbox = Outbox(data_dir / "outbox.sqlite3")
        self.app = make_app(
            cfg, [self.optical, self.chip], self.outbox, watchlist=lambda: None,
            clock=fixed_clock, new_id=id_counter(), status_interval_s=30.0,
        )

    def records(self) -> list[CrossingRecord]:
        from messaging.audit import is_audit

        return [CrossingRecord.from_dict(d) for _, d in self.outbox.iter_all() if not is_audit(d)]

    def close(self) -> None:
        self.optical.close()
        self.chip.close()
        self.outbox.close()


def document_screen(pilot: Any) -> DocumentScreen:
    screen = pilot.app.screen
    assert isinstance(screen, DocumentScreen)
    return screen


async def open_read(pilot: Any, booth: ChipBooth, lines: list[str]) -> DocumentScreen:
    booth.optical.feed_lines(lines)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))
    return document_screen(pilot)


async def save_expecting(pilot: Any, booth: ChipBooth, count: int) -> None:
    from tests.tui.helpers import saved

    await pilot.press("enter", "enter")
    await saved(pilot, booth, count)  # a referral: the photo refused

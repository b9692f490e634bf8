"""Booth fixtures: a real outbox in tmp, the FakeReader, one officer, a booth with a chip reader
(helpers in tests/tui/helpers.py and tests/tui/chip_booth.py)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from config.models import Config
from drivers.fake import FakeReader
from messaging.outbox import Outbox
from terminal.app import make_app
from terminal.officers import OfficerStore
from tests.tui.helpers import OFFICER, PIN, Booth, BoothFactory, fixed_clock, id_counter

if TYPE_CHECKING:
    from tests.tui.chip_booth import ChipBooth
    from tools.epassport_sim import TestPki

_HASHED: dict[str, str] = {}


@pytest.fixture(autouse=True)
def utc_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times on screen are local: pin the zone so snapshots do not depend on the machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="session")
def officers_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("etc") / "officers.toml"
    OfficerStore(path).add(OFFICER, PIN)  # scrypt once per session
    return path


@pytest.fixture
def make_booth(tmp_path: Path, officers_file: Path) -> Iterator[BoothFactory]:
    made: list[Booth] = []

    def factory(*, outbox: Any = None, watchlist: Any = None, **config: Any) -> Booth:
        data_dir = tmp_path / f"data{len(made)}"
        data_dir.mkdir()
        terminal = {"data_dir": str(data_dir), "officers_file": str(officers_file), **config}
        cfg = Config.model_validate({"terminal": terminal})
        box = outbox if outbox is not None else Outbox(data_dir / "outbox.sqlite3")
        reader = FakeReader(name="mrz")
        app = make_app(
            cfg,
            reader,
            box,
            watchlist=watchlist if watchlist is not None else (lambda: None),
            clock=fixed_clock,
            new_id=id_counter(),
            status_interval_s=30.0,  # pilot waits for an idle process: no busy timers
        )
        booth = Booth(app, reader, box, data_dir)
        made.append(booth)
        return booth

    yield factory
    for booth in made:
        booth.reader.close()
        close = getattr(booth.outbox, "close", None)
        if close:
            close()


os.environ.setdefault("IMDMS_PHOTO", "halfcell")


@pytest.fixture(scope="module")
def pki() -> TestPki:
    from tools.epassport_sim import make_test_pki

    return make_test_pki()


@pytest.fixture
def chip_booth(tmp_path: Path, officers_file: Path, pki: TestPki) -> Iterator[ChipBooth]:
    """A booth whose chip reader sits on an in-process simulated slot (tests/tui/chip_booth.py)."""
    from tests.tui.chip_booth import ChipBooth

    booth = ChipBooth(tmp_path, officers_file, pki)
    yield booth
    booth.close()

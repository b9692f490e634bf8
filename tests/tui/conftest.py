"""Booth fixtures: a fixed clock and ids, a real outbox in tmp, the FakeReader, one officer."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from config.models import Config
from drivers.fake import FakeReader
from messaging.outbox import Outbox
from ocr.specimens import specimens
from records.record import CrossingRecord
from terminal.app import make_app
from terminal.booth import BoothApp
from terminal.officers import OfficerStore

NOW = datetime(2026, 11, 27, 8, 30, 0, tzinfo=UTC)
OFFICER, PIN = "msu-017", "4321"
_HASHED: dict[str, str] = {}


def fixed_clock() -> datetime:
    return NOW


def id_counter() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"01937a00-0000-7000-8000-{next(counter):012d}"


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


async def wait_for(pilot: Any, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Await a condition the UI reaches asynchronously (reader threads, the save worker)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"UI did not reach the expected state; screen {pilot.app.screen}")
        await pilot.pause(0.02)


async def sign_in(pilot: Any, officer: str = OFFICER, pin: str = PIN) -> None:
    from terminal.screens.scan import ScanScreen

    screen = pilot.app.screen
    screen.query_one("#officer-id").value = officer
    screen.query_one("#pin").value = pin
    screen.query_one("#pin").focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ScanScreen))


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


os.environ.setdefault("IMDMS_PHOTO", "halfcell")

"""The booth's document screen shows the centre's answer (real broker), or "history unavailable"
with what this booth saw; the centre's last category is proposed when the booth has none."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from central.db import Database
from messaging.outbox import Outbox
from messaging.seal import Opener, Sealer, new_key_pair
from records.codes import Direction
from tests.helpers import wait_for
from tests.history.rig import start_responder
from tests.messaging.helpers import start_forwarder
from tests.trace.people import crossing
from tests.tui.conftest import make_booth, officers_file
from tests.tui.helpers import BoothFactory, read_and_open, screen_text, sign_in

__all__ = ["make_booth", "officers_file"]
pytestmark = pytest.mark.peer


def _centre(path: Path) -> str:
    """The specimen LSO passport crossed twice before, last as a mineworker."""
    db = Database(str(path))
    for days, direction, post in ((0, Direction.EXIT, "MSU-BRIDGE"),
                                  (2, Direction.ENTRY, "FICKSBURG")):
        rec = crossing(doc="LSO:RA0284713", dob="1992-08-18", nationality="LSO",
                       direction=direction, post=post, days=days)
        rec["traveller_category"] = "MINEWORKER"
        rec["purpose"] = "EMPLOYMENT"
        assert db.ingest(json.dumps(rec).encode()).outcome == "stored"
    db.commit()
    db.close()
    return str(path)


async def test_the_centre_answer_is_shown_and_proposes(
        tmp_path: Path, broker: Any, make_booth: BoothFactory) -> None:
    private, public = new_key_pair()
    _r, stop, thread = start_responder(broker.port, _centre(tmp_path / "c.sqlite3"),
                                       Opener.from_pem(private))
    sealer = Sealer.from_pem(public)
    booth = make_booth(outbox=Outbox(tmp_path / "booth.sqlite3", sealer=sealer))
    booth.app.settings.forwarding = True
    fwd = start_forwarder(Outbox(tmp_path / "fwd.sqlite3", disk_floor_mb=1), booth.data_dir,
                          broker.port)
    try:
        while not (booth.data_dir / "history.sock").exists():
            time.sleep(0.05)
        async with booth.app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            await read_and_open(pilot, booth, "lso_passport")
            await wait_for(pilot, lambda: "HISTORY (centre)" in screen_text(pilot.app))
            text = screen_text(pilot.app)
            assert "ENTRY FICKSBURG" in text and "EXIT MSU-BRIDGE" in text
            assert "LAST TIME" in text and "Mineworker" in text  # the centre's proposal
    finally:
        fwd.halt()
        stop.set()
        thread.join(10)


async def test_offline_the_booth_says_unavailable(tmp_path: Path,
                                                  make_booth: BoothFactory) -> None:
    booth = make_booth()
    booth.app.settings.forwarding = True  # a broker is configured, but no forwarder runs
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await read_and_open(pilot, booth, "lso_passport")
        await wait_for(pilot, lambda: "HISTORY UNAVAILABLE" in screen_text(pilot.app))
        assert "last 30 days: no crossing" in screen_text(pilot.app)

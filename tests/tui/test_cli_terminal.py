"""`imdms terminal` outside a terminal, and the status bar's link and outbox readings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imdms.cli import main
from terminal.status import read_link, read_queue


def test_terminal_needs_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["terminal", "--demo"]) == 2
    err = capsys.readouterr().err
    assert "needs a terminal" in err and "what to do" in err and "Traceback" not in err


def test_link_status_from_the_forwarder_file(tmp_path: Path) -> None:
    assert read_link(tmp_path, forwarding=False).text == "local only"
    assert read_link(tmp_path, forwarding=True).online is False  # no forwarder yet
    status = tmp_path / "forwarder-status.json"
    status.write_text(json.dumps({"online": True, "since": "2026-11-27T08:00:00Z"}))
    assert read_link(tmp_path, forwarding=True).text == "online"
    status.write_text(json.dumps({"online": False, "last_error": "refused"}))
    assert read_link(tmp_path, forwarding=True).text == "offline"
    status.write_text("{not json")
    assert read_link(tmp_path, forwarding=True).online is None


def test_queue_status_never_raises() -> None:
    class Broken:
        def status(self) -> Any:
            raise OSError("disk gone")

    assert read_queue(Broken()).text == "outbox ?"


async def test_a_reader_that_does_not_open_still_leaves_a_working_booth(
    make_booth: Any,
) -> None:
    from terminal.screens.error_modal import ErrorModal
    from terminal.screens.signin import SignInScreen
    from tests.helpers import wait_for
    from tests.tui.helpers import screen_text, sign_in

    booth = make_booth()
    booth.app.report_reader_failure("serial_mrz", "/dev/imdms-mrz does not exist",
                                    "plug the reader in")
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ErrorModal))
        text = screen_text(pilot.app)
        assert "does not exist" in text and "type the MRZ with F3" in text
        await pilot.press("enter")
        assert isinstance(pilot.app.screen, SignInScreen)
        await sign_in(pilot)
        assert "reader error" in str(booth.app.status_line())
        assert "serial_mrz: error" in screen_text(pilot.app)

"""The real `imdms terminal --demo` in tmux at 80x24: sign in, read, save, as an officer would."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.peers import require_executable

pytestmark = pytest.mark.peer


class Tmux:
    def __init__(self, tmux: str, socket: str) -> None:
        self.tmux = tmux
        self.socket = socket

    def run(self, *args: str) -> str:
        out = subprocess.run(
            [self.tmux, "-L", self.socket, *args],
            check=True, capture_output=True, text=True, timeout=10,
        )
        return out.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "booth")

    def keys(self, *keys: str) -> None:
        for key in keys:  # one at a time: a terminal delivers a person's keys one by one
            self.run("send-keys", "-t", "booth", key)
            time.sleep(0.05)

    def wait(self, predicate: Callable[[str], bool], what: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"screen never showed {what}:\n{screen}")

    def wait_text(self, text: str, timeout: float = 30.0) -> str:
        return self.wait(lambda s: text in s, repr(text), timeout)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    exe = require_executable("tmux")
    session = Tmux(exe, f"imdms-test-{os.getpid()}")
    yield session
    subprocess.run([exe, "-L", session.socket, "kill-server"], capture_output=True, timeout=10)


def test_demo_in_tmux(tmux: Tmux, tmp_path: Path) -> None:
    imdms = Path(sys.executable).parent / "imdms"
    assert imdms.exists(), "the project is not installed in this venv (./bootstrap setup)"
    demo = tmp_path / "demo"
    command = f"{imdms} terminal --demo --demo-dir {demo}; echo EXIT=$?; sleep 30"
    env = {"TERM": "xterm-256color"}
    tmux.run("new-session", "-d", "-s", "booth", "-x", "80", "-y", "24",
             *[f"-e{k}={v}" for k, v in env.items()], command)
    screen = tmux.wait_text("officer sign-in")
    assert "PIN 1234" in screen  # the demo officer is shown on the sign-in screen
    tmux.keys("d", "e", "m", "o")
    tmux.wait(lambda s: "│ demo " in s, "the typed officer id")
    tmux.keys("Tab")
    time.sleep(0.3)
    tmux.keys("1", "2", "3", "4")
    tmux.wait_text("••••")
    tmux.keys("Enter")
    screen = tmux.wait_text("Present the next document")
    assert "demo | ENTRY | reader ok" in screen
    tmux.keys("F2")
    screen = tmux.wait_text("Composite")
    assert "Number" in screen and "ok" in screen
    tmux.keys("Enter")
    tmux.wait_text("Category")
    tmux.keys("Enter")
    screen = tmux.wait_text("Saved: ..")
    assert "admitted" in screen and "to send" in screen
    for line in screen.splitlines():
        assert len(line) <= 80
    tmux.keys("C-q")
    tmux.wait_text("EXIT=0")
    from messaging.audit import is_audit
    from messaging.outbox import Outbox

    with Outbox(demo / "outbox.sqlite3") as box:
        stored = [d for _, d in box.iter_all()]
    (record,) = [d for d in stored if not is_audit(d)]
    assert [d["kind"] for d in stored if is_audit(d)] == ["sign_in", "sign_out"]
    assert record["officer_id"] == "demo" and record["capture_method"] == "MRZ_READER"

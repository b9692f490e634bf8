"""Pseudo-terminals standing in for USB serial readers: a pty at a stable path that can be unplugged
and plugged back in, and socat's pty pair (a real tty with termios, for baud and framing)."""

from __future__ import annotations

import os
import subprocess
import time
import tty
from pathlib import Path

from tests.helpers import wait_until
from tests.peers import require_executable


class Pty:
    """A pseudo-terminal standing in for a USB reader at a stable path (a symlink to the pts),
    which can be unplugged (both ends closed, link removed) and plugged back in."""

    def __init__(self, directory: Path) -> None:
        self.link = directory / "ttyMRZ"
        self.master: int | None = None
        self.slave: int | None = None
        self.plug()

    @property
    def path(self) -> str:
        return str(self.link)

    def plug(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        tmp = self.link.with_suffix(".new")
        os.symlink(os.ttyname(self.slave), tmp)
        os.replace(tmp, self.link)

    def unplug(self) -> None:
        for fd in (self.master, self.slave):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None
        self.link.unlink(missing_ok=True)

    def write(self, data: bytes, baud: int = 0) -> None:
        """Write as the device would; `baud` paces ~10 ms chunks at that line rate."""
        assert self.master is not None, "unplugged"
        chunk = max(1, baud // 1000) if baud else len(data)
        for start in range(0, len(data), chunk):
            os.write(self.master, data[start : start + chunk])
            if baud:
                time.sleep(chunk * 10 / baud)


class SocatPty:
    """socat serving a pty at a fixed link path; stdin feeds it. Stopping socat removes the
    link, starting it again brings the same path back (a USB replug)."""

    def __init__(self, link: Path) -> None:
        self.exe = require_executable("socat")
        self.link = link
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.exe, "STDIO", f"pty,raw,echo=0,link={self.link}"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        assert wait_until(self.link.exists, 5), "socat did not create its pty"

    def write(self, data: bytes) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def stop(self) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.stdin is not None:
            proc.stdin.close()
        proc.terminate()
        proc.wait(5)
        assert wait_until(lambda: not self.link.exists(), 5)

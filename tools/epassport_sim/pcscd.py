"""Run a private `pcscd -f` for tests and benchmarks (root; vpcd's driver installed).

A SIGKILLed pcscd leaves /run/pcscd/pcscd.comm and pcscd.pid behind, which block the next
start: they are removed first (unless a live pcscd owns them). pcscd gives no readiness signal,
so `start()` retries listing readers until the vpcd slot appears. `stop()` ends it by PID.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
VPCD_CONF = Path("/etc/reader.conf.d/vpcd")
RUN_DIR = Path("/run/pcscd")
READER = "Virtual PCD 00 00"
LOCK_FILE = Path("/run/lock/imdms-test-pcscd.lock")


class PcscdError(RuntimeError):
    pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_run_files() -> None:
    pid_file = RUN_DIR / "pcscd.pid"
    if pid_file.exists():
        try:
            pid = int(pid_file.read_text().strip() or 0)
        except ValueError:
            pid = 0
        if pid and _alive(pid):
            raise PcscdError(f"another pcscd (pid {pid}) is running: stop it first")
    for name in ("pcscd.comm", "pcscd.pid"):
        (RUN_DIR / name).unlink(missing_ok=True)


def find_pcscd() -> str | None:
    return shutil.which("pcscd") or shutil.which("pcscd", path="/usr/sbin:/sbin")


class Pcscd:
    """`with Pcscd(log_path) as reader_name:` runs pcscd for the block."""

    def __init__(self, log: Path | None = None, exe: str | None = None) -> None:
        self.exe = exe or find_pcscd() or "pcscd"
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self._lock_fd: int | None = None

    def _lock(self, timeout: float) -> None:
        """One private pcscd per machine: test sessions run side by side (several engineers,
        one box) take turns instead of failing on the shared /run/pcscd and port 35963."""
        LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._lock_fd = fd
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise PcscdError("another test session holds pcscd for too long") from None
                time.sleep(0.1)  # flock has no timeout of its own

    def start(self, timeout: float = 15.0, lock_timeout: float = 300.0) -> str:
        self._lock(lock_timeout)
        try:
            clean_stale_run_files()
        except PcscdError:
            self._unlock()
            raise
        out = self.log.open("wb") if self.log else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(
                [self.exe, "-f", "-i"], stdout=out, stderr=subprocess.STDOUT
            )
        finally:
            if self.log and not isinstance(out, int):
                out.close()
        try:
            self._wait_for_reader(timeout)
        except BaseException:
            self.stop()
            raise
        return READER

    def _tail(self) -> str:
        if self.log is None:
            return ""
        try:
            return ": " + self.log.read_text(errors="replace")[-600:]
        except OSError:
            return ""

    def _wait_for_reader(self, timeout: float) -> None:
        from smartcard import scard

        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise PcscdError(f"pcscd exited with status {self.proc.returncode}{self._tail()}")
            hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hresult == scard.SCARD_S_SUCCESS:
                try:
                    hresult, readers = scard.SCardListReaders(ctx, [])
                    if hresult == scard.SCARD_S_SUCCESS and any(READER in r for r in readers):
                        return
                finally:
                    scard.SCardReleaseContext(ctx)
            time.sleep(0.05)  # pcscd offers no readiness signal to wait on
        raise PcscdError(f"pcscd did not list the vpcd reader in time{self._tail()}")

    def stop(self) -> None:
        """SIGTERM by PID, SIGKILL after 10 s; then remove its run files. Idempotent."""
        proc, self.proc = self.proc, None
        if proc is None:
            self._unlock()
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        clean_stale_run_files()
        self._unlock()

    def _unlock(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

"""The forwarder's history relay as its own process (what `imdms doctor` probes on a booth)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCRIPT = """
import sys, time
from pathlib import Path
from messaging.history_relay import HistoryRelay
relay = HistoryRelay(Path(sys.argv[1]), online=lambda: True)
relay.start()
print("ready", flush=True)
sys.stdin.read()  # until the test closes our stdin
relay.close()
"""


@contextmanager
def relay_process(data_dir: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(data_dir)], text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parents[2])
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 10
        while not (data_dir / "history.sock").exists():
            assert time.monotonic() < deadline, "the relay made no socket"
            time.sleep(0.02)
        yield proc
    finally:
        if proc.poll() is None:
            assert proc.stdin is not None
            proc.stdin.close()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

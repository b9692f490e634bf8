"""`imdms forward` on a booth with no broker configured stays up quietly (systemd would otherwise
restart it every few seconds) and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path


def test_forward_without_broker_idles_until_sigterm(tmp_path: Path) -> None:
    cfg = tmp_path / "terminal.toml"
    cfg.write_text(f'[terminal]\ndata_dir = "{tmp_path}"\n')
    proc = subprocess.Popen(
        [sys.executable, "-m", "imdms.cli", "forward", "--config", str(cfg)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.5)
        assert proc.poll() is None, "the forwarder exited instead of idling"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=40)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "forwarding is disabled" in err

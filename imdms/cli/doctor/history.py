"""Doctor check of the booth's history relay: <data_dir>/history.sock, which the forwarder
serves (messaging/history_relay.py) so the booth can ask the centre for a document's last
crossings. Without it the booth still works and shows only what it saw itself."""

from __future__ import annotations

import socket
import stat

from imdms.checks import CheckResult, Status
from imdms.cli.doctor.base import DoctorContext, skip_without_config

NAME = "history"
LOGS = "journalctl -u imdms-forwarder -b -n 50"
FALLBACK = "the booth shows only its own 30 days"


def check_history(ctx: DoctorContext) -> CheckResult:
    """PASS when the socket exists, is owner-only and something accepts on it."""
    if (skipped := skip_without_config(ctx, NAME)) is not None:
        return skipped
    assert ctx.config is not None
    if not ctx.config.broker.host:
        return CheckResult(NAME, Status.SKIP, f"no broker configured: {FALLBACK}")
    from messaging.history_relay import SOCKET_FILE

    path = ctx.config.terminal.data_dir / SOCKET_FILE
    restart = f"sudo systemctl restart imdms-forwarder; {LOGS}"
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return CheckResult(NAME, Status.WARN, f"no history relay ({path.name} missing): "
                           f"{FALLBACK}", restart)
    except OSError as err:
        return CheckResult(NAME, Status.WARN, f"{path.name} cannot be read "
                           f"({err.__class__.__name__}): {FALLBACK}",
                           "run imdms doctor as root or the imdms user")
    if not stat.S_ISSOCK(mode):
        return CheckResult(NAME, Status.FAIL, f"{path} is not a socket",
                           f"sudo rm {path}; {restart}")
    if mode & 0o077:
        return CheckResult(NAME, Status.FAIL, f"{path.name} is open to other users "
                           f"(mode {stat.S_IMODE(mode):04o})", restart)
    return _connect(path, min(ctx.timeout_s, 2.0), restart)


def _connect(path: object, timeout_s: float, restart: str) -> CheckResult:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(timeout_s)
    try:
        probe.connect(str(path))
    except PermissionError:
        return CheckResult(NAME, Status.WARN, "the history relay refuses this user",
                           "run imdms doctor as root or the imdms user")
    except (ConnectionRefusedError, FileNotFoundError):
        return CheckResult(NAME, Status.WARN, f"stale history socket, nothing listens: "
                           f"{FALLBACK}", restart)
    except OSError as err:
        return CheckResult(NAME, Status.WARN, f"history relay unreachable "
                           f"({err.__class__.__name__}): {FALLBACK}", restart)
    finally:
        probe.close()  # an empty connection: the relay drops it without a word
    return CheckResult(NAME, Status.PASS, "the forwarder's history relay answers")

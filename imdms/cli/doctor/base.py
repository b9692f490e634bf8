"""What every doctor check returns, and the context the checks share.

A check is a plain function `check(ctx: DoctorContext) -> CheckResult`. It never raises (the
runner turns a crash into a FAIL), never prints, and never puts personal data in its message: the
lines are read aloud over the phone and pasted into tickets.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.secrets import credentials_dir
from imdms.checks import CheckResult, Status

if TYPE_CHECKING:
    from config.models import Config

@dataclass(frozen=True, slots=True)
class CommandOutput:
    returncode: int
    stdout: str


Runner = Callable[[Sequence[str], float], CommandOutput]


def run_command(argv: Sequence[str], timeout_s: float) -> CommandOutput:
    """Run a helper (timedatectl, systemctl, ...); 127 when missing, 124 on timeout."""
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout_s,
                              check=False)
    except FileNotFoundError:
        return CommandOutput(127, "")
    except subprocess.TimeoutExpired:
        return CommandOutput(124, "")
    except OSError:
        return CommandOutput(126, "")
    return CommandOutput(done.returncode, done.stdout)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class DoctorContext:
    """Shared inputs. Tests replace `run`, `now`, `list_pcsc_readers` and the paths.

    `config` is set by the config check; None means the config is missing or invalid and the
    checks that need it report SKIP.
    """

    config_path: Path
    config: Config | None = None
    credentials_dir: Path = field(default_factory=credentials_dir)  # config/secrets.py's order
    run: Runner = run_command
    now: Callable[[], datetime] = _utc_now
    timeout_s: float = 5.0
    service_user: str = "imdms"
    units_dir: Path = Path("/etc/systemd/system")  # where deploy/install.sh put the units
    list_pcsc_readers: Callable[[], list[str]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def skip_without_config(ctx: DoctorContext, name: str) -> CheckResult | None:
    if ctx.config is None:
        return CheckResult(name, Status.SKIP, "not checked: the config did not load",
                           "fix the config first (see the config line)")
    return None

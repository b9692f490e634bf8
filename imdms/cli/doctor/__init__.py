"""`imdms doctor`: one line per check, PASS/WARN/FAIL (or SKIP) and what to do.

Each check is a function `check(ctx) -> CheckResult` (see base.py), so tests call them one by one
with a DoctorContext pointing at temporary files. `run_checks` runs them in order; the config
check comes first because the others read `ctx.config`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from imdms.checks import CheckResult, Status
from imdms.cli.doctor.base import DoctorContext
from imdms.cli.doctor.broker import check_broker
from imdms.cli.doctor.devices import check_camera, check_chip, check_reader
from imdms.cli.doctor.history import check_history
from imdms.cli.doctor.outbox import check_forwarder, check_outbox
from imdms.cli.doctor.seal import check_seal
from imdms.cli.doctor.system import (
    check_clock,
    check_config,
    check_credentials,
    check_disk,
    check_files,
    check_officers,
    check_services,
)

Check = Callable[[DoctorContext], CheckResult]

CHECKS: dict[str, Check] = {
    "config": check_config,
    "files": check_files,
    "officers": check_officers,
    "reader": check_reader,
    "camera": check_camera,
    "chip": check_chip,
    "secrets": check_credentials,
    "seal": check_seal,
    "broker": check_broker,
    "disk": check_disk,
    "clock": check_clock,
    "outbox": check_outbox,
    "forwarder": check_forwarder,
    "history": check_history,
    "services": check_services,
}

__all__ = ["CHECKS", "CheckResult", "DoctorContext", "Status", "run_check", "run_checks"]


def run_check(name: str, check: Check, ctx: DoctorContext) -> CheckResult:
    """Run one check; a crash becomes a FAIL line (a doctor must never die half-way)."""
    try:
        return check(ctx)
    except Exception as err:  # noqa: BLE001 - reported, not hidden
        return CheckResult(name, Status.FAIL, f"the check itself failed: {err.__class__.__name__}: "
                           f"{str(err)[:160]}", "report this line to the imdms maintainers")


def run_checks(ctx: DoctorContext, only: Iterable[str] = ()) -> list[CheckResult]:
    """Run the selected checks (all when `only` is empty); the config is always loaded first."""
    wanted = set(only)
    results = []
    for name, check in CHECKS.items():
        if wanted and name not in wanted and name != "config":
            continue
        result = run_check(name, check, ctx)
        if not wanted or name in wanted:
            results.append(result)
    return results

"""The doctor's line for referral cases (`imdms doctor --central`): counts only."""

from __future__ import annotations

import time

from central.cases import notices
from central.cases.schema import ensure_schema
from central.db import Database
from config.models import Config
from imdms.checks import CheckResult, Status


def check_cases(config: Config) -> CheckResult:
    """FAIL when a notice failed for good, WARN while one is retrying late or nobody is on the
    roster, else PASS with the open cases."""
    try:
        db = Database(config.collector.database)
    except Exception as err:  # check_database reports the reason
        return CheckResult("cases", Status.FAIL, f"no database ({err.__class__.__name__})",
                           "see the database line above")
    try:
        ensure_schema(db)
        failed, late = notices.problems(db, int(time.time() * 1000))
        open_cases = int(db.query("SELECT COUNT(*) FROM cases WHERE status <> 'closed'")[0][0])
    except Exception as err:
        return CheckResult("cases", Status.FAIL, f"cannot read the case tables: {db.describe(err)}",
                           "check collector.database and the role's rights")
    finally:
        db.close()
    if failed:
        return CheckResult(
            "cases", Status.FAIL, f"{failed} referral notice(s) failed, {open_cases} open cases",
            "imdms cases list shows which and why; phone the unit, fix [cases] smtp/roster")
    if late:
        return CheckResult("cases", Status.WARN, f"{late} referral notice(s) retrying",
                           "imdms cases list shows the last error of each")
    if not config.cases.roster:
        return CheckResult("cases", Status.WARN, f"no on-duty roster, {open_cases} open cases",
                           "add [[cases.roster.UNIT]] tables to the config (docs/tracing.md)")
    return CheckResult("cases", Status.PASS, f"{open_cases} open cases, every notice delivered")

"""Doctor checks of store-and-forward: the outbox's health and the forwarder's status file.

Run as root, the doctor opens the outbox as the file's owner (a child process): SQLite would
otherwise create root-owned -wal/-shm files that the booth's user could not open.
`python -m imdms.cli.doctor.outbox PATH` is that child: it prints the status as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from imdms.checks import CheckResult, Status
from imdms.cli.doctor.base import DoctorContext, skip_without_config

STALE_PENDING_S = 3600
EXPORT_HINT = "see `imdms outbox status`; keep a copy with `imdms outbox export DIR`"
IMPORT_HINT = ("see `imdms outbox status` for each rejected record's reason; the source file "
               "still holds them: fix it and import again")


def outbox_status(path: Path) -> dict[str, Any]:
    """The outbox's status as a dict (pending, quarantined, rejected_imports, oldest_age_s,
    last_error)."""
    from messaging.outbox import Outbox
    from messaging.receipts import NEVER_RECEIPTED

    box = Outbox(path)
    try:
        status: dict[str, Any] = box.status().to_dict()
        status["never_receipted"] = box.quarantine_reasons().get(NEVER_RECEIPTED, 0)
    finally:
        box.close()
    return status


def _status_as_owner(path: Path, timeout_s: float) -> dict[str, Any]:
    st = path.stat()
    if os.geteuid() != 0 or st.st_uid == 0:
        return outbox_status(path)
    done = subprocess.run(
        [sys.executable, "-m", "imdms.cli.doctor.outbox", str(path)],
        capture_output=True, text=True, timeout=timeout_s * 4, check=False,
        user=st.st_uid, group=st.st_gid, extra_groups=[],
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(last[:200])
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def check_outbox(ctx: DoctorContext) -> CheckResult:
    """Pending and quarantined records, the oldest pending age and the last forwarding error."""
    if (skipped := skip_without_config(ctx, "outbox")) is not None:
        return skipped
    assert ctx.config is not None
    path = ctx.config.outbox_path()
    if not path.exists():
        return CheckResult("outbox", Status.PASS, f"no outbox yet at {path} (made at the first "
                           "crossing)")
    try:
        status = _status_as_owner(path, ctx.timeout_s)
    except ImportError:
        return CheckResult("outbox", Status.WARN, "the outbox module is not installed",
                           "reinstall: sudo deploy/install.sh")
    except Exception as err:  # OutboxError, sqlite errors, the child's failure
        text = getattr(err, "message", None) or str(err)
        return CheckResult("outbox", Status.FAIL, f"cannot open the outbox ({text[:160]})",
                           "check the disk and the data folder's owner (see files); "
                           "do not delete the file: it holds unsent crossings")
    pending = int(status.get("pending") or 0)
    quarantined = int(status.get("quarantined") or 0)
    rejected_imports = min(quarantined, int(status.get("rejected_imports") or 0))
    never = min(quarantined - rejected_imports, int(status.get("never_receipted") or 0))
    refused = quarantined - rejected_imports - never
    oldest = status.get("oldest_age_s")
    last_error = status.get("last_error")
    awaiting = int(status.get("awaiting_receipt") or 0)
    sent_age = status.get("oldest_unreceipted_age_s")
    text = f"{pending} pending, {quarantined} quarantined"
    if awaiting or ctx.config.outbox.receipts:
        text += f", {awaiting} awaiting receipt" + (
            f" (oldest sent {float(sent_age) / 60:.0f} min ago)" if sent_age is not None else "")
    problems: list[str] = []
    hints: list[str] = []
    if refused:
        problems.append(f"{refused} record(s) refused by the broker")
    if never:
        problems.append(f"{never} record(s) never receipted by central (sent, acknowledged by "
                        "the broker, not committed: check the broker ACL and the collector)")
    if sent_age is not None and float(sent_age) > STALE_PENDING_S:
        problems.append(f"a receipt is overdue by {float(sent_age) / 3600:.1f} h "
                        "(is the collector running?)")
    if rejected_imports:
        problems.append(f"{rejected_imports} imported record(s) failed validation "
                        "(not the broker's doing)")
        hints.append(IMPORT_HINT)
    if oldest is not None and float(oldest) > STALE_PENDING_S:
        problems.append(f"the oldest was recorded {float(oldest) / 3600:.1f} h ago")
    if last_error:
        problems.append(f"last error: {str(last_error)[:120]}")
    if refused or never or last_error or (pending and oldest is not None
                                 and float(oldest) > STALE_PENDING_S):
        hints.insert(0, EXPORT_HINT)
    if problems:
        return CheckResult("outbox", Status.WARN, text + "; " + "; ".join(problems),
                           "; ".join(hints))
    return CheckResult("outbox", Status.PASS, text)


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None


def check_forwarder(ctx: DoctorContext) -> CheckResult:
    """<data_dir>/forwarder-status.json is fresh and says the link is up."""
    if (skipped := skip_without_config(ctx, "forwarder")) is not None:
        return skipped
    assert ctx.config is not None
    if not ctx.config.broker.host:
        return CheckResult("forwarder", Status.SKIP, "no broker configured")
    path = ctx.config.terminal.data_dir / "forwarder-status.json"
    logs = "journalctl -u imdms-forwarder -b -n 50"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return CheckResult("forwarder", Status.WARN, "the forwarder has not reported yet",
                           f"sudo systemctl status imdms-forwarder; {logs}")
    except (OSError, ValueError) as err:
        return CheckResult("forwarder", Status.WARN, f"{path.name} unreadable "
                           f"({err.__class__.__name__})", logs)
    updated = _parse_time(str(data.get("updated_at", "")))
    max_age = max(3 * ctx.config.broker.heartbeat_s, 300)
    if updated is None or (age := (ctx.now() - updated).total_seconds()) > max_age:
        return CheckResult("forwarder", Status.WARN, "the forwarder's status is stale "
                           "(not running?)", f"sudo systemctl restart imdms-forwarder; {logs}")
    if not data.get("online"):
        since = str(data.get("since") or "?")
        error = str(data.get("last_error") or "no error given")[:120]
        return CheckResult("forwarder", Status.WARN, f"offline since {since}: {error}",
                           f"crossings are kept and sent later; check the broker line; {logs}")
    return CheckResult("forwarder", Status.PASS, f"online (status {age:.0f} s old)")


def main(argv: list[str]) -> int:
    print(json.dumps(outbox_status(Path(argv[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

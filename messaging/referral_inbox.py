"""Referral receipts handed from the forwarder to the booth through <data_dir>.

The forwarder (its own process) receives "referral received by <unit>" on
`<prefix>/<post>/<terminal>/referral-receipt` and appends it here; the booth reads what is new
since its last look (the status-bar tick) and shows it. The file holds case ids, units and
statuses only (no personal data), still mode 0600 like every file in the data dir.

Rules: one JSON object per line (messaging/referral_receipt.encode); the file keeps the last
KEEP receipts (rewritten atomically when it grows past twice that); a malformed message is
dropped with a log line that names no value.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from messaging.referral_receipt import ReferralReceipt, encode, parse

log = logging.getLogger(__name__)
INBOX_FILE = "referral-receipts.jsonl"
KEEP = 50


def append(data_dir: Path, payload: bytes) -> ReferralReceipt | None:
    """Store one received referral receipt; returns it, or None when it was malformed."""
    try:
        receipt = parse(payload)
    except ValueError as err:
        log.warning("referral receipt ignored: %s", err)
        return None
    path = Path(data_dir) / INBOX_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "ab") as out:
        out.write(encode(receipt).rstrip(b"\n") + b"\n")
    lines = path.read_bytes().splitlines()
    if len(lines) > 2 * KEEP:
        fd2, tmp = tempfile.mkstemp(dir=data_dir, prefix=f".{INBOX_FILE}-")
        with os.fdopen(fd2, "wb") as out:
            out.write(b"\n".join(lines[-KEEP:]) + b"\n")
        os.replace(tmp, path)
    return receipt


def read_new(data_dir: Path, seen: set[str]) -> list[ReferralReceipt]:
    """Receipts in the inbox whose (case id, status) is not in `seen` (which is updated)."""
    try:
        lines = (Path(data_dir) / INBOX_FILE).read_bytes().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            receipt = parse(line)
        except ValueError:
            continue
        key = f"{receipt.case_id}|{receipt.status}"
        if key not in seen:
            seen.add(key)
            out.append(receipt)
    return out

"""`imdms outbox status [--json]|export DIR|import FILE|requeue`: inspect and move the outbox.

status prints a short summary for people; --json prints one JSON object for scripts, with the
quarantined records' ids and reasons. export writes every unforwarded record (pending and
quarantined) as JSON Lines, mode 0600, for a USB stick when a post is offline for weeks; import
queues such a file on a connected terminal, keeping each record's terminal_id and record_id
(importing twice queues nothing twice) and names each rejected line with its reason.

Sealing (docs/security.md): with [seal] central_public_key set, crossings are sealed as they are
added (an imported crossing-v1 line on arrival, a clear row on export). An export is signed with
the terminal's Ed25519 key when its credential is present; import refuses a signed file that was
altered or that a terminal it does not trust signed, and takes unsigned files only while
[seal] accept_unsigned_v1 is true.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from imdms.errors import OutboxError

QUARANTINE_LISTED = 1000
REJECTIONS_SHOWN = 100


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "outbox", parents=[common], help="inspect, export and import the local outbox"
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    st = actions.add_parser(
        "status", parents=[common], help="pending, quarantined (ids, reasons), oldest age, errors"
    )
    st.add_argument("--json", action="store_true", help="one JSON object (for scripts)")
    st.set_defaults(func=status)
    ex = actions.add_parser(
        "export", parents=[common], help="write unforwarded records to DIR (JSONL, 0600)"
    )
    ex.add_argument("dir", type=Path, help="target folder, e.g. the USB stick's mount point")
    ex.set_defaults(func=export)
    im = actions.add_parser("import", parents=[common], help="queue records from an exported FILE")
    im.add_argument("file", type=Path, help="a file written by `imdms outbox export`")
    im.set_defaults(func=import_)
    rq = actions.add_parser(
        "requeue", parents=[common], help="put quarantined records back in the queue"
    )
    rq.set_defaults(func=requeue)


def _open(args: argparse.Namespace) -> Any:
    from config.loader import load_config
    from messaging.outbox import Outbox
    from messaging.seal_keys import sealer_for

    config = load_config(args.config, required=True)
    o = config.outbox
    return Outbox(
        config.outbox_path(),
        disk_floor_mb=o.disk_floor_mb,
        max_record_bytes=o.max_record_bytes,
        quarantine_after=o.quarantine_after,
        sent_retention_days=o.sent_retention_days,
        sealer=sealer_for(config, required=False),
    ), config


def status(args: argparse.Namespace) -> int:
    box, _config = _open(args)
    with box:
        data = box.status().to_dict()
        data["disk_free_mb"] = round(box.free_mb(), 1)
        data["quarantine_reasons"] = box.quarantine_reasons()
        listed = box.quarantined(QUARANTINE_LISTED)
    data["quarantined_records"] = [q.to_dict() for q in listed]
    if getattr(args, "json", False):
        print(json.dumps(data, sort_keys=True))
        return 0
    age = data["oldest_age_s"]
    # crossings and audit events apart: audit events are not records an officer waits on
    audit = data["pending_audit"]
    print(f"pending:      {data['pending']}"
          + (f" ({data['pending_crossings']} crossings, {audit} audit events)" if audit else "")
          + (f" (oldest recorded {_age(age)} ago)" if age is not None else ""))
    awaiting, sent_age = data["awaiting_receipt"], data["oldest_unreceipted_age_s"]
    if awaiting or _config.outbox.receipts:
        print(f"awaiting receipt: {awaiting}"
              + (f" (oldest sent {_age(sent_age)} ago)" if sent_age is not None else "")
              + ("" if _config.outbox.receipts else " (receipts are off now)"))
    print(f"quarantined:  {data['quarantined']}"
          + (f" ({data['rejected_imports']} rejected by an import)"
             if data["rejected_imports"] else ""))
    for q in listed:
        print(f"  {q.record_id}  {q.kind}  {q.reason}")
    if data["quarantined"] > len(listed):
        print(f"  ... {data['quarantined'] - len(listed)} more (--json lists {QUARANTINE_LISTED})")
    print(f"disk free:    {data['disk_free_mb']} MiB")
    print(f"last error:   {data['last_error'] or 'none'}")
    return 0


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _progress(done: int, total: int | None = None) -> None:
    if sys.stderr.isatty():
        end = "\r"
    else:
        end = "\n"
    text = f"{done}/{total} records" if total is not None else f"{done} records"
    print(text, end=end, file=sys.stderr, flush=True)


def export(args: argparse.Namespace) -> int:
    from messaging.export_file import ExportWriter
    from messaging.seal_keys import signing_key

    box, config = _open(args)
    key = signing_key(config)
    directory: Path = args.dir
    if not directory.is_dir():
        raise OutboxError(f"{directory} is not a folder", "mount the USB stick and give its folder")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"imdms-outbox-{config.terminal.border_post}-{config.terminal.terminal_id}-{stamp}.jsonl"
    target = directory / name
    with box:
        st = box.status()
        total = st.pending + st.quarantined
        tmp = target.with_suffix(".part")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                done = 0
                writer = None if key is None else ExportWriter(out, key, {
                    "terminal_id": config.terminal.terminal_id,
                    "border_post": config.terminal.border_post, "created_at": stamp})
                for _state, record in box.iter_all():
                    if box.sealer is not None and record.get("schema_version") == 1:
                        record = box.sealer.seal_record(record)  # stored before sealing
                    if writer is not None:
                        writer.write(record)
                    else:
                        out.write((json.dumps(record, separators=(",", ":"), sort_keys=True)
                                   + "\n").encode("utf-8"))
                    done += 1
                    if done % 1000 == 0:
                        _progress(done, total)
                if writer is not None:
                    writer.finish()
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise OutboxError(
                f"cannot write {target}: {err.strerror or err.__class__.__name__}",
                "check the stick is mounted read-write and has free space",
            ) from err
    _progress(done, total)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(target)
    print(
        f"exported {done} records; they stay queued here until forwarded",
        file=sys.stderr,
    )
    if key is None:
        print(f"warning: the export is NOT signed (no credential "
              f"{config.seal.signing_key_credential}); terminals that refuse unsigned files "
              "will not import it", file=sys.stderr)
    if box.sealer is None:
        print("warning: records were exported as stored, NOT sealed ([seal] "
              "central_public_key is not set)", file=sys.stderr)
    return 0


def _read_lines(path: Path, rejections: list[dict[str, Any]]) -> Any:
    """(line number, record dict) for each usable line; the others go to `rejections`."""
    with path.open("rb") as src:
        for number, raw in enumerate(src, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                rejections.append({"line": number, "reason": "not valid UTF-8"})
                continue
            if not line.strip() or (number == 1 and line.startswith('{"imdms_export":')) \
                    or line.startswith('{"imdms_signature":'):
                continue  # the frame of a signed export, checked by verify_export
            try:
                data = json.loads(line)
            except ValueError:
                rejections.append({"line": number, "reason": "not JSON"})
                continue
            if not isinstance(data, dict):
                rejections.append({"line": number, "reason": "not a JSON object"})
                continue
            yield number, data


def _verified_copy(path: Path, config: Any) -> Path:
    """A checked private copy of the export (see messaging.export_file). Raises SealError
    (refused: nothing imported), OutboxError (unreadable, or unsigned and not accepted)."""
    from messaging.export_file import verify_export
    from messaging.seal_keys import trusted_terminals

    data_dir: Path = config.terminal.data_dir
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, name = tempfile.mkstemp(prefix="import-", suffix=".jsonl", dir=data_dir)
    except OSError as err:
        raise OutboxError(f"cannot write to {data_dir}: {err.strerror or 'error'}",
                          "check the data folder's permissions and free space") from err
    os.close(fd)  # 0600; a name of its own, so two imports at once do not share it
    copy = Path(name)
    try:
        header = verify_export(path, copy, trusted_terminals(config))
    except OSError as err:
        copy.unlink(missing_ok=True)
        raise OutboxError(f"cannot read {path}: {err.strerror or err.__class__.__name__}",
                          "check the stick is mounted and the file is readable") from err
    except Exception:
        copy.unlink(missing_ok=True)
        raise
    if header is None and not config.seal.accept_unsigned_v1:
        copy.unlink(missing_ok=True)
        raise OutboxError(f"{path.name} is not signed: refused ([seal] accept_unsigned_v1 is "
                          "false)", "export again from a terminal that signs its exports")
    if header is None:
        print(f"warning: {path.name} is not signed (an export of an older terminal)",
              file=sys.stderr)
    return copy


def import_(args: argparse.Namespace) -> int:
    box, config = _open(args)
    given: Path = args.file
    if not given.is_file():
        raise OutboxError(
            f"{given} is not a file", "give the .jsonl file written by `imdms outbox export`"
        )
    if box.sealer is None:
        print("warning: [seal] central_public_key is not set: crossing-v1 lines are stored as "
              "they are, NOT sealed", file=sys.stderr)
    with box:
        path = _verified_copy(given, config)
        try:
            return _import_lines(box, path, given.name)
        finally:
            path.unlink(missing_ok=True)


def _import_lines(box: Any, path: Path, name: str) -> int:
    rejections: list[dict[str, Any]] = []
    counts = {"queued": 0, "known": 0, "rejected": 0}
    batch: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        results = box.add_many([d for _n, d in batch], imported=True, keep_rejected=True)
        for (number, _data), result in zip(batch, results, strict=True):
            counts[result.state] += 1
            if result.state == "rejected":
                rejections.append({"line": number, "reason": result.reason})
        batch.clear()
        _progress(sum(counts.values()))

    try:
        for item in _read_lines(path, rejections):
            batch.append(item)
            if len(batch) >= 500:
                flush()
        if batch:
            flush()
    except OSError as err:
        raise OutboxError(f"cannot read {path}: {err.strerror or err.__class__.__name__}",
                          "check the stick is mounted and the file is readable") from err
    if sys.stderr.isatty():
        print(file=sys.stderr)
    rejections.sort(key=lambda r: int(r["line"]))
    for r in rejections[:REJECTIONS_SHOWN]:
        print(f"{name} line {r['line']}: {r['reason']}", file=sys.stderr)
    if len(rejections) > REJECTIONS_SHOWN:
        print(f"... and {len(rejections) - REJECTIONS_SHOWN} more rejected lines",
              file=sys.stderr)
    if rejections:
        print("rejected records are kept in quarantine (see `imdms outbox status`); "
              "lines that are not records stay only in the file", file=sys.stderr)
    print(json.dumps({"queued": counts["queued"], "already_known": counts["known"],
                      "rejected": len(rejections), "rejections": rejections[:REJECTIONS_SHOWN]},
                     sort_keys=True))
    return 1 if rejections else 0


def requeue(args: argparse.Namespace) -> int:
    box, _config = _open(args)
    with box:
        count = box.requeue()
    print(json.dumps({"requeued": count}))
    return 0

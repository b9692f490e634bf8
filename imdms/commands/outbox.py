"""`imdms outbox status|export DIR|import FILE|requeue`: inspect and move the local outbox.

export writes every unforwarded record (pending and quarantined) as JSON Lines, mode 0600, for a
USB stick when a post is offline for weeks; import queues such a file on a connected terminal,
keeping each record's terminal_id and record_id (importing twice queues nothing twice).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from imdms.errors import OutboxError


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "outbox", parents=[common], help="inspect, export and import the local outbox"
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    st = actions.add_parser(
        "status", parents=[common], help="JSON: pending, quarantined, oldest age, last error"
    )
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

    config = load_config(args.config, required=True)
    o = config.outbox
    return Outbox(
        config.outbox_path(),
        disk_floor_mb=o.disk_floor_mb,
        max_record_bytes=o.max_record_bytes,
        quarantine_after=o.quarantine_after,
    ), config


def status(args: argparse.Namespace) -> int:
    box, _config = _open(args)
    with box:
        data = box.status().to_dict()
        data["disk_free_mb"] = round(box.free_mb(), 1)
        data["quarantine_reasons"] = box.quarantine_reasons()
    print(json.dumps(data, sort_keys=True))
    return 0


def _progress(done: int, total: int | None = None) -> None:
    if sys.stderr.isatty():
        end = "\r"
    else:
        end = "\n"
    text = f"{done}/{total} records" if total is not None else f"{done} records"
    print(text, end=end, file=sys.stderr, flush=True)


def export(args: argparse.Namespace) -> int:
    box, config = _open(args)
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
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                done = 0
                for _state, record in box.iter_all():
                    out.write(json.dumps(record, separators=(",", ":"), sort_keys=True) + "\n")
                    done += 1
                    if done % 1000 == 0:
                        _progress(done, total)
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
    return 0


def import_(args: argparse.Namespace) -> int:
    box, _config = _open(args)
    path: Path = args.file
    bad_lines = 0

    def records() -> Any:
        nonlocal bad_lines
        with path.open(encoding="utf-8") as src:
            for line in src:
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except ValueError:
                    bad_lines += 1
                    continue
                if isinstance(data, dict):
                    yield data
                else:
                    bad_lines += 1

    if not path.is_file():
        raise OutboxError(
            f"{path} is not a file", "give the .jsonl file written by `imdms outbox export`"
        )
    with box:
        queued, known, rejected = box.import_records(records(), progress=_progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(json.dumps({"queued": queued, "already_known": known,
                      "rejected": rejected + bad_lines}, sort_keys=True))
    return 1 if rejected + bad_lines else 0


def requeue(args: argparse.Namespace) -> int:
    box, _config = _open(args)
    with box:
        count = box.requeue()
    print(json.dumps({"requeued": count}))
    return 0

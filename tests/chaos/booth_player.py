"""Plays the booth in the chaos tests: its own process, saving crossings through Outbox.add().

    python -m tests.chaos.booth_player --config TOML --ids FILE [--rate 30] [--lifetime 3]
        [--poison-every N] [--notes-chars N] [--stop FILE]

It opens the outbox as the booth does (terminal/app.py), saves a record every 1/rate s, and
after each add() that returned appends `<record_id> <kind>` to FILE and fsyncs it: FILE is
the list of what the officer was told "saved". A refusal is appended as
`<record_id> refused:<ErrorClass>` (not saved; e.g. DiskFullError). After `lifetime` seconds
it closes the outbox and exits 0 (the harness starts it again: the booth being restarted);
it also exits when the stop file exists. --poison-every N makes every Nth record a poison:
a lone surrogate, a NUL or a record larger than the broker's message_size_limit, in turn.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from config.loader import load_config
from imdms.errors import ImdmsError
from messaging.outbox import Outbox
from tests.messaging.records import make_record

POISONS = ("surrogate", "nul", "oversized")


def _notes(kind: str, chars: int) -> str | None:
    if kind == "surrogate":
        return "lone \ud800 surrogate"
    if kind == "nul":
        return "a NUL \x00 byte"
    if kind == "oversized":
        return "x" * 2000  # the schema's notes maxLength; above the chaos broker's limit
    return "n" * chars if chars else None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--config", required=True)
    p.add_argument("--ids", required=True)
    p.add_argument("--rate", type=float, default=30.0, help="records per second (0: flat out)")
    p.add_argument("--lifetime", type=float, default=3.0, help="seconds before exiting")
    p.add_argument("--poison-every", type=int, default=0)
    p.add_argument("--notes-chars", type=int, default=0)
    p.add_argument("--stop", default="")
    p.add_argument("--start-index", type=int, default=0)
    args = p.parse_args(argv)
    config = load_config(args.config, required=True)
    o = config.outbox
    box = Outbox(config.outbox_path(), disk_floor_mb=o.disk_floor_mb,
                 max_record_bytes=o.max_record_bytes, quarantine_after=o.quarantine_after)
    fd = os.open(args.ids, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    stop = Path(args.stop) if args.stop else None
    deadline = time.monotonic() + args.lifetime
    index = args.start_index
    try:
        while time.monotonic() < deadline and not (stop and stop.exists()):
            index += 1
            kind = "normal"
            if args.poison_every and index % args.poison_every == 0:
                kind = POISONS[(index // args.poison_every) % len(POISONS)]
            record = make_record(terminal_id=config.terminal.terminal_id,
                                 notes=_notes(kind, args.notes_chars))
            try:
                box.add(record)
                line = f"{record.record_id} {kind}\n"
            except ImdmsError as err:
                line = f"{record.record_id} refused:{err.__class__.__name__}:{kind}\n"
                time.sleep(0.05)  # the officer reads the error before trying again
            os.write(fd, line.encode())
            os.fsync(fd)
            if args.rate > 0:
                time.sleep(1.0 / args.rate)
    finally:
        os.close(fd)
        box.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

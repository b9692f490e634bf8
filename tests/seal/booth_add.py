"""A booth-like process: `python -m tests.seal.booth_add CONFIG N` adds N travellers through
the outbox's add path (as the booth does), prints each record's JSON (what went in), then holds
the outbox open (so its -wal and -shm exist) until stdin closes."""

from __future__ import annotations

import sys

from config.loader import load_config
from messaging.outbox import Outbox
from messaging.seal_keys import sealer_for
from tests.seal.helpers import person


def main() -> None:
    config = load_config(sys.argv[1])
    with Outbox(config.outbox_path(), disk_floor_mb=1,
                sealer=sealer_for(config, required=True)) as box:
        for _ in range(int(sys.argv[2])):
            record = person(terminal_id=config.terminal.terminal_id)
            box.add(record)
            sys.stdout.write(record.to_json() + "\n")
        sys.stdout.write("added\n")
        sys.stdout.flush()
        sys.stdin.read()


if __name__ == "__main__":
    main()

"""The lock-loss bug (issue 12): opening and closing the outbox file outside SQLite while a
connection of the same process is open drops that process's POSIX locks; another process then
deletes -wal/-shm under it and records saved afterwards are lost.

Real processes: a "forwarder" holding two Outboxes (as its Committer did), and short-lived
processes that open and close the file the way `imdms outbox status` or the booth do.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.messaging.helpers import REPO

HOLDER = """
import sys
from messaging.outbox import Outbox
from tests.messaging.records import make_record

path = sys.argv[1]
box = Outbox(path)
box.add(make_record())          # the WAL is in use from here on
second = Outbox(path)           # a second Outbox in the same process (the old Committer)
second.status()
print("ready", flush=True)
sys.stdin.readline()            # others open and close the file meanwhile
ids = []
for _ in range(20):
    rec = make_record()
    box.add(rec)                # returns after a synced COMMIT: the record is "saved"
    ids.append(rec.record_id)
print(" ".join(ids), flush=True)
sys.stdin.readline()            # wait to be killed
"""

STATUS = """
import sys
from messaging.outbox import Outbox
box = Outbox(sys.argv[1])
print(box.status().pending)
box.close()
"""

COUNT_IDS = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(" ".join(r[0] for r in db.execute("SELECT record_id FROM outbox")))
db.close()
"""


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO))


def _run(script: str, path: Path) -> str:
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                          text=True, timeout=60, env=_env(), check=True, cwd=REPO)
    return done.stdout.strip()


def test_other_process_closing_does_not_delete_the_wal_under_a_holder(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=_env(), cwd=REPO)
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "ready"
        wal = Path(str(path) + "-wal")
        inode = wal.stat().st_ino
        for _ in range(3):  # `imdms outbox status`, doctor, the booth exiting...
            _run(STATUS, path)
        holder.stdin.write("\n")
        holder.stdin.flush()
        saved = set(holder.stdout.readline().split())
        assert len(saved) == 20
        # the holder's WAL is still the file everyone else sees
        assert wal.exists() and wal.stat().st_ino == inode
        assert saved <= set(_run(COUNT_IDS, path).split())
    finally:
        holder.send_signal(signal.SIGKILL)  # as a power cut would
        holder.wait(10)
    # after the holder dies without closing, every saved record is still in the file
    left = set(_run(COUNT_IDS, path).split())
    assert saved <= left, f"{len(saved - left)} of 20 saved records lost"

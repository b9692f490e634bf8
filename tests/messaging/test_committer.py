"""The committer deletes acknowledged rows; jobs queued behind a slow COMMIT go in one."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from messaging.committer import Committer
from messaging.outbox import Outbox
from tests.messaging.helpers import fill


def test_jobs_queued_behind_a_slow_commit_are_coalesced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    fill(box, 40)
    seqs = [row.seq for row in box.fetch(0, 100)]
    calls: list[int] = []
    real = Outbox.mark_sent

    def counted(self: Outbox, part: Sequence[int]) -> None:
        calls.append(len(part))
        real(self, part)
    monkeypatch.setattr(Outbox, "mark_sent", counted)
    # another process's writer holds the lock: the first delete waits (busy_timeout)
    committer = Committer(box)  # its own connection opens (and migrates) before the lock
    other = sqlite3.connect(tmp_path / "o.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        committer.submit(seqs[:10])
        time.sleep(0.2)  # the committer is now blocked in that first delete
        for start in range(10, 40, 10):
            committer.submit(seqs[start:start + 10])
        done = threading.Thread(target=committer.submit, args=([],), kwargs={"wait": True})
        done.start()
        time.sleep(0.2)
        assert done.is_alive()  # wait=True returns only once the earlier jobs are applied
        other.execute("COMMIT")
        done.join(10)
        assert not done.is_alive()
    finally:
        other.close()
        committer.close()
    assert box.status().pending == 0
    assert calls[0] == 10 and sum(calls) == 40 and len(calls) == 2, calls
    box.close()


def test_close_applies_what_is_queued(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    fill(box, 5)
    committer = Committer(box)
    committer.submit([row.seq for row in box.fetch(0, 100)])
    committer.close()
    assert box.status().pending == 0
    box.close()

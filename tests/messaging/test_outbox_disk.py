"""A full disk (issue 12): on a real 8 MiB file system the outbox refuses at the floor, and once
the forwarder (its own process) has drained the backlog, or the disk is freed, the booth (this
process) saves again without either process restarting. Old code: 0 of 100 after the drain."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from imdms.errors import DiskFullError
from messaging.outbox import Outbox
from tests.helpers import wait_until
from tests.messaging.helpers import REPO, forward_cmd, write_config
from tests.messaging.records import make_record
from tests.peers import require_peer

NOTE = "n" * 1200  # ~2 KiB records: a few thousand fill 8 MiB


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """An 8 MiB tmpfs (root only: `mount` needs CAP_SYS_ADMIN)."""
    require_peer("root (to mount an 8 MiB tmpfs)", os.geteuid() == 0)
    mnt = tmp_path / "small"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs",
                           str(mnt)], capture_output=True, text=True, check=False)
    require_peer("tmpfs mount", done.returncode == 0)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill_until_refused(box: Outbox) -> list[str]:
    ids: list[str] = []
    while True:
        rec = make_record(notes=NOTE)
        try:
            box.add(rec)
        except DiskFullError as err:
            assert "NOT saved" in err.message
            return ids
        ids.append(rec.record_id)


def _add(box: Outbox, n: int) -> list[str]:
    """Add n records; returns the ids of those accepted (the others raised DiskFullError)."""
    ids: list[str] = []
    for _ in range(n):
        rec = make_record(notes=NOTE)
        try:
            box.add(rec)
        except DiskFullError:
            continue
        ids.append(rec.record_id)
    return ids


def _fill_fs(path: Path) -> None:
    """Write a junk file until the file system is full (as another program might)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        chunk = b"\0" * 65536
        while True:
            try:
                os.write(fd, chunk)
            except OSError as err:
                assert err.errno == errno.ENOSPC
                if len(chunk) == 1:
                    return
                chunk = chunk[: len(chunk) // 2]
    finally:
        os.close(fd)


def test_full_disk_recovers_after_drain_and_after_freeing(
    small_fs: Path, broker: Any, collector_factory: Any
) -> None:
    data = small_fs / "data"
    data.mkdir()
    config = write_config(data, broker.port)  # [outbox] disk_floor_mb = 1
    collector = collector_factory(broker.port)
    collector.start()
    box = Outbox(data / "outbox.sqlite3", disk_floor_mb=1)  # the booth
    backlog = _fill_until_refused(box)
    assert len(backlog) > 500
    log = (small_fs.parent / "forward.log").open("w")  # off the small disk; read on failure
    proc = subprocess.Popen(forward_cmd(config), cwd=REPO, stderr=log)
    try:
        assert not collector.wait_for(set(backlog), timeout=90), "backlog not forwarded"
        assert wait_until(lambda: box.status().pending == 0, timeout=30)
        # the drain freed room: the same booth process saves again, the forwarder sends it
        fresh = _add(box, 100)
        assert len(fresh) == 100, f"after the drain only {len(fresh)} of 100 were accepted"
        assert not collector.wait_for(set(fresh), timeout=60)

        # another program fills the disk: refused, nothing lost; freed: saved again
        junk = small_fs / "junk"
        _fill_fs(junk)
        squeezed = _add(box, 20)  # free pages may take a few; the rest: DiskFullError
        junk.unlink()
        later = _add(box, 100)
        assert len(later) == 100, f"after freeing the disk only {len(later)} of 100 accepted"
        assert not collector.wait_for(set(later) | set(squeezed), timeout=60)
        assert proc.poll() is None, "the forwarder died"
        assert wait_until(lambda: box.status().pending == 0, timeout=30)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()
        box.close()

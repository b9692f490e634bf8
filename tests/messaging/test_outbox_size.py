"""The file shrinks after a backlog (issue 12 item 4): id-only tombstones, retention pruning and
incremental vacuum in Outbox.maintain(); the WAL stays near its limit."""

from __future__ import annotations

import time
from pathlib import Path

from messaging.outbox import Outbox
from messaging.outbox_db import WAL_LIMIT_BYTES
from tests.messaging.helpers import fill

MB = 1_000_000


def _size(path: Path) -> int:
    wal = Path(str(path) + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def test_backlog_forwarded_then_file_shrinks(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    box = Outbox(path, disk_floor_mb=1)
    twin = box.twin()  # the forwarder's committer deletes on its own connection
    ids: list[str] = []
    for _ in range(4):
        ids += fill(box, 5000)
    big = _size(path)
    assert big > 20 * MB
    wal_peak = 0
    while rows := box.fetch(0, 500):
        twin.mark_sent([r.seq for r in rows])
        wal_peak = max(wal_peak, Path(str(path) + "-wal").stat().st_size)
    # the WAL stays near its limit during the drain (one delete batch on top at most)
    assert wal_peak <= WAL_LIMIT_BYTES + 2 * MB
    box.maintain()
    after = _size(path)
    assert after < 5 * MB, f"{after / MB:.1f} MB after the backlog was forwarded"
    assert box.status().pending == 0
    # the tombstones still make a re-import idempotent
    assert box.import_records([{"record_id": rid} for rid in ids[:10]]) == (0, 10, 0)
    twin.close()
    box.close()


def test_maintain_prunes_past_the_retention(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3", sent_retention_days=30)
    ids = fill(box, 10)
    box.mark_sent([r.seq for r in box.fetch(0, 100)])
    old = int(time.time() - 31 * 86400)
    with box._tx() as db:  # five of them were sent 31 days ago
        keys = [r[0] for r in db.execute("SELECT record_id FROM sent LIMIT 5")]
        db.executemany("UPDATE sent SET sent_at = ? WHERE record_id = ?",
                       [(old, k) for k in keys])
    box.maintain()
    assert len(box._known_ids(ids)) == 5
    box.maintain()  # within the hour: no second prune, no error
    box.close()


def test_tombstone_is_small(tmp_path: Path) -> None:
    """About 30 bytes per forwarded record (16-byte id, the time): 100k fit in ~3 MB."""
    box = Outbox(tmp_path / "o.sqlite3")
    fill(box, 5000)
    box.mark_sent([r.seq for r in box.fetch(0, 10000)])
    box.maintain()
    used = box._query("SELECT SUM(pgsize) FROM dbstat WHERE name = 'sent'")[0][0]
    assert used / 5000 < 40, f"{used / 5000:.0f} bytes per tombstone"
    box.close()

"""When deletes cannot keep up, the forwarder stops publishing: what a crash would re-send stays
bounded by the window plus two delete batches (docs/messaging.md)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from messaging.forwarder import Forwarder, LinkSettings
from messaging.outbox import Outbox
from messaging.topics import Topics
from tests.helpers import wait_until
from tests.messaging.helpers import fill

pytestmark = pytest.mark.peer

WINDOW, BATCH = 10, 20


def test_a_stalled_delete_stops_publishing(tmp_path: Path, broker: Any,
                                           collector_factory: Any) -> None:
    col = collector_factory(broker.port)
    col.start()
    box = Outbox(tmp_path / "o.sqlite3")
    ids = fill(box, 3000)
    settings = LinkSettings("127.0.0.1", broker.port, client_id="fwd-bound", window=WINDOW,
                            backoff_min_s=0.1, backoff_max_s=0.5)
    fwd = Forwarder(settings, box, Topics("imdms/v1", "MSU-BRIDGE", "t1"), tmp_path,
                    ack_batch=BATCH)
    stop = threading.Event()
    thread = threading.Thread(target=fwd.run, args=(stop,), daemon=True)
    # another process holds the write lock (a stuck SD card would look the same): deletes wait
    other = sqlite3.connect(tmp_path / "o.sqlite3", isolation_level=None)
    try:
        thread.start()
        assert wait_until(lambda: fwd.connected and fwd.acknowledged > 0)
        other.execute("BEGIN IMMEDIATE")
        held_at = box.status().pending
        time.sleep(0.5)
        published = fwd.published
        time.sleep(0.3)
        assert fwd.published == published, "still publishing while nothing can be deleted"
        # everything acknowledged since the lock is still in the outbox: a crash re-sends it
        assert box.status().pending == held_at
        assert fwd.acknowledged - (len(ids) - held_at) <= WINDOW + 2 * BATCH
        other.execute("COMMIT")
        assert col.wait_for(set(ids)) == set()
        assert wait_until(lambda: box.status().pending == 0)
    finally:
        if other.in_transaction:
            other.execute("COMMIT")
        other.close()
        stop.set()
        thread.join(15)
    assert not thread.is_alive()
    box.close()

"""The forwarder's watchlist subscription: central publishes the signed national list retained
on `<prefix>/watchlist` and each change as a delta on `<prefix>/watchlist/delta` (QoS 1); each
new version is verified ([watchlist] public_key) and stored for the booth (messaging/watchlist.py
validates it and writes <data_dir>/watchlist.json, mode 0600: it holds personal data).

Threads: `handle()` runs in the forwarder's pump thread (paho's callback only queues the
payload). The booth reads the stored file on its own; nothing here is shared with it in memory.

Rules: the same version again (the retained copy, re-delivered at every reconnect) is ignored;
a malformed list is refused and the stored one kept (logged by its version, never by entries);
an empty retained payload (central cleared the topic) changes nothing.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from messaging.watchlist import Watchlist, store_payload

log = logging.getLogger("messaging.forwarder")  # the forwarder's log lines, as before the split

WATCHLIST_FILE = "watchlist.json"


class WatchlistSubscription:
    """The stored list and its updates. `watchlist` is the list as last stored (its `version`
    goes into every heartbeat)."""

    def __init__(self, data_dir: Path, topic: str, public_key: Path | None = None) -> None:
        self.path = Path(data_dir) / WATCHLIST_FILE
        self.topic = topic
        self.public_key = public_key  # None: <data_dir>/watchlist.pub
        self.watchlist = Watchlist.load(self.path)

    @property
    def version(self) -> str | None:
        return self.watchlist.version

    @staticmethod
    def topic_is_full(payload: bytes) -> bool:
        """A full list (not a delta): a delta names its base version."""
        return b'"kind":"delta"' not in payload.replace(b" ", b"")

    def handle(self, payload: bytes) -> bool:
        """A message on the watchlist topic; True when a new version was stored."""
        if not payload:
            return False
        try:
            version = json.loads(payload).get("version")
        except (ValueError, AttributeError):
            version = None
        # the retained full list again (every reconnect): versions are integers on the wire
        if version is not None and str(version) == self.watchlist.version \
                and self.topic_is_full(payload):
            return False
        try:
            self.watchlist = store_payload(self.path, payload, public_key=self.public_key)
        except (ValueError, OSError) as err:
            log.warning("watchlist update ignored (%s); keeping version %s", err,
                        self.watchlist.version)
            return False
        log.info("watchlist version %s stored (%d entries)", self.watchlist.version,
                 len(self.watchlist))
        return True

"""The collector's hook: open a case for each committed record that refers its traveller.

`Collector._process` calls after_commit() once per batch, after the commit and the commit
receipts, on the writer thread with its database. Opening is a few inserts; the notices are
sent by the Dispatcher's own thread. A failure here never undoes ingest (the records are
committed): it is logged and the next batch's sweep opens the missed cases from `records`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable

from central.cases.dispatcher import Dispatcher, Publish
from central.cases.roster import on_duty
from central.cases.schema import ensure_schema
from central.cases.store import open_case
from central.db import Database
from config.models import CasesConfig
from records.case_id import receiving_unit

log = logging.getLogger(__name__)

SWEEP_HOURS = 48  # the sweep reopens only recent referrals: an upgrade must not mail history


class CaseDesk:
    def __init__(self, config: CasesConfig, database: str, prefix: str,
                 publish: Publish | None, *, poll_s: float = 1.0, dispatch: bool = True) -> None:
        """dispatch: run the Dispatcher's thread (off: tests that send nothing)."""
        self.config = config
        self.dispatch = dispatch
        self.dispatcher = Dispatcher(config, database, prefix, publish, poll_s=poll_s)
        self._swept = False  # swept since the last failure
        self._started = False
        self.opened = 0  # cases opened by this collector (writer thread)

    def after_commit(self, db: Database, payloads: Iterable[bytes]) -> int:
        """Open the cases of the committed crossings (duplicates are harmless); commits.
        Returns cases opened. Never raises: ingest must go on."""
        try:
            opened = 0
            if not self._swept:
                ensure_schema(db)
                opened = sweep(db, self.config)
            if self.dispatch and not self._started:
                self.dispatcher.start()
                self._started = True
            now = int(time.time() * 1000)
            for payload in payloads:
                data = json.loads(payload)
                unit = receiving_unit(data)
                if unit is not None:
                    opened += open_case(db, data, on_duty(self.config, unit, now), now) is not None
            db.commit()
            self._swept = True
        except Exception as err:
            self._swept = False
            log.error("could not open referral cases: %s; the next batch sweeps for them",
                      err.__class__.__name__)
            try:
                db.rollback()
            except Exception:  # noqa: S110 - a lost connection: the collector reconnects
                pass
            return 0
        self.opened += opened
        if opened:
            self.dispatcher.wake()
        return opened

    def stop(self) -> None:
        self.dispatcher.stop()


def sweep(db: Database, config: CasesConfig) -> int:
    """Open the cases of recent referred crossings that have none (a failed after_commit, a
    collector killed between its commit and the case's). Returns cases opened."""
    since = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - SWEEP_HOURS * 3600))
    rows = db.query(
        "SELECT r.payload FROM records r WHERE r.is_current = 1 AND r.tip_referral <> 'NONE'"
        " AND r.received_at >= ? AND NOT EXISTS (SELECT 1 FROM cases c"
        " WHERE c.root_id = r.root_id)", (since,))
    now = int(time.time() * 1000)
    opened = 0
    for (payload,) in rows:
        data = json.loads(payload)
        unit = receiving_unit(data)
        if unit is not None:
            opened += open_case(db, data, on_duty(config, unit, now), now) is not None
    if opened:
        log.info("opened %d referral cases missed before", opened)
    return opened

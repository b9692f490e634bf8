"""Sending the notices of new cases, with retries, and the booth's referral receipt.

One thread per collector with its own database connection (central.db.Database is one
thread's), so a slow SMTP server never holds up ingest. It wakes when the collector opened a
case (wake()) and at least every `poll_s` for retries. A send that fails is retried after
cases.retry_min_s, doubling to retry_max_s, until cases.attempts; the last error and the count
show in `imdms cases list` and `imdms doctor --central`. Once a notice of a case is delivered,
or none is left to try, the case's referral receipt goes to the referring terminal.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from central.cases import notices
from central.cases.notify import NoticeError, Notifier, make_notifier
from central.cases.schema import ensure_schema
from central.db import Database
from config.models import CasesConfig
from messaging.referral_receipt import ReferralReceipt, encode
from records.clock import utc_now_iso
from records.codes import ReceivingUnit

log = logging.getLogger(__name__)

Publish = Callable[[str, bytes], object]


class Dispatcher:
    def __init__(self, config: CasesConfig, database: str, prefix: str,
                 publish: Publish | None, *, poll_s: float = 1.0) -> None:
        self.config = config
        self.database = database
        self.prefix = prefix
        self.publish = publish
        self.poll_s = poll_s
        self.lease_ms = int((max(config.smtp.timeout_s, config.hook.timeout_s) * 3 + 30) * 1000)
        self._notifiers: dict[str, Notifier] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name="cases-notices", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Finish the send in hand and stop (a notice not sent yet waits in the table)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        for notifier in self._notifiers.values():
            notifier.close()

    def _main(self) -> None:
        db: Database | None = None
        while not self._stop.is_set():
            try:
                if db is None:
                    db = Database(self.database)
                    ensure_schema(db)
                self.run_once(db)
                if self._failing:
                    log.info("case notices: central database reachable again")
                self._failing = False
            except Exception as err:  # the database is away: retry, log once
                if not self._failing:
                    log.error("case notices: %s", err.__class__.__name__)
                self._failing = True
                if db is not None:
                    try:
                        db.close()
                    except Exception:  # noqa: S110 - a dead connection has nothing to close
                        pass
                    db = None
            self._wake.wait(self.poll_s)
            self._wake.clear()
        if db is not None:
            db.close()

    def _notifier(self, channel: str) -> Notifier:
        if channel not in self._notifiers:
            self._notifiers[channel] = make_notifier(channel, self.config)
        return self._notifiers[channel]

    def run_once(self, db: Database, now_ms: int | None = None) -> int:
        """Send every due notice, then the receipts owed. Returns notices delivered."""
        now = now_ms if now_ms is not None else int(time.time() * 1000)
        sent = 0
        for job in notices.claim_due(db, now, self.lease_ms):
            if self._stop.is_set() and self._thread is not None:
                break  # the lease runs out and the next start sends it
            try:
                self._notifier(job.channel).send(job.target, job.notice)
            except NoticeError as err:
                again = job.attempts + 1 < self.config.attempts
                wait = notices.backoff_ms(job.attempts + 1, self.config.retry_min_s,
                                          self.config.retry_max_s)
                notices.mark_failed(db, job, err.message, now + wait if again else None)
                if not again:
                    log.warning("case %s: %s notice failed for good: %s", job.notice.case_id,
                                job.channel, err.message)
                continue
            notices.mark_sent(db, job)
            sent += 1
            log.info("case %s: %s notice delivered", job.notice.case_id, job.channel)
        self._receipts(db)
        return sent

    def _receipts(self, db: Database) -> None:
        if self.publish is None:
            return
        owed = notices.receipts_due(db)
        db.commit()  # end the read: an idle PostgreSQL transaction would be cut off
        for case in owed:
            receipt = ReferralReceipt(case["case_id"], case["record_id"],
                                      ReceivingUnit(case["unit"]), case["status"],
                                      case["notified"], utc_now_iso())
            topic = f"{self.prefix}/{case['border_post']}/{case['terminal_id']}/referral-receipt"
            try:
                result = self.publish(topic, encode(receipt))
            except Exception as err:  # not connected yet: owed, sent on the next round
                log.debug("referral receipt not published: %s", err.__class__.__name__)
                return
            if rc := getattr(result, "rc", 0):  # paho refused it (no connection): owed
                log.debug("referral receipt not published: paho rc %s", rc)
                return
            notices.mark_receipt_sent(db, case["case_id"])

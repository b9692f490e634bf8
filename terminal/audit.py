"""Audit events of the booth: one log line (journald, logger "terminal.audit") and one event in
the outbox (sent to the central broker like crossings) for each sign-in, sign-out, failed PIN,
lockout, alert decision, discard, correction and void.

Details carry codes and counts only: never names, document numbers, dates of birth, MRZ or
notes. An event the outbox cannot store does not stop the officer: it is logged as a warning
and `AuditTrail.__call__` returns False so the booth can say so on screen (None: this outbox
stores no audit events at all, said once in the log)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from terminal.ports import OutboxLike

log = logging.getLogger("terminal.audit")
KINDS = frozenset({
    "sign_in", "sign_out", "pin_failed", "lockout", "alert_decision", "discard", "correction",
    "void",
})
Detail = Mapping[str, str | int | bool | None]


def detail_text(detail: Detail) -> str:
    return " ".join(f"{k}={detail[k]}" for k in sorted(detail))


class AuditTrail:
    def __init__(self, outbox: OutboxLike, *, terminal_id: str, border_post: str) -> None:
        self.outbox = outbox
        self.terminal_id = terminal_id
        self.border_post = border_post
        self._no_store_logged = False

    def __call__(
        self, kind: str, *, officer_id: str | None, detail: Detail | None = None
    ) -> bool | None:
        """Log and store one event. True: stored; False: not stored; None: no audit store."""
        if kind not in KINDS:
            raise ValueError(f"unknown audit event kind {kind!r}")
        detail = dict(detail or {})
        log.info("%s officer=%s %s", kind, officer_id or "-", detail_text(detail))
        add = getattr(self.outbox, "add_audit", None)
        if add is None:  # e.g. a test's or an older outbox
            if not self._no_store_logged:
                self._no_store_logged = True
                log.warning("this outbox cannot store audit events: they are only logged")
            return None
        from messaging.audit import make_audit_event

        try:
            add(make_audit_event(kind, terminal_id=self.terminal_id,
                                 border_post=self.border_post, officer_id=officer_id,
                                 detail=detail))
        except Exception as err:  # never stop the officer; say it (the caller shows it)
            log.warning("audit event %s not stored: %s", kind, err.__class__.__name__)
            return False
        return True

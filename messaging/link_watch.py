"""The broker link as people see it: up or down since when, why (one line), and the journal
lines about it: an outage is logged once when it starts and once when it ends, never per retry.

Threads: used by the forwarder's pump thread only (no locks). Nothing here touches a socket but
`diagnose` (messaging/health.py), called once at the start of an outage that began before any
CONNACK, when paho's own reason ("could not connect") would not tell a technician what to fix.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from messaging import health
from messaging.link import LinkSettings

log = logging.getLogger("messaging.forwarder")  # the forwarder's log lines, as before the split

REFUSAL_HINTS = {  # CONNACK reasons (paho's text) -> what the technician should check
    "Bad user name or password": "check [broker] username and the imdms-mqtt.password credential",
    "Not authorized": "check [broker] username, the password credential and the broker's ACL",
    "Client identifier not valid": "check [broker] client_id",
    "Banned": "ask central why this terminal is banned",
    "Server unavailable": "the broker is overloaded or starting; it is retried",
    "Server busy": "the broker is overloaded; it is retried",
}


def refusal(reason: str) -> str:
    """The one line for a CONNACK refusal, with what to check."""
    hint = REFUSAL_HINTS.get(reason, "ask central to check the broker log")
    return f"broker refused the connection ({reason}): {hint}"


@dataclass
class LinkWatch:
    """`online`: a CONNACK was accepted and the link has not dropped since (the forwarder also
    clears it when a publish finds the link gone). `since`: time.time() of the last change.
    `failures`: attempts that failed in the current outage."""

    settings: LinkSettings
    online: bool = False
    since: float = field(default_factory=time.time)
    last_error: str | None = None
    outage_started: float | None = field(default_factory=time.time)
    outage_logged: bool = False
    failures: int = 0

    def up(self) -> None:
        """A CONNACK was accepted: log the connection, or the end of the outage."""
        self.online = True
        self.since = time.time()
        if self.outage_logged:
            log.info("broker link recovered after %.0f s (%d failed attempts)",
                     time.time() - (self.outage_started or time.time()), self.failures)
        else:
            log.info("connected to the broker %s:%d", self.settings.host, self.settings.port)
        self.outage_started = None
        self.outage_logged = False
        self.failures = 0
        self.last_error = None

    def down(self, reason: str, *, known: bool) -> str | None:
        """The link dropped or an attempt failed. Returns the one-line reason when this starts
        an outage (logged once; the caller records it), None while the outage goes on.

        known: `reason` already says what is wrong (a refusal), so no diagnosis is run."""
        was_online = self.online
        self.online = False
        if was_online or self.outage_started is None:
            self.since = time.time()
            self.outage_started = time.time()
        self.failures += 1
        if self.outage_logged:
            log.debug("broker link still down: %s", reason)
            return None
        self.outage_logged = True
        detail = reason if was_online or known else self.diagnose()
        self.last_error = detail
        log.warning("broker link down: %s; retrying with backoff (logged again on recovery)",
                    detail)
        return detail

    def diagnose(self) -> str:
        """One line on why the link fails (TCP, TLS server check, client certificate)."""
        s = self.settings
        return health.diagnose(s.host, s.port, ca_file=s.ca_file, cert_file=s.cert_file,
                               key_file=s.key_file, timeout_s=3.0)

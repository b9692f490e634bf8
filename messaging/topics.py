"""The MQTT topic contract, version 1 (documented in docs/messaging.md).

    <prefix>/<border_post>/<terminal_id>/crossing   QoS 1, not retained: one record JSON each
    <prefix>/<border_post>/<terminal_id>/audit      QoS 1, not retained: one audit event each
    <prefix>/<border_post>/<terminal_id>/status     QoS 1, retained: "online" | "offline" (LWT)
    <prefix>/<border_post>/<terminal_id>/heartbeat  QoS 0, retained: JSON health snapshot
    <prefix>/<border_post>/<terminal_id>/receipt    QoS 1, central -> terminal: committed ids
    <prefix>/<border_post>/<terminal_id>/watchlist-hit  QoS 1, not retained: one hit event
    <prefix>/<border_post>/<terminal_id>/referral-receipt
                                                    QoS 1, central -> terminal: case opened
    <prefix>/<border_post>/<terminal_id>/history-request  QoS 0: a sealed history question
    <prefix>/<border_post>/<terminal_id>/history-answer   QoS 0, central -> terminal: sealed
    <prefix>/watchlist                              QoS 1, retained, central -> terminals
    <prefix>/watchlist/delta                        QoS 1, not retained: version N-1 -> N
    <prefix>/officers                               QoS 1, retained, central -> terminals:
                                                    the signed officer directory

The default prefix is "imdms/v1"; a breaking change to any payload bumps the version segment.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PREFIX = "imdms/v1"
ONLINE = b"online"
OFFLINE = b"offline"


@dataclass(frozen=True, slots=True)
class Topics:
    prefix: str
    border_post: str
    terminal_id: str

    @property
    def base(self) -> str:
        return f"{self.prefix}/{self.border_post}/{self.terminal_id}"

    def crossing_for(self, border_post: str, terminal_id: str) -> str:
        """Crossing topic of any terminal (imported records keep their own terminal)."""
        return f"{self.prefix}/{border_post}/{terminal_id}/crossing"

    def for_kind(self, kind: str, border_post: str, terminal_id: str) -> str:
        """The topic of an outbox row by its kind: crossing, audit or watchlist_hit (any
        terminal's: imported rows keep their own terminal)."""
        leaf = {"audit": "audit", "watchlist_hit": "watchlist-hit"}.get(kind, "crossing")
        return f"{self.prefix}/{border_post}/{terminal_id}/{leaf}"

    def audit_for(self, border_post: str, terminal_id: str) -> str:
        """Audit topic of any terminal (booth audit events, messaging/audit.py)."""
        return f"{self.prefix}/{border_post}/{terminal_id}/audit"

    @property
    def audit(self) -> str:
        return f"{self.base}/audit"

    @property
    def crossing(self) -> str:
        return f"{self.base}/crossing"

    @property
    def status(self) -> str:
        return f"{self.base}/status"

    @property
    def heartbeat(self) -> str:
        return f"{self.base}/heartbeat"

    @property
    def receipt(self) -> str:
        return f"{self.base}/receipt"

    def receipt_for(self, border_post: str, terminal_id: str) -> str:
        """Receipt topic of any terminal (the collector publishes there, messaging/receipts.py)."""
        return f"{self.prefix}/{border_post}/{terminal_id}/receipt"

    @property
    def referral_receipt(self) -> str:
        return f"{self.base}/referral-receipt"

    def referral_receipt_for(self, border_post: str, terminal_id: str) -> str:
        """Referral receipt topic of any terminal (messaging/referral_receipt.py)."""
        return f"{self.prefix}/{border_post}/{terminal_id}/referral-receipt"

    @property
    def history_request(self) -> str:
        """This booth's history questions (messaging/history_wire.py)."""
        return f"{self.base}/history-request"

    @property
    def history_answer(self) -> str:
        return f"{self.base}/history-answer"

    def history_answer_for(self, border_post: str, terminal_id: str) -> str:
        """Where the centre answers the terminal that asked (central/history/responder.py)."""
        return f"{self.prefix}/{border_post}/{terminal_id}/history-answer"

    @property
    def all_history_requests(self) -> str:
        """Subscription filter of the centre's history responder."""
        return f"{self.prefix}/+/+/history-request"

    @property
    def watchlist(self) -> str:
        return f"{self.prefix}/watchlist"

    @property
    def watchlist_delta(self) -> str:
        """Signed deltas (messaging/watchlist_sign.py); the full list stays on `watchlist`."""
        return f"{self.prefix}/watchlist/delta"

    @property
    def watchlist_hit(self) -> str:
        """This terminal's hit reports (messaging/watchlist_hit.py)."""
        return f"{self.base}/watchlist-hit"

    @property
    def all_watchlist_hits(self) -> str:
        """Subscription filter of the centre's hit store (central/watchlist/hits.py)."""
        return f"{self.prefix}/+/+/watchlist-hit"

    @property
    def officers(self) -> str:
        """The signed officer directory (messaging/officer_directory.py)."""
        return f"{self.prefix}/officers"

    @property
    def all_crossings(self) -> str:
        """Subscription filter for the central collector."""
        return f"{self.prefix}/+/+/crossing"

    @property
    def all_audit(self) -> str:
        """Subscription filter for the audit events of every terminal."""
        return f"{self.prefix}/+/+/audit"

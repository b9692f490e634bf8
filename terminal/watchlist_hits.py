"""A watchlist hit goes to the centre at once (messaging/watchlist_hit.py), queued in the
outbox when the read is checked, before the officer has judged it: the centre learns of the
hit even if the traveller leaves the booth. The event names the crossing by the record id the
case reserved for it (terminal/booking.case_for_read), so the crossing saved later matches.

No personal data: ids, the entry's category and the match kind only."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from messaging.watchlist import WatchlistCheck
from messaging.watchlist_hit import KIND, hit_event
from records.clock import iso_z
from records.codes import WatchlistResult
from terminal.booking import Case
from terminal.i18n import _

if TYPE_CHECKING:
    from terminal.booth import BoothApp

log = logging.getLogger(__name__)


def report_hit(app: BoothApp, case: Case) -> bool | None:
    """Queue the hit event of `case`. True: queued; False: the outbox refused it (said on
    screen); None: not a hit, or an outbox that stores no events (logged)."""
    check = case.watchlist
    if not isinstance(check, WatchlistCheck) or check.result is not WatchlistResult.HIT \
            or case.record_id is None:
        return None
    add = getattr(app.outbox, "add_event", None)
    if add is None:  # a test's or an older outbox
        log.warning("this outbox cannot store watchlist hit events: the hit is only recorded")
        return None
    booth = app.booth()
    try:
        add(KIND, hit_event(check, record_id=case.record_id, border_post=booth.border_post,
                            terminal_id=booth.terminal_id, occurred_at=iso_z(booth.clock())))
    except Exception as err:  # never stop the officer; say it
        log.warning("watchlist hit event not stored: %s", err.__class__.__name__)
        app.notify(_("The watchlist hit could not be queued for the centre. Carry on, and "
                     "tell the supervisor by phone."), severity="warning", timeout=10)
        return False
    return True

"""The booth's state under the app: readers, outbox and officers, the status (link, queue,
readers, reader-state.json, referral receipts), and the officer's shift (sign-in, sign-out,
the Booth identity, the audit trail). terminal/booth.py's BoothApp adds the messages, the
life cycle, the key bindings, navigation, reads and saving; it is the only subclass, so this
class hands itself on as that app (`_as_app`)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import events
from textual.app import App

from drivers.base import DocumentReader, ReaderState, ReaderStatus
from messaging import referral_inbox
from messaging.health import write_reader_state
from messaging.officer_directory import RevocationWatch
from records.codes import Direction
from terminal import saving
from terminal.audit import AuditTrail, Detail
from terminal.booking import Booth, Case, WatchlistLike
from terminal.chip_link import ChipLink
from terminal.crossers import CrosserMemory
from terminal.drafts import idle_notice, restore_draft, take_open_case
from terminal.groups import Groups
from terminal.i18n import DEFAULT_LANGUAGE, N_, _, current_language, set_language
from terminal.keyboard import Keyboard
from terminal.officers import OfficerStore
from terminal.ports import OutboxLike
from terminal.pump import ReaderPump
from terminal.referrals import ReferralReceived
from terminal.settings import BoothSettings, Shift, os_term_is_linux_console
from terminal.status import (
    LinkStatus,
    QueueStatus,
    read_link,
    read_queue,
    reader_summary,
    status_line,
)

if TYPE_CHECKING:
    from messaging.referral_receipt import ReferralReceipt
    from records.stats import Summary
    from terminal.booth import BoothApp
    from terminal.screens.document import DocumentScreen

# the same logger as before the split: per-module levels in [logging] keep working
log = logging.getLogger("terminal.booth")
Summarise = Callable[[Iterable[dict[str, Any]]], "Summary"]


class BoothBase(App[None]):
    def __init__(
        self,
        settings: BoothSettings,
        readers: Sequence[DocumentReader],
        outbox: OutboxLike,
        officers: OfficerStore,
        *,
        watchlist: WatchlistLike | Callable[[], WatchlistLike | None] | None = None,
        summarise: Summarise | None = None,
        demo_trigger: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.readers = list(readers)
        self.outbox = outbox
        self.officers = officers
        self._watchlist = watchlist
        self._summarise = summarise
        self.demo_trigger = demo_trigger
        self.shift: Shift | None = None
        self.reader_states: dict[str, ReaderState] = {
            r.name: ReaderState(ReaderStatus.WAITING) for r in self.readers
        }
        self.link = LinkStatus(None, N_("link ?"))
        self.queue = QueueStatus(None)
        self._stop = threading.Event()
        self._keyboard = Keyboard(self._as_app(), self._route_key)
        self._last_activity = time.monotonic()
        self._pumps: dict[str, ReaderPump] = {}
        # the centre's signed officer directory, applied by the forwarder (make_app sets it)
        self.revocations: RevocationWatch | None = None
        self._referral_seen: set[str] = set()  # (case, status) receipts already shown
        self._referral_primed = False
        self._failed_readers: dict[str, ReaderState] = {}  # could not be opened at start
        self._startup_errors: list[tuple[str, str, str]] = []
        self._written_states: dict[str, str] | None = None  # last reader-state.json
        self.chip = ChipLink(self._as_app(), self.readers, self._failed_readers)
        self._document_screen: DocumentScreen | None = None  # reused once a read opened it
        self._configured_direction = settings.default_direction
        self._saved_docs = saving.SavedDocuments(lambda: self.settings.repeat_scan_window_s)
        self.crossers = CrosserMemory()  # frequent crossers' last category and purpose
        self.groups = Groups()  # the open group (F7), joined by every read
        self._drafts: dict[str, Case] = {}  # officer id -> open case kept over an idle sign-out
        self._audit = AuditTrail(outbox, terminal_id=settings.terminal_id,
                                 border_post=settings.border_post)
        if os_term_is_linux_console():
            self.theme = "ansi-dark"

    def _as_app(self) -> BoothApp:
        return cast("BoothApp", self)  # BoothApp is the one subclass

    # -- life cycle ------------------------------------------------------------------------

    def report_reader_failure(self, name: str, message: str, hint: str) -> None:
        """A reader that could not be opened: shown in the status and once as an error."""
        self._failed_readers[name] = ReaderState(ReaderStatus.ERROR, message)
        self.reader_states[name] = self._failed_readers[name]
        self._startup_errors.append(
            (_("Reader '{name}' is not working").format(name=name), message,
             (hint or _("check its cable and power")) + _("; meanwhile type the MRZ with F3"))
        )

    # -- status (terminal/status.py) -------------------------------------------------------

    def refresh_status(self) -> None:
        self.link = read_link(self.settings.data_dir, forwarding=self.settings.forwarding)
        self.queue = read_queue(self.outbox, receipts=self.settings.receipts)
        if self.revocations is not None and self.shift is not None:
            self.revocations.check(self.shift.officer_id)  # signs out at once when revoked
        self._show_new_referral_receipts()
        for reader in self.readers:
            pump = self._pumps.get(reader.name)
            self.reader_states[reader.name] = pump.state if pump else reader.state
        self._refresh_bars()

    def _refresh_bars(self) -> None:
        from terminal.widgets.status_bar import StatusBar

        self._write_reader_states()
        if not self.screen_stack:
            return  # a reader's first state can come before the sign-in screen is pushed
        for screen in self.screen_stack:
            for bar in screen.query(StatusBar):
                bar.refresh()
        refresh = getattr(self.screen, "status_changed", None)  # the scan screen's panels
        if refresh is not None:
            refresh()

    def _write_reader_states(self) -> None:
        """reader-state.json for the heartbeat, when a state changed (not every refresh)."""
        states = {name: state.status.value for name, state in self.reader_states.items()}
        data_dir = self.settings.data_dir
        if data_dir is None or states == self._written_states:
            return
        self._written_states = states
        try:
            write_reader_state(data_dir, states)
        except OSError as err:  # the heartbeat then says nothing about the readers
            log.warning("reader states not written: %s", err.__class__.__name__)

    def reader_summary(self) -> tuple[str, str]:
        """(text, style class) for the worst reader state."""
        return reader_summary(self.reader_states)

    def status_line(self) -> Text:
        s = self.settings
        who = self.shift.officer_id if self.shift else _("signed out")
        return status_line(f"{s.border_post}/{s.terminal_id}", who, s.default_direction.value,
                           self.reader_states, self.link, self.queue)

    # -- officer ---------------------------------------------------------------------------

    def sign_in(self, officer_id: str) -> None:
        from records.clock import iso_z
        from terminal.screens.scan import ScanScreen

        self.shift = Shift(officer_id, iso_z(self.settings.clock()), language=current_language())
        self._last_activity = time.monotonic()
        self.audit("sign_in", officer_id=officer_id)
        self.switch_screen(ScanScreen())
        draft = self._drafts.pop(officer_id, None)
        if draft is not None:
            self.call_after_refresh(restore_draft, self._as_app(), draft)

    def sign_out(self, reason: str = "officer") -> None:
        """End the shift. `reason`: "officer" (F10), "idle", or "revoked" (the centre's
        directory revoked this officer). After an idle sign-out the open traveller is kept, in
        memory only, for this officer's next sign-in."""
        from terminal.screens.signin import SignInScreen

        officer = self.shift.officer_id if self.shift else None
        notice = ""
        kept = None
        if reason == "idle" and officer is not None:
            kept = take_open_case(self._as_app())
            notice = idle_notice(officer, self.settings.idle_signout_s, kept=kept is not None)
            if kept is not None:
                self._drafts[officer] = kept
        if reason == "revoked":
            notice = _("Signed out: this officer id was revoked by headquarters")
            self._drafts.pop(officer or "", None)
        if officer is not None:
            self.audit("sign_out", officer_id=officer,
                       detail={"reason": reason, "draft_kept": kept is not None})
        self.shift = None
        self.settings.default_direction = self._configured_direction  # not inherited
        set_language(DEFAULT_LANGUAGE)  # nor the language: the next officer picks their own
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(SignInScreen(notice))

    def _check_idle(self) -> None:
        idle = time.monotonic() - self._last_activity
        if self.shift and idle > self.settings.idle_signout_s:
            self.sign_out("idle")

    def booth(self) -> Booth:
        if self.shift is None:
            raise RuntimeError("no officer signed in")
        s = self.settings
        return Booth(
            terminal_id=s.terminal_id,
            border_post=s.border_post,
            officer_id=self.shift.officer_id,
            default_direction=s.default_direction,
            home_country=s.home_country,
            software_version=s.software_version,
            clock=s.clock,
            new_id=s.new_id,
        )

    def toggle_direction(self) -> None:
        d = self.settings.default_direction
        flipped = Direction.EXIT if d is Direction.ENTRY else Direction.ENTRY
        self.settings.default_direction = flipped
        self._refresh_bars()

    def watchlist(self) -> WatchlistLike | None:
        wl = self._watchlist
        if wl is None or isinstance(wl, WatchlistLike):
            return wl
        return wl()

    def summarise(self, records: Iterable[dict[str, Any]]) -> Summary:
        if self._summarise is None:
            from records.stats import summarise

            return summarise(records)
        return self._summarise(records)

    def audit(self, kind: str, *, officer_id: str | None = None,
              detail: Detail | None = None) -> None:
        """Log and send one audit event (terminal/audit.py). One that cannot be stored does
        not stop the officer, but is said on screen."""
        if officer_id is None and self.shift is not None:
            officer_id = self.shift.officer_id
        stored = self._audit(kind, officer_id=officer_id, detail=detail)
        if stored:
            self.queue = read_queue(self.outbox, receipts=self.settings.receipts)
            self._refresh_bars()  # the bar counts it among those to send
        elif stored is False:
            self.notify(_("An audit entry could not be stored. Carry on, and tell the technician "
                          "(imdms doctor)."), severity="warning", timeout=10)

    def show_error(self, title: str, message: str, hint: str) -> None:
        from terminal.screens.error_modal import ErrorModal

        self.push_screen(ErrorModal(title, message, hint))

    def _show_new_referral_receipts(self) -> None:
        """Receipts the forwarder put in <data_dir> (messaging/referral_inbox.py) since the last
        look; those already there when the booth started are not shown again."""
        data_dir = self.settings.data_dir
        if data_dir is None:
            return
        fresh = referral_inbox.read_new(data_dir, self._referral_seen)
        if self._referral_primed:
            for receipt in fresh:
                self.referral_received(receipt)
        self._referral_primed = True

    def referral_received(self, receipt: ReferralReceipt) -> None:
        """For the forwarder side, from any thread: the centre's receipt for a referral."""
        self.post_message(ReferralReceived(receipt))

    async def _route_key(self, key: events.Key) -> None:
        await super().on_event(key)

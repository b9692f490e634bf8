"""The booth application: the life cycle, the officer's shift, and routing reads and results.

Screens live in terminal/screens (one per file); `terminal.app.make_app` builds this with the
real or fake reader, outbox and officer store (settings: terminal/settings.py). The rooms
beside it: the reader pumps (terminal/pump.py: reader calls run in worker threads and reach the
UI only through messages; errors reach an ErrorModal through `call_from_thread`, never as a
traceback), where a read goes (terminal/routing.py), the status text (terminal/status.py), the
chip hand-off (terminal/chip_link.py), saving (terminal/saving.py: the result comes back as a
message) and the keyboard wedge (terminal/keyboard.py). Screens (screens/base.BoothScreen)
see this app typed and navigate through it. Its state, status and the officer's shift are
in terminal/booth_base.py (BoothBase); this module re-exports `Summarise`.
"""

from __future__ import annotations

import logging
import time

from textual import events, work
from textual.binding import Binding
from textual.message import Message
from textual.message_pump import MessagePump

from drivers.base import DocumentRead as RawRead
from drivers.base import ReaderState
from records.record import CrossingRecord
from terminal import saving
from terminal.booth_base import BoothBase, Summarise
from terminal.i18n import N_, _
from terminal.key_order import KeyDone
from terminal.pump import ReaderPump
from terminal.referrals import ReferralReceived, show_receipt
from terminal.routing import route_read
from terminal.settings import warm_up_imports

__all__ = ["RECENT", "BoothApp", "Summarise"]

log = logging.getLogger(__name__)
RECENT = 12  # crossings listed on the scan screen


class BoothApp(BoothBase):
    CSS_PATH = "styles/booth.tcss"
    TITLE = "IMDMS border terminal"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+q", "quit", N_("Quit"), show=False, priority=True),
        Binding("f1", "help", N_("Help"), show=False),
        # every screen of a shift (unless it binds F9 itself): what the traveller reads
        Binding("f9", "traveller", N_("Traveller information"), show=False),
    ]

    class DocumentRead(Message):
        """A reader (or the keyboard wedge, or manual entry) produced a read."""

        def __init__(self, read: RawRead) -> None:
            super().__init__()
            self.read = read

    class ChipProgress(Message):
        """A chip reader's progress (file name and sizes only)."""

        def __init__(self, file: str, done: int, total: int | None) -> None:
            super().__init__()
            self.file, self.done, self.total = file, done, total

    class ReaderStateChanged(Message):
        def __init__(self, name: str, state: ReaderState) -> None:
            super().__init__()
            self.name = name
            self.state = state

    class CrossingConfirmed(Message):
        """The outbox accepted a record: only now may the screen say "saved"."""

        def __init__(self, record: CrossingRecord, requester: MessagePump) -> None:
            super().__init__()
            self.record = record
            self.requester = requester  # the screen that asked: it gets saving.Saved

    class SaveFailed(Message):
        def __init__(self, message: str, hint: str, requester: MessagePump) -> None:
            super().__init__()
            self.message_text = message
            self.hint = hint
            self.requester = requester  # it gets saving.NotSaved

    # -- life cycle ------------------------------------------------------------------------

    def on_mount(self) -> None:
        from terminal.screens.signin import SignInScreen

        self.refresh_status()
        self.set_interval(self.settings.status_interval_s, self.refresh_status)
        self.set_interval(30, self._check_idle)
        self.chip.report_progress()
        for reader in self.readers:
            pump = ReaderPump(
                reader, timeout_s=self.settings.read_timeout_s, stop=self._stop,
                on_state=lambda name, state: self.post_message(
                    self.ReaderStateChanged(name, state)),
                on_read=lambda read: self.post_message(self.DocumentRead(read)),
                on_failure=lambda *error: self.call_from_thread(self.show_error, *error),
            )
            self._pumps[reader.name] = pump
            self.run_worker(pump.run, name=f"reader:{reader.name}",
                            group=f"reader:{reader.name}", thread=True, exclusive=True,
                            exit_on_error=False)
        self.push_screen(SignInScreen())
        for title, message, hint in self._startup_errors:
            self.show_error(title, message, hint)
        self.call_after_refresh(self._warm_up)

    def _warm_up(self) -> None:
        """After the first paint, load what the first read and the first save need (screens,
        the outbox's compiled schema validator, the statistics) in a thread, so the officer's
        first traveller does not pay for it and start-up does not either."""
        self.run_worker(warm_up_imports, name="warm-up", group="warm-up", thread=True,
                        exit_on_error=False)

    def on_unmount(self) -> None:
        self._stop.set()
        self._keyboard.close()
        for reader in self.readers:
            try:
                reader.close()
            except Exception:  # closing must never raise at exit
                log.warning("reader %s did not close cleanly", reader.name)

    def on_booth_app_reader_state_changed(self, message: ReaderStateChanged) -> None:
        self.reader_states[message.name] = message.state
        self._refresh_bars()

    def action_help(self) -> None:
        from terminal.screens.help import HelpModal

        if not isinstance(self.screen, HelpModal):
            self.push_screen(HelpModal(self.screen))

    def action_traveller(self) -> None:
        from terminal.screens.traveller import TravellerScreen

        if self.shift is not None and not isinstance(self.screen, TravellerScreen):
            self.push_screen(TravellerScreen())

    async def action_quit(self) -> None:
        if self.shift is not None:  # the booth is stopped with an officer signed in
            self.audit("sign_out", detail={"reason": "shutdown", "draft_kept": False})
            self.shift = None
        await super().action_quit()

    # -- navigation ------------------------------------------------------------------------

    def back_to_scan(self, note: str | None = None) -> None:
        from terminal.screens.scan import ScanScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, ScanScreen):
            self.pop_screen()
        if note and isinstance(self.screen, ScanScreen):
            self.screen.flash(note)

    def open_correction(self) -> None:
        """The list of this shift's crossings, to correct or void one."""
        from terminal.screens.correction import CorrectionScreen

        if not self.recent_records():
            self.notify(_("Nothing saved in this shift yet: nothing to correct."))
            return
        self.push_screen(CorrectionScreen())

    def recent_records(self) -> list[CrossingRecord]:
        if self.shift is None:
            return []
        return list(reversed(self.shift.records[-RECENT:]))

    # -- reads -----------------------------------------------------------------------------

    async def on_booth_app_document_read(self, message: DocumentRead) -> None:
        self._last_activity = time.monotonic()
        await route_read(self, message.read)

    async def open_document(self, read: RawRead, *, chip_pending: bool) -> None:
        """Show `read` on the document screen (mounted once, then reused: a read refills it)."""
        from terminal.screens.document import DocumentScreen

        screen = self._document_screen
        if screen is None:
            screen = DocumentScreen(read, chip_pending=chip_pending)
            self.install_screen(screen, "document")
            self._document_screen = screen
        else:
            await screen.load(read, chip_pending=chip_pending)
        self.push_screen(screen)

    def on_booth_app_chip_progress(self, message: ChipProgress) -> None:
        self.chip.progress(message.file, message.done, message.total)

    def repeat_of(self, read: RawRead) -> CrossingRecord | None:
        """The crossing saved at this booth (any officer) for the same document within the
        repeat-scan window, if any."""
        return self._saved_docs.repeat_of(read.mrz)

    # -- saving (terminal/saving.py) -------------------------------------------------------

    def save(self, record: CrossingRecord, requester: MessagePump) -> None:
        """Write to the outbox in a worker; `requester` (the screen) then gets saving.Saved,
        only after add() returned, or saving.NotSaved (the error is shown here)."""
        self._save_worker(record, requester)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def _save_worker(self, record: CrossingRecord, requester: MessagePump) -> None:
        problem = saving.write(self.outbox, record)
        if problem is None:
            self.post_message(self.CrossingConfirmed(record, requester))
        else:
            self.post_message(self.SaveFailed(*problem, requester))

    def on_booth_app_crossing_confirmed(self, message: CrossingConfirmed) -> None:
        record = message.record
        self._saved_docs.remember(record)
        self.crossers.remember(record)
        self.groups.saved(record)
        if self.shift is not None:
            self.shift.records.append(record)
        self.refresh_status()
        message.requester.post_message(saving.Saved(record))

    def on_referral_received(self, message: ReferralReceived) -> None:
        show_receipt(self, message.receipt)

    def on_booth_app_save_failed(self, message: SaveFailed) -> None:
        self.show_error(_("Not saved"), message.message_text, message.hint)
        message.requester.post_message(saving.NotSaved())

    # -- keyboard (terminal/keyboard.py) ---------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and event.is_forwarded:  # back from the widgets
            await super().on_event(event)
            await self._keyboard.came_back(event)
            return
        if isinstance(event, events.Key):
            self._last_activity = time.monotonic()
            await self._keyboard.key(event)
            return
        await super().on_event(event)

    async def on_key_done(self, message: KeyDone) -> None:
        await self._keyboard.done(message)

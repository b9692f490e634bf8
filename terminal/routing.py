"""Where a document read goes: to the traveller on screen (a chip read for the open optical
read), to a new document screen (from the scan screen), or to the officer as an error. Called
by BoothApp for each BoothApp.DocumentRead, on the UI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.base import DocumentRead, ReaderState, ReaderStatus
from terminal.i18n import _

if TYPE_CHECKING:
    from terminal.booth import BoothApp


async def route_read(app: BoothApp, read: DocumentRead) -> None:
    from terminal.screens.scan import ScanScreen

    if app.shift is None:
        app.notify(_("Sign in first, then present the document again."), severity="warning")
        return
    if read.source == "chip":
        open_doc = app.chip.open_document()
        if open_doc is not None:  # the chip of the traveller on screen
            await open_doc.chip_arrived(read)
            return
    if not isinstance(app.screen, ScanScreen):
        app.notify(
            _("A document was read while a traveller is open: finish or Esc, then present it "
              "again."),
            severity="warning",
        )
        return
    if not read.ok:
        hint = read.failure.hint if read.failure is not None else ""
        app.show_error(_("Document not read"),
                       read.error or _("the reader could not read the document"),
                       hint or unread_hint(read, app.reader_states.get(read.reader_name)))
        return
    pending = read.source != "chip" and read.mrz is not None and app.chip.hand_mrz(read)
    await app.open_document(read, chip_pending=pending)


def unread_hint(read: DocumentRead, state: ReaderState | None) -> str:
    """What to do about a failed read: a reader that went away is not a dirty document."""
    gone = state is not None and state.status in (ReaderStatus.DISCONNECTED,
                                                   ReaderStatus.ERROR)
    if gone or "cut" in (read.error or ""):
        return _("the reader stopped in the middle: check its cable and power, then present "
                 "the document again; or type the MRZ (F3)")
    return _("present the document again, flat and still; or type the MRZ (F3)")

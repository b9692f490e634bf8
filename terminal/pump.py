"""The reader pump: one worker thread per reader blocks on `read(timeout)` and hands what it
gets to the UI through three callbacks (the booth posts them as messages). No textual import.

A driver error becomes an ERROR state and one error per outage (the status bar shows the
rest); a bug in a driver (any other exception) is the same, never the end of the booth.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from drivers.base import DocumentRead, DocumentReader, ReaderState, ReaderStatus
from imdms.errors import ReaderError
from terminal.i18n import N_, _

log = logging.getLogger(__name__)
RETRY_S = 1.0  # pause after a failed read() before the next one
UNREAD_HINT = N_("check the reader's cable and power, then present the document again; "
                 "meanwhile type the MRZ with F3")


class ReaderPump:
    """Call `run()` in a worker thread; it returns when `stop` is set or the reader closed.

    `on_state(name, state)`: the reader's state changed (from this thread).
    `on_read(read)`: a document was read (from this thread).
    `on_failure(title, message, hint)`: the first failure of an outage (from this thread).
    `error` is the state while read() raises, else None (read by the UI thread).
    """

    def __init__(
        self,
        reader: DocumentReader,
        *,
        timeout_s: float,
        stop: threading.Event,
        on_state: Callable[[str, ReaderState], object],
        on_read: Callable[[DocumentRead], object],
        on_failure: Callable[[str, str, str], object],
    ) -> None:
        self.reader = reader
        self.timeout_s = timeout_s
        self.stop = stop
        self.on_state = on_state
        self.on_read = on_read
        self.on_failure = on_failure
        self.error: ReaderState | None = None
        self._last: ReaderState | None = None
        self._failing = False

    @property
    def state(self) -> ReaderState:
        """What the status shows for this reader now."""
        return self.error or self.reader.state

    def run(self) -> None:
        reader = self.reader
        while not self.stop.is_set() and not reader.closed:
            try:
                read = reader.read(self.timeout_s)
            except ReaderError as err:
                self.error = ReaderState(ReaderStatus.ERROR, err.message)
                self._changed(self.error)
                self._fail(err.message, err.hint or _(UNREAD_HINT))
                continue
            except Exception as err:  # a driver bug must not end the booth
                log.warning("reader %s raised %s", reader.name, err.__class__.__name__)
                self.error = ReaderState(ReaderStatus.ERROR,
                                         _("reader fault ({error})").format(
                                             error=err.__class__.__name__))
                self._fail(_("unexpected reader fault ({error})").format(
                               error=err.__class__.__name__),
                           _("type the MRZ with F3 and call the technician (imdms doctor)"))
                continue
            self.error = None
            state = reader.state
            if state.status in (ReaderStatus.CONNECTED, ReaderStatus.WAITING):
                self._failing = False
            self._changed(state)
            if read is not None:
                self.on_read(read)

    def _changed(self, state: ReaderState) -> None:
        if state != self._last:
            self.on_state(self.reader.name, state)
            self._last = state

    def _fail(self, message: str, hint: str) -> None:
        if not self._failing:  # one modal per outage, the status bar shows the rest
            self.on_failure(_("Reader '{name}' failed").format(name=self.reader.name),
                            message, hint)
        self._failing = True
        self.stop.wait(RETRY_S)

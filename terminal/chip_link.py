"""The booth's side of the chip readers: hand them the keys (the optically read MRZ, or the
card access number the officer typed) off the UI thread, pass their progress to the UI, and
route a chip read to the traveller on screen. A chip reader is any reader with `set_mrz` (and
`set_can`, `on_progress` when it has them)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Container, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from drivers.base import DocumentRead, DocumentReader, ReadFailure
from terminal.i18n import N_, _

if TYPE_CHECKING:
    from terminal.booth import BoothApp
    from terminal.screens.document import DocumentScreen

log = logging.getLogger(__name__)
NO_KEYS_FROM_MRZ = ReadFailure("no_keys_from_mrz",
                               N_("check the number and dates, or go on without the chip"))


class ChipLink:
    """`readers`: all the booth's readers; `failed`: names of those that did not open."""

    def __init__(self, app: BoothApp, readers: Sequence[DocumentReader],
                 failed: Container[str]) -> None:
        self.app = app
        self._readers = readers
        self._failed = failed

    def readers(self) -> list[DocumentReader]:
        """The readers that open chips with keys from the MRZ (and the CAN), and work."""
        return [r for r in self._readers
                if callable(getattr(r, "set_mrz", None)) and r.name not in self._failed]

    def report_progress(self) -> None:
        """Have every chip reader report its progress to the UI as ChipProgress messages. The
        reader calls it on its reading thread: post, never wait (a slow UI must not slow the
        read)."""
        app = self.app
        for reader in self.readers():
            if hasattr(reader, "on_progress"):
                reader.on_progress = lambda f, n, t: app.post_message(app.ChipProgress(f, n, t))

    def hand_can(self, can: str) -> bool:
        """Give the typed card access number to the chip readers that take one (off the UI
        thread, like the MRZ); they read the card on the reader again. True when one will."""
        setters = [(r.name, s) for r in self.readers()
                   if callable(s := getattr(r, "set_can", None))]
        if not setters:
            self.app.notify(_("The chip reader cannot use a card access number."),
                            severity="warning")
            return False

        def hand_over() -> None:
            for name, set_can in setters:
                try:
                    set_can(can)
                except Exception as err:  # not 6 digits: the modal checked, the reader too
                    log.info("CAN not set on %s: %s", name, err.__class__.__name__)

        self._run(hand_over, "chip-can")
        return True

    def hand_mrz(self, read: DocumentRead) -> bool:
        """Give the optically read MRZ to every reader that opens chips with it (off the UI
        thread: a reader may take a lock held by its read). True when one will try."""
        setters = [(r.name, s) for r in self.readers()
                   if callable(s := getattr(r, "set_mrz", None))]
        if not setters or read.mrz is None:
            return False
        lines = list(read.mrz.lines)
        app = self.app

        def hand_over() -> None:
            for name, set_mrz in setters:
                try:
                    set_mrz(lines)
                except Exception as err:  # keys not derivable: the document is still usable
                    log.info("chip keys not set on %s: %s", name, err.__class__.__name__)
                    app.post_message(app.DocumentRead(DocumentRead(
                        source="chip", reader_name=name,
                        error=_("the chip keys cannot be taken from this MRZ"),
                        failure=replace(NO_KEYS_FROM_MRZ, hint=_(NO_KEYS_FROM_MRZ.hint)),
                    )))

        self._run(hand_over, "chip-keys")
        return True

    def open_document(self) -> DocumentScreen | None:
        """The DocumentScreen of the traveller being processed from an optical read, if any."""
        from terminal.screens.document import DocumentScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, DocumentScreen) and screen.read.source != "chip":
                return screen
        return None

    def progress(self, file: str, done: int, total: int | None) -> None:
        open_doc = self.open_document()
        if open_doc is not None:
            open_doc.show_chip_progress(file, done, total)

    def _run(self, job: Callable[[], None], name: str) -> None:
        self.app.run_worker(job, name=name, group="chip-keys", thread=True,
                            exit_on_error=False)

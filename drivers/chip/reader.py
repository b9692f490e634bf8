"""ChipReader: the DocumentReader for ePassport chips on a PC/SC reader.

The booth reads the data page optically first and calls `set_mrz(lines)`: the chip keys come
from it, and the chip's DG1 is compared with it (`dg1_matches_print`). `read(timeout)` waits for
a card (PC/SC events, no polling of our own), reads it and returns one DocumentRead. After a
successful read the next read waits for the card to leave and a card to arrive.

Failures an officer can act on come back as DocumentRead(ok=False) with `error` = what happened
and `extra["hint"]` = what to do; `extra["kind"]` is machine-readable (wrong_keys, card_removed,
pace_required, secure_messaging, status_word, protocol) and `extra["sw"]` the status word in hex.
A card pulled mid-read keeps what was read (`extra["resumable"]`): reading again resumes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from drivers.base import ChipSummary, DocumentRead, DocumentReader, ReaderStatus, utc_now
from drivers.chip.authenticity import CLONE_ALERT
from drivers.chip.bac import AccessKey, CanKey, MrzKeys, keys_from_mrz_lines, make_can
from drivers.chip.errors import CardProtocolError, CardRemovedError, ChipError, WrongKeysError
from drivers.chip.session import ChipResult, ResumeState, read_passport
from drivers.chip.transport import PcscTransport
from drivers.chip.trust import load_trust_store
from imdms.errors import ConfigError, MrzError, ReaderInitError, ReaderIOError

log = logging.getLogger(__name__)


def _norm(lines: Sequence[str]) -> tuple[str, ...]:
    return tuple(ln.strip().upper().replace(" ", "") for ln in lines if ln.strip())


class ChipReader(DocumentReader):
    """ePassport chip reader. `config` is a ChipConfig (reader, csca_path, max_le)."""

    source = "chip"

    def __init__(
        self,
        config: Any,
        name: str = "chip",
        *,
        transport: Any = None,
        anchors: Sequence[Path] = (),
        crl_paths: Sequence[Path] = (),
    ) -> None:
        """`anchors`: trust anchors for master lists (beside the loose CSCAs of csca_path);
        `crl_paths`: CRL folders (beside CRLs inside csca_path); config.ml_anchor and
        config.crl_path add to them."""
        super().__init__(name)
        self.config = config
        self.trust_problems: list[str] = []
        self._csca: list[Any] | None = None
        self._crls: list[Any] = []
        if getattr(config, "csca_path", None):
            anchor = config.ml_anchor
            crl_path = config.crl_path
            try:
                store = load_trust_store(
                    config.csca_path,
                    anchors=[*anchors, *([anchor] if anchor else [])],
                    crl_paths=[*crl_paths, *([crl_path] if crl_path else [])],
                )
            except OSError as err:
                raise ConfigError(
                    "the CSCA store cannot be read",
                    "check chip csca_path: a folder of PEM/DER certificates, CRLs or a master list",
                ) from err
            self._csca, self._crls = store.cscas, store.crls
            self.trust_problems = store.problems
        self._transport = transport if transport is not None else PcscTransport(config.reader)
        try:
            self._transport.find_reader()
            self._set_state(ReaderStatus.CONNECTED)
        except ReaderInitError as err:  # the booth starts anyway; read() raises until fixed
            self._set_state(ReaderStatus.DISCONNECTED, f"{err.message}: {err.hint}")
        self._keys: AccessKey | None = None
        self._print: tuple[str, ...] | None = None
        self._resume = ResumeState()
        self._await_removal = False
        self.last_result: ChipResult | None = None
        # progress(file, bytes_read, total or None), called from the reading thread: a UI
        # hands it to its own loop (e.g. Textual's call_from_thread)
        self.on_progress: Callable[[str, int, int | None], None] | None = None

    # ---- keys ------------------------------------------------------------------------------
    def set_mrz(self, lines: Sequence[str]) -> None:
        """Keys from the optically read MRZ; also the print the chip's DG1 is compared with.
        A passport already on the reader is read by the next read(). Raises MrzError when the
        lines are not an MRZ."""
        from ocr.mrz import parse_mrz

        keys = keys_from_mrz_lines(lines)
        # compare with the page as ocr.mrz corrected it, so an OCR slip is not a false alert
        self._print = _norm(parse_mrz(list(lines)).lines)
        self._new_keys(keys)

    def set_keys(self, keys: MrzKeys) -> None:
        """Keys typed by the officer (no print to compare DG1 with)."""
        self._print = None
        self._new_keys(keys)

    def set_can(self, can: str) -> None:
        """The card access number typed by the officer (ID cards that need PACE with the CAN).
        Raises MrzError when it is not 6 digits."""
        self._print = None
        self._new_keys(make_can(can))

    def _new_keys(self, keys: AccessKey) -> None:
        # the card on the reader may be read now: wake a read() waiting for its removal
        self._keys = keys
        self._await_removal = False
        self._transport.wake()

    # ---- reading ---------------------------------------------------------------------------
    def read(self, timeout: float | None = None) -> DocumentRead | None:
        if self.closed:
            return None
        deadline = None if timeout is None else time.monotonic() + timeout

        def left() -> float | None:
            return None if deadline is None else max(0.0, deadline - time.monotonic())

        transport = self._transport
        try:
            while True:
                if self._await_removal:
                    self._set_state(ReaderStatus.WAITING, "take the passport off the chip reader")
                    if not transport.wait_for_removal(left()):
                        if self._expired(deadline):
                            return None
                        continue  # woken by new keys: look again
                    self._await_removal = False
                self._set_state(ReaderStatus.WAITING, "place the passport on the chip reader")
                if transport.wait_for_card(left()):
                    break
                if self._expired(deadline):
                    return None
        except ReaderInitError as err:
            self._set_state(ReaderStatus.DISCONNECTED, f"{err.message}: {err.hint}")
            raise
        if self.closed:
            return None
        if self._keys is None:
            self._await_removal = True
            self._set_state(ReaderStatus.WAITING, "read the data page first")
            return DocumentRead(
                source=self.source,
                reader_name=self.name,
                error="the chip cannot be opened without the MRZ",
                extra={
                    "kind": "no_keys",
                    "hint": "read the data page first (optical reader or "
                    "camera), then put the passport back on the chip reader",
                    "sw": None,
                    "resumable": False,
                    "bytes_kept": 0,
                },
            )
        self._set_state(ReaderStatus.CONNECTED, "reading the chip")
        started = utc_now()
        retried = False
        while True:
            cap_before = self._resume.le_cap
            try:
                result = read_passport(
                    transport,
                    self._keys,
                    max_le=self.config.max_le,
                    csca=self._csca,
                    crls=self._crls,
                    resume=self._resume,
                    progress=self.on_progress,
                )
            except ReaderIOError as err:  # ChipError, or the reader failed mid-read
                transport.disconnect()
                if not retried and self._resume.le_cap != cap_before and transport.card_present():
                    # the reader (or the chip's SM) cannot take extended-length APDUs: a new
                    # session goes on with short ones, keeping what was read
                    retried = True
                    log.info("extended length failed; continuing with short Le")
                    continue
                if not isinstance(err, ChipError):
                    err = CardRemovedError(err.message)
                return self._failed(err, started)
            transport.disconnect()
            break
        self.last_result = result
        self._await_removal = True
        self._set_state(ReaderStatus.CONNECTED, "")
        try:
            return self._document(result, started)
        except MrzError:
            return self._failed(CardProtocolError("the chip's DG1 is not a readable MRZ"), started)

    def _expired(self, deadline: float | None) -> bool:
        return self.closed or (deadline is not None and time.monotonic() >= deadline)

    def _failed(self, err: ChipError, started: Any) -> DocumentRead:
        kept = self._resume.bytes_kept()
        resumable = isinstance(err, CardRemovedError)
        if not resumable:
            self._resume = ResumeState(le_cap=self._resume.le_cap)
            # don't hammer the same card with the same failure: wait for new keys or a new card
            self._await_removal = True
        status = ReaderStatus.ERROR if isinstance(err, WrongKeysError) else ReaderStatus.WAITING
        self._set_state(status, f"{err.message}: {err.hint}")
        log.info(
            "chip read failed: %s (sw=%s, kept %d bytes)",
            err.kind,
            f"{err.sw:04X}" if err.sw is not None else "-",
            kept if resumable else 0,
        )
        hint = err.hint
        if isinstance(err, WrongKeysError) and isinstance(self._keys, CanKey):
            hint = "check the 6-digit card access number printed on the card and type it again"
        return DocumentRead(
            source=self.source,
            reader_name=self.name,
            error=err.message,
            started_at=started,
            extra={
                "kind": err.kind,
                "hint": hint,
                "sw": f"{err.sw:04X}" if err.sw is not None else None,
                "resumable": resumable,
                "bytes_kept": kept if resumable else 0,
            },
        )

    def _document(self, result: ChipResult, started: Any) -> DocumentRead:
        from ocr.mrz import parse_mrz

        mrz = parse_mrz(list(result.dg1_lines), correct=False)
        matches = None if self._print is None else _norm(result.dg1_lines) == self._print
        summary = ChipSummary(
            protocol=result.protocol,
            data_groups=result.data_groups,
            passive_authentication=result.passive_authentication,
            dg1_matches_print=matches,
            face_image=result.face_png,
            dg1_lines=result.dg1_lines,
        )
        return DocumentRead(
            source=self.source,
            reader_name=self.name,
            raw_lines=result.dg1_lines,
            mrz=mrz,
            started_at=started,
            chip=summary,
            extra={
                "apdu_count": result.apdu_count,
                "seconds": round(result.seconds, 3),
                "le": result.le,
                "max_le": result.le,
                "file_access": result.file_access,
                "chip_authentication": result.chip_authentication,
                "active_authentication": result.active_authentication,
                "possible_clone": result.possible_clone,
                "alert": CLONE_ALERT if result.possible_clone else None,
                "trust_store_problems": list(self.trust_problems),
                "face_mime": result.face.mime if result.face else None,
                "listed_groups": list(result.listed_groups),
            },
        )

    def __enter__(self) -> ChipReader:
        return self

    def _close(self) -> None:
        self._transport.close()

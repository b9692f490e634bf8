"""The document screen's chip line: a slow chip's progress, the CAN typed for an ID card,
and a chip read arriving for the open document (attached, or why it failed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import Horizontal
from textual.widgets import Static

from drivers.base import DocumentRead, ReadFailure
from records.codes import Decision
from terminal.chip_checks import possible_clone
from terminal.chip_status import chip_refers
from terminal.i18n import _
from terminal.widgets.chip_panel import CAN_KINDS, merge_chip
from terminal.widgets.choice import Choice
from terminal.widgets.face import face_widget

if TYPE_CHECKING:
    from terminal.screens.document import DocumentScreen


def show_chip_progress(screen: DocumentScreen, file: str, done: int, total: int | None) -> None:
    """A slow chip is being read: how far (sizes only; no chip data)."""
    if screen.read.chip is not None or screen.chip_problem:
        return
    if total:
        screen.chip_progress = _("{file} {done} of {total} KB").format(
            file=file, done=done // 1024, total=max(1, total // 1024))
    else:
        screen.chip_progress = _("{file} {done} KB").format(file=file, done=done // 1024)
    screen.chip_pending = True
    screen.query_one("#chip", Static).update(screen._chip_text())


def can_typed(screen: DocumentScreen, can: str | None) -> None:
    if not can or not screen.app.chip.hand_can(can):
        return
    screen.chip_problem = ""
    screen.chip_progress = ""
    screen.chip_pending = True
    screen.query_one("#chip", Static).update(screen._chip_text())


async def chip_arrived(screen: DocumentScreen, chip_read: DocumentRead) -> None:
    """A chip read for this traveller (the chip reader got the keys from this MRZ): attach
    it to the open document, or show why it failed; saving is never blocked by the chip."""
    if screen.case is None or screen.read.mrz is None:
        return
    if not chip_read.ok or chip_read.chip is None:
        failure = chip_read.failure or ReadFailure("")
        if failure.kind == "no_keys" and screen.chip_pending:
            return  # the card was there before the keys: the reader reads it again
        error = chip_read.error or _("the chip could not be read")
        screen.chip_problem = f"{error}: {failure.hint}" if failure.hint else error
        if failure.kind in CAN_KINDS:
            screen.chip_problem += ". " + _("An ID card? F6: type its card access number (CAN)")
        screen.chip_pending = failure.resumable
        screen.query_one("#chip", Static).update(screen._chip_text())
        return
    screen.chip_pending = False
    screen.chip_problem = ""
    screen.chip_progress = ""
    merged = merge_chip(screen.read, chip_read)
    screen.read = merged
    screen.case.read = merged
    if chip_refers(merged):
        screen.case.form.decision = Decision.REFERRED
        preselect_referred(screen)
    screen.query_one("#chip", Static).update(screen._chip_text())
    await screen._show_banners()
    chip = merged.chip
    assert chip is not None
    await screen.query("#face").remove()
    await screen.query_one("#doc-body", Horizontal).mount(
        face_widget(chip.face_image, id="face")
    )


def preselect_referred(screen: DocumentScreen) -> None:
    """The officer may already be on the categorisation form: preselect there too."""
    from terminal.screens.categorise import CategoriseScreen

    for other in screen.app.screen_stack:
        if isinstance(other, CategoriseScreen) and other.case is screen.case:
            other.query_one("#decision", Choice).value = Decision.REFERRED
    what = (_("POSSIBLE CLONED CHIP") if possible_clone(screen.read)
            else _("CHIP DATA DIFFERS FROM THE PRINTED PAGE"))
    screen.app.notify(_("{what}: decision set to REFERRED").format(what=what), severity="error")

"""The chip part of the document screen: the chip's status, passive-authentication steps,
a short line per Chip / Active Authentication check, and how the chip read is attached to the
open optical read. Text only (no widget state)."""

from __future__ import annotations

import dataclasses
from typing import Any

from rich.text import Text

from drivers.base import DocumentRead
from terminal.chip_checks import access_note, check_lines, keep_extra
from terminal.chip_status import PASSED, POSSIBLE_CLONE, read_chip_status
from terminal.i18n import _

# chip read failures the card access number may cure (an ID card that opens only with it)
CAN_KINDS = frozenset({"wrong_keys", "can_not_usable", "pace_required", "can_needed"})
CHECK_STYLES = {"PASSED": "green", "FAILED": "bold red", "NOT_OFFERED": "dim",
                "NOT_CHECKED": "yellow"}  # fmt: skip


def chip_text(
    read: DocumentRead, *, pending: bool = False, problem: str = "", progress: str = ""
) -> Text:
    chip = read.chip
    if chip is None and problem:
        return Text(_("Chip: {problem}").format(problem=problem), style="bold yellow")
    if chip is None and pending and progress:
        return Text(_("Chip: reading chip... {progress}").format(progress=progress), style="bold")
    if chip is None and pending:
        return Text(_("Chip: reading chip... (passport on the chip reader)"), style="bold")
    if chip is None:
        return Text(_("Chip: not read (optical MRZ only)"), style="dim")
    status = read_chip_status(read)  # a possible clone is not PASSED, whatever PA says
    text = Text(_("Chip: "), style="bold")
    text.append(f"{chip.protocol}  ")
    style = "bold green" if status == PASSED else "bold red"
    shown = _("POSSIBLE CLONE") if status == POSSIBLE_CLONE else status.wire
    text.append(shown.replace("_", " "), style=style)
    text.append("\n" + _("Passive auth: "))
    for step, result in chip.passive_authentication.items():
        good = result.lower() == "passed"
        text.append(f"{step} ", style="")
        text.append(f"{result}  ", style="green" if good else "bold red")
    for label, outcome, why in check_lines(read):  # a short line per check
        text.append(f"\n{_(label)}: ")  # N_() in chip_checks
        text.append(outcome.value.replace("_", " ").lower(), style=CHECK_STYLES[outcome.value])
        why = why.replace(" (possible clone)", "")
        if why and outcome.value in ("FAILED", "NOT_CHECKED"):
            short = why if len(why) <= 36 else why[:35] + "…"  # one line beside the photo
            text.append(f" ({short})", style="dim")
    if chip.dg1_matches_print is True:
        text.append("\n" + _("Chip data = printed page"), style="green")
    note = access_note(read)
    if note:
        text.append(f"\n{note}", style="dim")
    if problem:
        text.append(f"\n{problem}", style="bold yellow")
    return text


def _norm(lines: Any) -> tuple[str, ...]:
    return tuple(str(x).strip().upper().replace(" ", "") for x in lines if str(x).strip())


def merge_chip(optical: DocumentRead, chip_read: DocumentRead) -> DocumentRead:
    """The open optical read with the chip's summary attached. The chip reader compares its DG1
    with the print it was given; when it had none, compare here with the optical MRZ."""
    chip = chip_read.chip
    assert chip is not None
    if chip.dg1_matches_print is None and chip.dg1_lines and optical.mrz is not None:
        chip = dataclasses.replace(
            chip, dg1_matches_print=_norm(chip.dg1_lines) == _norm(optical.mrz.lines)
        )
    extra = {**optical.extra, "chip": keep_extra(chip_read.extra)}
    return dataclasses.replace(optical, chip=chip, extra=extra)

"""The chip's verdict on a document, typed: `ChipStatus(outcome, step)`. The record keeps its
wire form (`CrossingRecord.chip_status`: "PASSED", "FAILED:<step>", "NOT_VERIFIED",
"NOT_READ"), written by `.wire` and read back by `ChipStatus.parse`. No textual import."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from terminal.chip_checks import possible_clone

if TYPE_CHECKING:
    from drivers.base import ChipSummary, DocumentRead

WIRE_MAX = 64  # records.schema: chip_status is at most 64 characters


class ChipOutcome(StrEnum):
    PASSED = "PASSED"  # passive authentication passed every step
    FAILED = "FAILED"  # a step failed, the chip's DG1 differs from the print, or a clone
    NOT_VERIFIED = "NOT_VERIFIED"  # read, but not every step was checked
    NOT_READ = "NOT_READ"  # no chip read


@dataclass(frozen=True, slots=True)
class ChipStatus:
    outcome: ChipOutcome
    step: str = ""  # FAILED only: the failed PA step, "dg1_mismatch" or "possible_clone"

    @property
    def wire(self) -> str:
        if self.outcome is ChipOutcome.FAILED:
            return f"FAILED:{self.step}"[:WIRE_MAX]
        return self.outcome.value

    def __str__(self) -> str:
        return self.wire

    @property
    def failed(self) -> bool:
        return self.outcome is ChipOutcome.FAILED

    @property
    def refers(self) -> bool:
        """The officer refers the traveller (the decision is preselected): DG1 mismatch, clone."""
        return self in (DG1_MISMATCH, POSSIBLE_CLONE)

    @classmethod
    def parse(cls, wire: str) -> ChipStatus:
        """The status a record holds; ValueError for a value outside the wire forms."""
        head, sep, step = wire.partition(":")
        outcome = ChipOutcome(head)
        if (outcome is ChipOutcome.FAILED) != bool(sep):
            raise ValueError(f"not a chip status: {wire!r}")
        return cls(outcome, step)


PASSED = ChipStatus(ChipOutcome.PASSED)
NOT_VERIFIED = ChipStatus(ChipOutcome.NOT_VERIFIED)
NOT_READ = ChipStatus(ChipOutcome.NOT_READ)
DG1_MISMATCH = ChipStatus(ChipOutcome.FAILED, "dg1_mismatch")
POSSIBLE_CLONE = ChipStatus(ChipOutcome.FAILED, "possible_clone")


def chip_status(chip: ChipSummary | None) -> ChipStatus:
    """From passive authentication: FAILED at the first failed step (or dg1_mismatch), PASSED
    when every step passed, NOT_VERIFIED otherwise, NOT_READ without a chip."""
    if chip is None:
        return NOT_READ
    for step, result in chip.passive_authentication.items():
        if result.lower().startswith("failed"):
            return ChipStatus(ChipOutcome.FAILED, step)
    if chip.dg1_matches_print is False:
        return DG1_MISMATCH
    if chip.passive_authentication and all(
        r.lower() == "passed" for r in chip.passive_authentication.values()
    ):
        return PASSED
    return NOT_VERIFIED


def read_chip_status(read: DocumentRead) -> ChipStatus:
    """chip_status, and POSSIBLE_CLONE when the data passed PA but the chip failed Chip or
    Active Authentication (the reader reports it in extra)."""
    status = chip_status(read.chip)
    if status in (PASSED, NOT_VERIFIED) and possible_clone(read):
        return POSSIBLE_CLONE
    return status


def chip_refers(read: DocumentRead) -> bool:
    """The chip says: examine the document, refer to second line (DG1 mismatch, clone)."""
    return read_chip_status(read).refers

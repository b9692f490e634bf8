"""What the chip reader reported beyond passive authentication (Chip and Active
Authentication, clone suspicion, file access), in words for the officer and codes for the
record. No textual import.

The chip reader's DocumentRead.extra carries per-step results ("passed", "failed: why",
"not offered: why", "not checked: why"); `merge_chip` keeps the keys below in the open read's
extra under "chip", so the record and the screen see the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from records.codes import ChipCheck
from terminal.i18n import N_, _

if TYPE_CHECKING:
    from drivers.base import DocumentRead

# the keys of the chip reader's extra the booth keeps (none holds personal data)
CHIP_EXTRA_KEYS = (
    "chip_authentication", "active_authentication", "possible_clone", "alert", "file_access",
    "max_le", "protocol", "trust_store_problems",
)  # fmt: skip
CHECK_NAMES = {"chip_authentication": N_("Chip auth"),
               "active_authentication": N_("Active auth")}
CLONE_BANNER = N_("POSSIBLE CLONED CHIP: data signed, chip not genuine; refer to second line")


def verdict(steps: Mapping[str, str] | None) -> tuple[ChipCheck, str]:
    """The outcome of one check from its steps, and the reason (without the verdict word).
    A failed step fails the check; "not offered" wins over "not checked" when nothing failed."""
    if not steps:
        return ChipCheck.NOT_CHECKED, "not reported by the chip reader"
    results = [str(s) for s in steps.values()]
    for result in results:
        if result.lower().startswith("failed"):
            return ChipCheck.FAILED, _reason(result)
    if all(r.lower().startswith("passed") for r in results):
        return ChipCheck.PASSED, ""
    for result in results:
        if result.lower().startswith("not offered"):
            return ChipCheck.NOT_OFFERED, _reason(result)
    other = next(r for r in results if not r.lower().startswith("passed"))
    return ChipCheck.NOT_CHECKED, _reason(other)


def _reason(result: str) -> str:
    _, _, why = result.partition(":")
    return why.strip()


def chip_extra(read: DocumentRead) -> dict[str, Any]:
    """The chip checks kept with an open read ({} when no chip was read)."""
    extra = read.extra if isinstance(read.extra, Mapping) else {}
    found = extra.get("chip")
    if isinstance(found, Mapping):
        return dict(found)
    return keep_extra(extra) if read.source == "chip" and read.chip is not None else {}


def keep_extra(extra: Mapping[str, Any]) -> dict[str, Any]:
    """The chip reader's extra, reduced to what the booth keeps."""
    return {k: extra[k] for k in CHIP_EXTRA_KEYS if k in extra}


def possible_clone(read: DocumentRead) -> bool:
    return bool(chip_extra(read).get("possible_clone"))


def check_lines(read: DocumentRead) -> list[tuple[str, ChipCheck, str]]:
    """(label, outcome, reason) per check the chip reader reported; [] for an older reader
    that reports no CA/AA."""
    extra = chip_extra(read)
    out = []
    for key, label in CHECK_NAMES.items():
        if key in extra:
            outcome, why = verdict(extra[key])
            out.append((label, outcome, why))
    return out


def record_fields(read: DocumentRead) -> dict[str, Any]:
    """The crossing record's chip-check fields for a read (all None when no chip was read)."""
    extra = chip_extra(read)
    if read.chip is None or not extra:
        return {"chip_authentication": None, "active_authentication": None,
                "chip_clone_suspected": None}  # fmt: skip
    return {
        "chip_authentication": verdict(extra.get("chip_authentication"))[0],
        "active_authentication": verdict(extra.get("active_authentication"))[0],
        "chip_clone_suspected": bool(extra.get("possible_clone")),
    }


def access_note(read: DocumentRead) -> str:
    """How the chip was read, for the technician's eye: "PACE-CAM, select by file id, Le 192"."""
    extra = chip_extra(read)
    parts = []
    if extra.get("file_access") == "select":
        parts.append(_("select by file id"))
    max_le = extra.get("max_le")
    if isinstance(max_le, int) and 0 < max_le <= 256:
        parts.append(f"Le {max_le}")
    problems = extra.get("trust_store_problems") or []
    if problems:
        parts.append(_("{n} trust store problem(s): imdms doctor").format(n=len(problems)))
    return ", ".join(parts)

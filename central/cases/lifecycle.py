"""A case's statuses and the changes allowed between them (docs/tracing.md, "Case lifecycle").

    received -> contacted -> interviewed -> identified | not_a_victim -> closed

Each step moves one forward. A case may also be closed early from any open status (the
traveller could not be found, a duplicate referral), but only with a note saying why. A closed
case stays closed: a new referral of the same person is a new crossing and a new case.
"""

from __future__ import annotations

from enum import StrEnum

from imdms.errors import ImdmsError


class Status(StrEnum):
    RECEIVED = "received"
    CONTACTED = "contacted"
    INTERVIEWED = "interviewed"
    IDENTIFIED = "identified"
    NOT_A_VICTIM = "not_a_victim"
    CLOSED = "closed"


NEXT: dict[Status, tuple[Status, ...]] = {
    Status.RECEIVED: (Status.CONTACTED,),
    Status.CONTACTED: (Status.INTERVIEWED,),
    Status.INTERVIEWED: (Status.IDENTIFIED, Status.NOT_A_VICTIM),
    Status.IDENTIFIED: (Status.CLOSED,),
    Status.NOT_A_VICTIM: (Status.CLOSED,),
    Status.CLOSED: (),
}
MAX_NOTE = 2000


def parse_status(text: str) -> Status:
    """A status as typed ("not-a-victim", "Closed"); ImdmsError naming the choices."""
    wanted = text.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return Status(wanted)
    except ValueError:
        raise ImdmsError(
            f"unknown case status {text!r}",
            "use one of: " + ", ".join(s.value for s in Status),
        ) from None


def check_transition(old: Status, new: Status, note: str | None) -> None:
    """Raise ImdmsError unless a case in `old` may move to `new` (with this note)."""
    if new in NEXT[old]:
        return
    if old is Status.CLOSED:
        raise ImdmsError("the case is closed", "a closed case cannot change; open a new referral")
    if new is Status.CLOSED:
        if note and note.strip():
            return
        raise ImdmsError(
            f"closing a case that is {old.value} needs a note",
            'say why with --note "traveller could not be found"',
        )
    allowed = ", ".join(s.value for s in NEXT[old]) + ", or closed with a note"
    raise ImdmsError(f"a case that is {old.value} cannot become {new.value}",
                     f"next for this case: {allowed}")

"""Groups (a vehicle, a family, a tour; issue 21 item 2): opened with one key (F7 on the scan
screen), every read joins it until it is closed (F7 again). The group id goes into every
record; a minor in the group is linked to the group's last adult saved here, and the
relationship, once said, is proposed for the group's next minors.

Another booth of the same post joins the same group by typing its short code (F11): the id is
a pure function of the post, the day and the code, so no booth has to ask the centre:

    group_id("MASERU-BR", date(2026, 11, 27), "K7M2")  ->  "G-MASERU-BR-20261127-K7M2"

Codes are 4 Crockford base32 characters (no I, L, O, U to misread across booths): a post
opening 500 groups a day has about a one in ten chance of two sharing a code in a day, which
would merge two groups of that post's statistics and no more. Memory only."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from records.codes import Relationship
from records.record import CrossingRecord
from terminal.booking import Case

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARS = 4


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_CHARS))


def normalise_code(text: str) -> str | None:
    """A code as typed (lower case, O for 0, I/L for 1) in its printed form, else None."""
    raw = text.strip().upper().translate(str.maketrans("OIL", "011"))
    if len(raw) != CODE_CHARS or any(ch not in ALPHABET for ch in raw):
        return None
    return raw


def group_id(border_post: str, day: date, code: str) -> str:
    return f"G-{border_post}-{day:%Y%m%d}-{code}"[:64]  # the record's group_id is <= 64


@dataclass(slots=True)
class Group:
    code: str
    group_id: str
    members: int = 0  # saved here
    adults: list[str] = field(default_factory=list)  # record ids saved here, in order
    relationship: Relationship | None = None  # said once for the group's minors


class Groups:
    """The booth's open group (at most one)."""

    def __init__(self) -> None:
        self.open: Group | None = None

    def start(self, border_post: str, day: date, code: str | None = None) -> Group:
        code = code or new_code()
        self.open = Group(code, group_id(border_post, day, code))
        return self.open

    def close(self) -> Group | None:
        closed, self.open = self.open, None
        return closed

    def join(self, case: Case) -> None:
        """A new read joins the open group; a minor is linked to its last adult here."""
        g = self.open
        if g is None or case.original is not None:
            return
        case.form.group_id = case.group_id = g.group_id
        if case.minor and g.adults:
            case.form.accompanying_adult_ref = g.adults[-1]
            case.form.relationship_to_adult = g.relationship

    def saved(self, record: CrossingRecord) -> None:
        g = self.open
        if g is None or record.group_id != g.group_id or record.amends is not None:
            return
        g.members += 1
        if record.minor is False:
            g.adults.append(record.record_id)
        elif record.relationship_to_adult is not None:
            g.relationship = record.relationship_to_adult

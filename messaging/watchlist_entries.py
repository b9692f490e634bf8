"""One watchlist entry: what is listed (a document, or a person by name and date of birth), why
(the category) and what the officer does (the instruction).

The wire form of an entry (inside a signed list or delta, messaging/watchlist_sign.py):

    {"id": "wl-3f2a...", "category": "LOST_STOLEN_DOCUMENT",
     "instruction": "Retain the document; refer to second line.",
     "document_number": "QX1234567", "issuing_state": "LSO", "document_type": "P",
     "surname": "MOKOENA", "given_names": "THABO", "date_of_birth": "1990-01-31",
     "nationality": "LSO", "source": "national"}

`id`, `category` and `instruction` are required; an entry lists a document number, or a name
with a date of birth, or both. The id is what a hit report carries: it never holds personal
data. Errors name the entry's position and the field, never a value.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from records.names import doc_number

MAX_INSTRUCTION = 500
OPTIONAL = ("document_number", "issuing_state", "document_type", "surname", "given_names",
            "date_of_birth", "nationality")


class Category(StrEnum):
    """Why an entry is listed (the booth shows the category with the instruction)."""

    LOST_STOLEN_DOCUMENT = "LOST_STOLEN_DOCUMENT"
    MISSING_CHILD_TIP = "MISSING_CHILD_TIP"  # missing child or trafficking-in-persons alert
    WANTED = "WANTED"
    ENTRY_BAN = "ENTRY_BAN"


LABELS = {
    Category.LOST_STOLEN_DOCUMENT: "Lost or stolen document",
    Category.MISSING_CHILD_TIP: "Missing child / trafficking alert",
    Category.WANTED: "Wanted person",
    Category.ENTRY_BAN: "Entry ban",
}


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    category: Category
    instruction: str
    document_number: str | None = field(default=None, repr=False)
    issuing_state: str | None = None
    document_type: str | None = None
    surname: str | None = field(default=None, repr=False)
    given_names: str | None = field(default=None, repr=False)
    date_of_birth: str | None = field(default=None, repr=False)
    nationality: str | None = None
    source: str = "national"

    @property
    def label(self) -> str:
        return LABELS[self.category]

    def to_dict(self) -> dict[str, Any]:
        """The wire form: None fields left out, so a delta of one change stays small."""
        data: dict[str, Any] = {"id": self.id, "category": self.category.value,
                                "instruction": self.instruction, "source": self.source}
        for key in OPTIONAL:  # (dataclasses.asdict deep-copies: 10x slower on big lists)
            if (value := getattr(self, key)) is not None:
                data[key] = value
        return data


def entry_id(prefix: str, *parts: str | None) -> str:
    """A stable id from what an entry lists, so republishing keeps ids (and deltas small);
    a hash, because the id travels in hit reports where personal data must not."""
    digest = hashlib.blake2b("|".join(p or "" for p in parts).encode(), digest_size=8)
    return f"{prefix}-{digest.hexdigest()}"


def parse_entry(data: Any, position: int) -> Entry:
    """An Entry from its wire form. Raises ValueError naming the position and field."""
    where = f"watchlist entry {position}"
    if not isinstance(data, dict):
        raise ValueError(f"{where}: not an object")
    unknown = set(data) - {"id", "category", "instruction", "source", *OPTIONAL}
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for key in ("id", "instruction", "source", *OPTIONAL):
        if key in data and not isinstance(data[key], str):
            raise ValueError(f"{where}: {key} must be text")
    if not data.get("id"):
        raise ValueError(f"{where}: id missing")
    try:
        category = Category(str(data.get("category")))
    except ValueError:
        raise ValueError(
            f"{where}: category must be one of {', '.join(c.value for c in Category)}"
        ) from None
    instruction = (data.get("instruction") or "").strip()
    if not instruction or len(instruction) > MAX_INSTRUCTION:
        raise ValueError(f"{where}: instruction missing or longer than {MAX_INSTRUCTION}")
    values = {k: (data.get(k) or "").strip() or None for k in OPTIONAL}
    for key in ("issuing_state", "nationality", "document_type"):
        if values[key]:
            values[key] = str(values[key]).upper()
    has_doc = bool(doc_number(values["document_number"]))
    name = f"{values['surname'] or ''}{values['given_names'] or ''}"
    has_person = any(c.isalpha() for c in name) and bool(values["date_of_birth"])
    if not (has_doc or has_person):
        raise ValueError(f"{where}: needs a document_number, or a name with a date_of_birth")
    return Entry(id=str(data["id"]), category=category, instruction=instruction,
                 source=str(data.get("source") or "national"), **values)


def parse_entries(items: Any) -> list[Entry]:
    """Every entry of a list; ids must be unique. Raises ValueError."""
    if not isinstance(items, list):
        raise ValueError("watchlist: 'entries' (list) missing")
    entries = [parse_entry(item, n) for n, item in enumerate(items)]
    seen: set[str] = set()
    for n, e in enumerate(entries):
        if e.id in seen:
            raise ValueError(f"watchlist entry {n}: duplicate id")
        seen.add(e.id)
    return entries

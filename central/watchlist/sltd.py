"""`imdms watchlist import-sltd FILE`: an Interpol SLTD-style export (Stolen and Lost Travel
Documents) as entries of category LOST_STOLEN_DOCUMENT.

The file is CSV (UTF-8, header row, comma or semicolon). Accepted columns (case-insensitive;
the aliases in brackets are what national SLTD extracts commonly call them):

    document_number   (number, doc_number)            required
    issuing_country   (issuing_state, country)        required, ISO 3166 alpha-3 (ICAO codes)
    document_type     (type, doc_type)                required: P passport, I/ID identity card,
                                                      V visa, or any ICAO 9303 type letter(s)
    status            (reason)                        required: STOLEN, LOST or REVOKED
                                                      (also STOLEN BLANK, a blank booklet)
    reported_at       (date)                          optional, kept out of the entry

The entry id is sltd-<hash of country and number>, so a re-import of the same export keeps
ids and publishes an empty delta. Errors name the line and column, never a value.
"""

from __future__ import annotations

import re
from pathlib import Path

from central.watchlist.source import csv_rows
from imdms.errors import ImdmsError
from messaging.watchlist_entries import Category, Entry, entry_id
from records.names import doc_number

ALIASES = {
    "document_number": "document_number", "number": "document_number",
    "doc_number": "document_number",
    "issuing_country": "issuing_country", "issuing_state": "issuing_country",
    "country": "issuing_country",
    "document_type": "document_type", "type": "document_type", "doc_type": "document_type",
    "status": "status", "reason": "status",
    "reported_at": "reported_at", "date": "reported_at",
}
STATUSES = {"STOLEN": "stolen", "STOLEN BLANK": "stolen (blank)", "LOST": "lost",
            "REVOKED": "revoked"}
COUNTRY = re.compile(r"^[A-Z]{3}$|^D$")  # D: Germany's one-letter ICAO code
DOC_TYPE = re.compile(r"^(ID|[A-Z][A-Z0-9]?)$")
HINT = "fix the export (columns: docs/tracing.md, section Watchlist) and import again"


def instruction(status: str) -> str:
    return (f"Recorded in Interpol SLTD as {STATUSES[status]}: do not admit on this document; "
            "retain it and refer the traveller to second line.")


def _canonical_header(text: str, path: Path) -> str:
    first, sep, rest = text.partition("\n")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    names = []
    for raw in first.split(delimiter):
        name = raw.strip().strip('"').lower().replace(" ", "_")
        if name not in ALIASES:
            raise ImdmsError(f"{path}: unknown column {name!r}",
                             "accepted: " + ", ".join(sorted(set(ALIASES))))
        names.append(ALIASES[name])
    return delimiter.join(names) + sep + rest


def read_sltd(path: Path) -> list[Entry]:
    """The entries of an SLTD-style export. Raises ImdmsError (unreadable file, bad column or
    cell: the message gives the line)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        why = getattr(err, "strerror", None) or err.__class__.__name__
        raise ImdmsError(f"cannot read {path}: {why}", "give the UTF-8 CSV export") from err
    columns = ("document_number", "issuing_country", "document_type", "status", "reported_at")
    rows = csv_rows(_canonical_header(text, path), columns, path, required=columns[:4])
    entries: dict[str, Entry] = {}
    for line, row in enumerate(rows, start=2):
        number = doc_number(row.get("document_number"))
        country = str(row.get("issuing_country") or "").upper()
        kind = str(row.get("document_type") or "").upper()
        status = " ".join(str(row.get("status") or "").upper().split())
        for column, ok in (("document_number", bool(number)),
                           ("issuing_country", bool(COUNTRY.match(country))),
                           ("document_type", bool(DOC_TYPE.match(kind))),
                           ("status", status in STATUSES)):
            if not ok:
                raise ImdmsError(f"{path} row {line}: {column} missing or not valid", HINT)
        eid = entry_id("sltd", country, number)
        entries[eid] = Entry(id=eid, category=Category.LOST_STOLEN_DOCUMENT,
                             instruction=instruction(status), document_number=number,
                             issuing_state=country, document_type=kind, source="sltd")
    return list(entries.values())

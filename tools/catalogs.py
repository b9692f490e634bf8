"""The booth's gettext catalogs, with Babel (a build and test tool: the booth reads the compiled
.mo files with the stdlib).

    python -m tools.catalogs extract   terminal/ -> terminal/locale/imdms.pot
    python -m tools.catalogs update    .pot -> each language's .po (new msgids come in empty)
    python -m tools.catalogs compile   each .po -> .mo (committed: installs need no Babel)
    python -m tools.catalogs check     exit 1 if a catalog is stale, incomplete or fuzzy

The .pot has no source locations, so moving a line does not churn it.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from records.codes import TIP_INDICATOR_LABELS
from terminal.i18n import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, LOCALE_DIR

SOURCE_DIR = LOCALE_DIR.parent
POT = LOCALE_DIR / f"{DOMAIN}.pot"
REVIEW_MARK = "needs native review"
TRANSLATED = [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]


def po_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every msgid in terminal/ (keywords: _, N_, ngettext, ...), translator notes from
    comments starting "TRANSLATORS:"."""
    catalog = Catalog(project="imdms-terminal", domain=DOMAIN, fuzzy=False,
                      copyright_holder="the IMDMS project", msgid_bugs_address="")
    for _file, _line, message, comments, context in extract_from_dir(
        SOURCE_DIR, comment_tags=("TRANSLATORS:",), strip_comment_tags=True,
        directory_filter=lambda d: "locale" not in Path(d).parts,
    ):
        catalog.add(message, None, auto_comments=comments, context=context)
    # officer-facing labels that live below terminal/ (records/ may not import it): shown
    # through terminal.labels.tip_label
    for text in TIP_INDICATOR_LABELS.values():
        catalog.add(text, None, auto_comments=["records/codes.py TIP_INDICATOR_LABELS"])
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, omit_header=False, no_location=True, sort_output=True, width=96)
    return out.getvalue()


def _messages(catalog: Catalog) -> list[tuple[object, list[str]]]:
    """What a template says, without its header (dates, the copyright year)."""
    return sorted(((m.id, list(m.auto_comments)) for m in catalog if m.id), key=repr)


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as src:
        return read_po(src, locale=locale, domain=DOMAIN)


def ids(catalog: Catalog) -> set[object]:
    return {m.id for m in catalog if m.id}


def problems(code: str, po_file: Path | None = None) -> list[str]:
    """What is wrong with `code`'s catalog (default: the shipped one) against the source."""
    found: list[str] = []
    po_file = po_file or po_path(code)
    wanted = ids(extract())
    po = read(po_file, code)
    have = ids(po)
    found += [f"{code}: missing msgid {m!r}" for m in sorted(map(str, wanted - have))]
    gone = sorted(map(str, have - wanted))
    found += [f"{code}: msgid no longer in the source {m!r}" for m in gone]
    for m in po:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy and not any(REVIEW_MARK in c for c in m.user_comments):
            found.append(f"{code}: fuzzy, not marked for review {m.id!r}")
        if not all(strings):  # stricter than fuzzy: the officer would see English
            found.append(f"{code}: empty translation {m.id!r}")
    mo = po_file.with_suffix(".mo")
    if not mo.is_file() or mo.read_bytes() != _mo_bytes(po):
        found.append(f"{code}: {mo.name} is not compiled from the current .po")
    if not POT.is_file() or _messages(read(POT)) != _messages(extract()):
        found.append(f"{POT.name} is stale: run python -m tools.catalogs extract")
    return found


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        POT.write_bytes(_po_bytes(extract()))
    elif command == "update":
        template = read(POT)
        for code in TRANSLATED:
            po = read(po_path(code), code)
            po.update(template, no_fuzzy_matching=True)  # a guess would inherit the review mark
            po_path(code).write_bytes(_po_bytes(po))
    elif command == "compile":
        for code in TRANSLATED:
            po_path(code).with_suffix(".mo").write_bytes(_mo_bytes(read(po_path(code), code)))
    elif command == "check":
        found = [p for code in TRANSLATED for p in problems(code)]
        for line in found:
            print(line, file=sys.stderr)
        return 1 if found else 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

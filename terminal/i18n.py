"""The booth's language: stdlib gettext over the compiled catalogs in terminal/locale/.

Officer-facing text goes through `_()` (or `ngettext`) when it is shown, never at import time:
the officer picks the language at sign-in and every screen built after that speaks it. Strings
that must be defined at import time (tables, labels) are marked with `N_()` for extraction and
passed through `_()` where they are displayed. Wire values (records/ code lists) are never
translated. A missing catalog or string falls back to English (the msgid itself).

Babel is only a build and test tool (extract, update, compile); nothing here imports it.
No textual import.
"""

from __future__ import annotations

import gettext
import threading
from functools import lru_cache
from pathlib import Path

from imdms.errors import ImdmsError

DOMAIN = "imdms"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES: dict[str, str] = {"en": "English", "st": "Sesotho"}
DEFAULT_LANGUAGE = "en"

_lock = threading.Lock()
_current_code = DEFAULT_LANGUAGE
_current: gettext.NullTranslations = gettext.NullTranslations()


@lru_cache(maxsize=len(LANGUAGES))
def translations(code: str) -> gettext.NullTranslations:
    """The catalog for `code`; English (identity) when it is "en" or its .mo is missing."""
    if code == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)


def catalog_installed(code: str) -> bool:
    """Whether a compiled catalog for `code` ships with this install (English always does)."""
    if code == DEFAULT_LANGUAGE:
        return True
    return (LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()


def set_language(code: str) -> None:
    """Switch every later `_()` to `code`. Unknown codes are refused; a known language whose
    catalog is not installed shows English."""
    global _current, _current_code
    if code not in LANGUAGES:
        raise ImdmsError(f"unknown booth language {code!r}",
                         f"use one of: {', '.join(sorted(LANGUAGES))}")
    with _lock:
        _current = translations(code)
        _current_code = code


def current_language() -> str:
    return _current_code


def next_language(code: str | None = None) -> str:
    """The language after `code` (default: the current one), for a key that cycles them."""
    codes = list(LANGUAGES)
    here = codes.index(code if code is not None else _current_code)
    return codes[(here + 1) % len(codes)]


def _(text: str) -> str:
    return _current.gettext(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(text: str) -> str:
    """Mark `text` for extraction without translating it now (translate where it is shown)."""
    return text


def gettext_in(code: str, text: str) -> str:
    """`text` in `code` regardless of the officer's language (the traveller screen shows both)."""
    return translations(code).gettext(text)

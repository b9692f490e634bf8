"""Database errors sorted and told to the technician: the server's reason, never a value.

Three kinds matter to the collector:
- a bad value (SQLSTATE class 22 data exception or 23 integrity; psycopg refusing a NUL; an
  encoder refusing a surrogate; an integer SQLite cannot hold): that message is rejected and
  the rest of the batch goes on;
- a lost connection (PostgreSQL restarted, the backend terminated, the network cut): the
  collector reconnects with backoff;
- anything else (locked, disk full, permission): the batch is rolled back and retried.

The text for the technician is libpq's own (e.g. 'connection to server at "127.0.0.1", port
5433 failed: Connection refused') or the server's primary message. Data and integrity errors
can quote a row's values, so for them only the error's name and SQLSTATE are given.
"""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import unquote

VALUE_CLASSES = ("22", "23")  # data exception, integrity constraint violation


def _psycopg_error() -> type[BaseException] | None:
    try:
        import psycopg
    except ImportError:
        return None
    return psycopg.Error


def is_db_error(err: BaseException) -> bool:
    """An error raised by the database driver (either store)."""
    pg = _psycopg_error()
    return isinstance(err, sqlite3.Error) or (pg is not None and isinstance(err, pg))


def is_bad_value(err: BaseException) -> bool:
    """The store refused a value of the message, not the message's turn: reject it."""
    if isinstance(err, (UnicodeEncodeError, OverflowError)):
        return True
    if isinstance(err, (sqlite3.DataError, sqlite3.IntegrityError)):
        return True
    if isinstance(err, sqlite3.InterfaceError) and "binding" in str(err):
        return True  # "Error binding parameter": a type SQLite cannot take
    pg = _psycopg_error()
    if pg is None or not isinstance(err, pg):
        return False
    import psycopg

    state = getattr(err, "sqlstate", None)
    if state:
        return bool(state[:2] in VALUE_CLASSES)
    return isinstance(err, psycopg.DataError)  # client side, e.g. NUL in a text field


def describe(err: BaseException, secret: str | None = None) -> str:
    """One line for the technician: the driver's or server's reason, no values, no password."""
    name = err.__class__.__name__
    state = getattr(err, "sqlstate", None)
    if state and state[:2] in VALUE_CLASSES:
        return f"{name} (SQLSTATE {state})"
    diag = getattr(err, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    if primary and state:
        text = f"{primary} (SQLSTATE {state})"
    else:
        text = " ".join(str(err).split()) or name
        if text.startswith("connection failed: "):
            text = text[len("connection failed: ") :]
    if secret:
        for form in {secret, unquote(secret)}:
            text = text.replace(form, "***")
    return text[:500]


def url_password(url: str) -> str | None:
    """The password in a database URL, as written (to keep it out of any message).

    Parsed by hand: libpq echoes a malformed URL, which urlsplit may refuse to parse.
    """
    match = re.match(r"[A-Za-z][A-Za-z0-9+.-]*://[^:/@?#]*:([^@/?#]*)@", url)
    return match.group(1) if match and match.group(1) else None


def is_connection_lost(conn: object) -> bool:
    """True when a psycopg connection is closed or broken (it must be replaced)."""
    return bool(getattr(conn, "closed", False) or getattr(conn, "broken", False))

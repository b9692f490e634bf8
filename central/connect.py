"""Opening the central store: a SQLite file (0600) or a PostgreSQL connection.

Errors are ImdmsError with the driver's or server's reason (central.dberrors.describe) and
what to do, never the password.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from central.dberrors import describe, url_password
from imdms.errors import ConfigError, ImdmsError

CONNECT_TIMEOUT_S = 10
IDLE_IN_TRANSACTION_S = 60  # a batch takes well under a second


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def connect_postgres(url: str) -> Any:
    """A psycopg connection (not autocommit). Raises ConfigError/ImdmsError."""
    try:
        import psycopg
    except ImportError as err:
        raise ConfigError(
            "collector.database is a PostgreSQL URL but psycopg is not installed",
            "pip install 'imdms-terminal[central]', or set collector.database to a SQLite path",
        ) from err
    try:
        conn = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S)
        # a collector cut off mid-batch holds the ingest lock (Database.lock_for_ingest): the
        # server ends such a session after this long instead of when TCP finally notices
        conn.execute(f"SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION_S}s'")
        conn.commit()
        return conn
    except psycopg.Error as err:
        raise ImdmsError(
            f"cannot connect to PostgreSQL: {describe(err, url_password(url))}",
            "check collector.database (host, port, database, user, password) and that"
            " the server runs",
        ) from err


# "postgresql:/host/db" (a URL that went through Path(), which folds "//") or "mysql://...":
# a URL scheme, not a file name; SQLite would quietly create ./postgresql:/... and store there
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def connect_sqlite(url: str) -> sqlite3.Connection:
    """A SQLite connection in WAL mode; the file is created 0600 (it holds personal data)."""
    if not url.startswith("sqlite:///") and _SCHEME.match(url):
        raise ImdmsError(
            f"collector.database {url.split(':', 1)[0]}:... is neither a file path nor a"
            " postgresql:// URL",
            "write postgresql://user@host:port/db (two slashes), or a SQLite file path",
        )
    path = Path(url.removeprefix("sqlite:///"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # personal data: owner-only before the first byte. SQLite creates the file under
        # umask 077 (and gives -wal/-shm its mode); never os.open/os.close a database file:
        # closing any descriptor drops the process's SQLite locks on it.
        old_umask = os.umask(0o077)
        try:
            conn = sqlite3.connect(path, check_same_thread=False)
        finally:
            os.umask(old_umask)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    except (OSError, sqlite3.Error) as err:
        raise ImdmsError(
            f"cannot open the central database {path}: {err}",
            "check collector.database and that the directory is writable",
        ) from err
    return conn

"""collector.database (a SQLite path or a postgresql:// URL) as Django's DATABASES entry."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from central.connect import is_postgres_url


def django_database(url: str) -> dict[str, Any]:
    """The "default" database for Django, the same store `imdms collect` writes.

    A postgresql:// URL keeps its host (also ?host=/run/postgresql for a socket), port, user,
    password and database; anything else is a SQLite file path.
    """
    if not is_postgres_url(url):
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": url.removeprefix("sqlite:///")}
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    host = query.pop("host", None) or (parts.hostname or "")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "OPTIONS": {"connect_timeout": 10, **query},
        "CONN_MAX_AGE": 60,  # one connection per gunicorn worker, re-used across requests
        "CONN_HEALTH_CHECKS": True,  # a PostgreSQL restart costs one reconnect, not an error
    }

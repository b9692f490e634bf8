"""The central store as central.db.Database for the report, trace and case code.

Django's own connection serves the ORM; report and trace code take a Database, opened here per
request on the same store (collector.database) without DDL rights (create=False).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from central.db import Database


@contextmanager
def central_db() -> Iterator[Database]:
    db = Database(settings.CENTRAL_DATABASE, create=False)
    try:
        yield db
    finally:
        try:
            db.close()
        except Exception:  # an error inside is the one to show
            pass

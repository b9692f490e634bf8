"""The central store as central.db.Database for the report and trace code, and providers.

Django's own connection serves the ORM; report and trace code take a Database, opened here per
request on the same store (collector.database) without DDL rights (create=False).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings

from central.db import Database
from imdms.errors import ImdmsError


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


Provider = Callable[[str], list[dict[str, Any]]]


def provider(spec: str) -> Provider | None:
    """ "module:function" (IMDMS_CONSOLE_CASES / _WATCHLIST) or None when not configured.

    The function takes the signed-in user name and returns rows (column -> text) for the page;
    the cases and watchlist modules of the central side provide them.
    """
    if not spec:
        return None
    module, _, name = spec.partition(":")
    try:
        fn: Provider = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        raise ImdmsError(
            f"console provider {spec} cannot be loaded: {err}",
            "check IMDMS_CONSOLE_CASES / IMDMS_CONSOLE_WATCHLIST (module:function)",
        ) from err
    return fn

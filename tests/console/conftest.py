"""The console under Django's test client: one SQLite store for the session, made by the
collector's code (central.db ingest of the demo's synthetic records) before `migrate`, so every
test also runs on an adopted database. Django's settings are per process: they are set here,
before any test module imports console.models."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("django")

ROOT = Path(tempfile.mkdtemp(prefix="imdms-console-test-"))
DATABASE = str(ROOT / "central.sqlite3")
(ROOT / "secret").write_text(secrets.token_urlsafe(48))
(ROOT / "static").mkdir()
os.environ.update(
    DJANGO_SETTINGS_MODULE="console.settings",
    IMDMS_CONSOLE_DATABASE=DATABASE,
    IMDMS_CONSOLE_SECRET=str(ROOT / "secret"),
    IMDMS_CONSOLE_TESTING="1",
    IMDMS_CONSOLE_HTTP="1",
    IMDMS_CONSOLE_STATIC_ROOT=str(ROOT / "static"),
)
os.environ.pop("IMDMS_CONFIG", None)
RECORDS = 1200


@pytest.fixture(scope="session")
def console_db() -> Iterator[str]:
    """The migrated store with the demo's records and one user per role (password DEMO)."""
    import django

    from console.demo import load, make_users

    stored = load(DATABASE, RECORDS)
    assert stored == RECORDS
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    make_users()
    try:
        yield DATABASE
    finally:
        shutil.rmtree(ROOT, ignore_errors=True)

"""The audit tests run on both central stores: the `store` fixture of tests/collector."""

from collections.abc import Iterator

import pytest

from central.audit.schema import ensure_schema
from central.db import Database
from tests.collector.peers import Store, mosquitto, postgres_server, store

__all__ = ["db", "mosquitto", "postgres_server", "store"]


@pytest.fixture
def db(store: Store) -> Iterator[Database]:
    d = Database(store.url)
    ensure_schema(d)
    try:
        yield d
    finally:
        d.close()

"""The retention tests run on both central stores: the `store` fixture of tests/collector."""

from collections.abc import Iterator

import pytest

from central.db import Database
from tests.collector.peers import Store, postgres_server, store

__all__ = ["db", "postgres_server", "store"]


@pytest.fixture
def db(store: Store) -> Iterator[Database]:
    d = Database(store.url)
    try:
        yield d
    finally:
        d.close()

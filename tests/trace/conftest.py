"""The trace tests run on both central stores: the `store` fixture of tests/stats."""

from tests.stats.conftest import postgres_server, store

__all__ = ["postgres_server", "store"]

"""The trace tests run on both central stores: the `store` fixture of tests/collector/peers.py."""

from tests.collector.peers import postgres_server, store

__all__ = ["postgres_server", "store"]

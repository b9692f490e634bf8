"""The collector tests' peers (tests/collector/peers.py): Mosquitto and both central stores."""

from tests.collector.peers import mosquitto, postgres_server, store

__all__ = ["mosquitto", "postgres_server", "store"]

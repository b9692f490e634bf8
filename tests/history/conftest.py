"""History tests: the messaging peers (a real Mosquitto) and a central store with travellers."""

from tests.messaging.conftest import broker, broker_factory

__all__ = ["broker", "broker_factory"]

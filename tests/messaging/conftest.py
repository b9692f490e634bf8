"""Messaging test peers: a real Mosquitto on a free loopback port, and a collector."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.messaging.peers import Broker, Collector
from tests.peers import free_port, require_executable


@pytest.fixture
def broker_factory(tmp_path: Path) -> Iterator[Any]:
    exe = require_executable("mosquitto")
    brokers: list[Broker] = []

    def make(
        extra_conf: str = "", tls: dict[str, Path] | None = None, start: bool = True
    ) -> Broker:
        workdir = tmp_path / f"broker{len(brokers)}"
        workdir.mkdir()
        b = Broker(exe, workdir, free_port(), extra_conf, tls)
        brokers.append(b)
        if start:
            b.start()
        return b

    yield make
    for b in brokers:
        b.kill()


@pytest.fixture
def broker(broker_factory: Any) -> Broker:
    b: Broker = broker_factory()
    return b


@pytest.fixture
def collector_factory() -> Iterator[Any]:
    made: list[Collector] = []

    def make(port: int, **kw: Any) -> Collector:
        c = Collector(port, **kw)
        made.append(c)
        return c

    yield make
    for c in made:
        c.stop()

"""Test peers (mosquitto, pcscd, vpcd, tesseract, socat, tmux, ...).

A test that needs a peer calls `require_peer(name, found)`: it skips on a laptop without the
peer, but fails when IMDMS_REQUIRE_PEERS=1 (CI), so a missing install step cannot hide as skips.
"""

from __future__ import annotations

import os
import random
import shutil
import socket

import pytest


def peers_required() -> bool:
    return os.environ.get("IMDMS_REQUIRE_PEERS") == "1"


def require_peer(name: str, found: bool | str | None = None) -> None:
    """Skip (laptop) or fail (CI) unless the peer is present. `found` defaults to `which name`."""
    if found is None:
        found = shutil.which(name) is not None
    if found:
        return
    message = f"test peer {name!r} is missing: install it (./bootstrap setup does)"
    if peers_required():
        pytest.fail(message + " [IMDMS_REQUIRE_PEERS=1]")
    pytest.skip(message)


def require_executable(name: str, *alternatives: str) -> str:
    """Path of the first executable found among name and alternatives (also /usr/sbin)."""
    for candidate in (name, *alternatives):
        path = shutil.which(candidate) or shutil.which(candidate, path="/usr/sbin:/sbin")
        if path:
            return path
    require_peer(name, False)
    raise AssertionError("unreachable")


# Servers the tests kill and restart on the same port (brokers, RabbitMQ's distribution port)
# must not get a port from the kernel's ephemeral range: between the kill and the restart a
# client's outgoing connection may take it as its source port (seen: RabbitMQ failed to restart
# with dist_port_already_used). So ports come from below that range, never one twice a run.
_SERVER_PORTS = range(20000, 32700)
_handed_out: set[int] = set()
_rng = random.Random(os.getpid())


def free_port() -> int:
    """A free TCP port on loopback (tests bind only 127.0.0.1), outside the ephemeral range and
    never the same one twice in this process."""
    for _ in range(1000):
        port = _rng.choice(_SERVER_PORTS)
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free loopback port below the ephemeral range")

"""A real 3-node RabbitMQ cluster on loopback for the slow fault test.

One epmd (free port, 127.0.0.1) serves the three nodes; they share an Erlang cookie and find
each other by classic peer discovery. The first node loads the definitions; the other two join
it, and the quorum queues are then grown onto them (`rabbitmq-queues grow`, as in
docs/central.md), so each queue has 3 members and survives the loss of any one node.
"""

from __future__ import annotations

import secrets
import subprocess
import time
from pathlib import Path

from tests.central.rabbit import RabbitNode
from tests.peers import free_port

BIN = Path("/usr/lib/rabbitmq/bin")


class RabbitCluster:
    def __init__(
        self, directory: Path, passwords: dict[str, str], admin: tuple[str, str], size: int = 3
    ) -> None:
        self.dir = directory
        self.epmd_port = free_port()
        tag = self.epmd_port
        names = [f"n{i}-{tag}@localhost" for i in range(1, size + 1)]
        conf = "cluster_formation.peer_discovery_backend = classic_config\n" + "".join(
            f"cluster_formation.classic_config.nodes.{i} = {n}\n" for i, n in enumerate(names, 1)
        )
        cookie = secrets.token_hex(16)
        self.nodes = [
            RabbitNode(
                directory / n.split("@")[0],
                passwords,
                admin,
                name=n,
                epmd_port=self.epmd_port,
                extra_conf=conf,
                definitions=(i == 0),
                cookie=cookie,
            )
            for i, n in enumerate(names)
        ]
        self.epmd: subprocess.Popen[bytes] | None = None
        self.start_s = 0.0

    def start(self) -> None:
        t0 = time.monotonic()
        log = (self.dir / "epmd.log").open("ab")
        self.epmd = subprocess.Popen(
            ["epmd", "-address", "127.0.0.1", "-port", str(self.epmd_port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.nodes[0]._await_port(self.epmd_port, self.epmd, "epmd")
        self.nodes[0].start()
        for node in self.nodes[1:]:
            node.spawn()
        for node in self.nodes[1:]:
            node.await_started()
        for node in self.nodes[1:]:
            self.ctl("rabbitmq-queues", "grow", node.name, "all", "--vhost-pattern", "imdms")
        self.start_s = time.monotonic() - t0

    def ctl(self, tool: str, *args: str, node: RabbitNode | None = None) -> str:
        """A RabbitMQ CLI command against `node` (default: the first); its output."""
        target = node or self.nodes[0]
        r = subprocess.run(
            [str(BIN / tool), "-n", target.name, *args],
            env=target.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if r.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)}: {r.stderr[-800:]}")
        return r.stdout

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
        if self.epmd is not None and self.epmd.poll() is None:
            self.epmd.terminate()
            self.epmd.wait(10)

"""A real RabbitMQ node for tests: loopback only, its own epmd, started and stopped by PID.

Everything lives in a temp dir (RABBITMQ_MNESIA_BASE, RABBITMQ_LOG_BASE, HOME for the Erlang
cookie); every port is free and bound to 127.0.0.1: AMQP, MQTT, the distribution port, and an
epmd the test starts itself (ERL_EPMD_ADDRESS/ERL_EPMD_PORT) so no 0.0.0.0:4369 appears. The
node loads deploy/central/definitions.json at boot, with test passwords put in (sha256 hashes
as RabbitMQ stores them) and the terminal template's permissions copied to each test terminal,
so the tests exercise the permissions the project ships.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.peers import free_port, require_executable

REPO = Path(__file__).resolve().parents[2]
DEFINITIONS = REPO / "deploy" / "central" / "definitions.json"
SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
COLLECTOR_USER = "imdms-collector"
TEMPLATE_USER = "imdms-terminal-template"
START_TIMEOUT_S = 60
BOOTED = "Server startup complete"


def password_hash(password: str) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    salt = os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def test_definitions(passwords: dict[str, str], admin: tuple[str, str]) -> dict[str, Any]:
    """The shipped definitions with `passwords` set; new users get the terminal template.

    `admin` (name, password) is a test-only user with every permission (purging queues).
    """
    defs: dict[str, Any] = json.loads(DEFINITIONS.read_text())
    hashing = "rabbit_password_hashing_sha256"
    name, password = admin
    defs["users"].append(
        {
            "name": name,
            "password_hash": password_hash(password),
            "hashing_algorithm": hashing,
            "tags": ["administrator"],
        }
    )
    defs["permissions"].append(
        {"user": name, "vhost": "imdms", "configure": ".*", "write": ".*", "read": ".*"}
    )
    users = {u["name"]: u for u in defs["users"]}
    template_perms = [p for p in defs["permissions"] if p["user"] == TEMPLATE_USER]
    template_topics = [p for p in defs["topic_permissions"] if p["user"] == TEMPLATE_USER]
    for name, password in passwords.items():
        if name not in users:
            users[name] = dict(users[TEMPLATE_USER], name=name)
            defs["users"].append(users[name])
            for perm in template_perms:
                defs["permissions"].append(dict(copy.deepcopy(perm), user=name))
            for perm in template_topics:
                defs["topic_permissions"].append(dict(copy.deepcopy(perm), user=name))
        users[name]["password_hash"] = password_hash(password)
    return defs


class RabbitNode:
    """One single-node RabbitMQ; `amqp_url(user, password)` and `mqtt_port` for the clients."""

    def __init__(
        self,
        directory: Path,
        passwords: dict[str, str],
        admin: tuple[str, str],
        tls: dict[str, Path] | None = None,
        *,
        name: str | None = None,
        epmd_port: int | None = None,
        extra_conf: str = "",
        conf: str | None = None,
        plugins: str = "rabbitmq_mqtt,rabbitmq_auth_mechanism_ssl",
        definitions: bool = True,
        cookie: str | None = None,
    ) -> None:
        """A cluster's nodes share `epmd_port` (started by the cluster) and `cookie`; only its
        first node loads `definitions` (the others join it)."""
        require_executable("epmd")
        from tests.peers import require_peer

        require_peer("rabbitmq-server", SERVER.exists())
        self.dir = directory
        self.passwords = passwords
        self.admin = admin
        self.tls = tls
        self.amqp_port, self.mqtt_port = free_port(), free_port()
        self.dist_port = free_port()
        self.own_epmd = epmd_port is None
        self.epmd_port = epmd_port or free_port()
        self.mqtts_port = free_port()
        self.name = name or f"imdms-test-{self.amqp_port}@localhost"
        self.extra_conf = extra_conf
        self.conf = conf  # replaces the generated rabbitmq.conf (the shipped one, adapted)
        self.plugins = plugins
        self.definitions = definitions
        self.cookie = cookie
        self.epmd: subprocess.Popen[bytes] | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.start_s = 0.0
        self._boots = 0
        self._write_files()

    def _write_files(self) -> None:
        d = self.dir
        (d / "mnesia").mkdir(parents=True, exist_ok=True)
        (d / "log").mkdir(exist_ok=True)
        defs = d / "definitions.json"
        defs.write_text(json.dumps(test_definitions(self.passwords, self.admin)))
        defs.chmod(0o600)
        (d / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.amqp_port}\n"
            f"mqtt.listeners.tcp.default = 127.0.0.1:{self.mqtt_port}\n"
            "mqtt.vhost = imdms\n"
            "mqtt.exchange = amq.topic\n"
            "mqtt.allow_anonymous = false\n"
            "mqtt.durable_queue_type = quorum\n"
            "cluster_partition_handling = pause_minority\n"
            "loopback_users = none\n"
            + (
                f"definitions.import_backend = local_filesystem\ndefinitions.local.path = {defs}\n"
                if self.definitions
                else ""
            )
            + "log.console = false\n"
            "log.file.level = info\n" + (self._tls_conf() if self.tls else "") + self.extra_conf
        )
        if self.cookie:
            path = d / ".erlang.cookie"
            path.write_text(self.cookie)
            path.chmod(0o400)
        (d / "advanced.config").write_text("[].\n")
        if self.conf is not None:
            (d / "rabbitmq.conf").write_text(self.conf.replace("@DEFINITIONS@", str(defs)))
        (d / "enabled_plugins").write_text(f"[{self.plugins}].\n")
        (d / "rabbitmq-env.conf").write_text("")

    def _tls_conf(self) -> str:
        """MQTT over TLS, the terminal's user taken from its certificate's CN (as deployed)."""
        assert self.tls is not None
        return (
            f"mqtt.listeners.ssl.default = 127.0.0.1:{self.mqtts_port}\n"
            f"ssl_options.cacertfile = {self.tls['ca']}\n"
            f"ssl_options.certfile = {self.tls['cert']}\n"
            f"ssl_options.keyfile = {self.tls['key']}\n"
            "ssl_options.verify = verify_peer\n"
            "ssl_options.fail_if_no_peer_cert = true\n"
            "mqtt.ssl_cert_login = true\n"
            "ssl_cert_login_from = common_name\n"
        )

    def env(self) -> dict[str, str]:
        d = self.dir
        return {
            **os.environ,
            "HOME": str(d),  # the Erlang cookie
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_BASE": str(d),
            "RABBITMQ_MNESIA_BASE": str(d / "mnesia"),
            "RABBITMQ_LOG_BASE": str(d / "log"),
            "RABBITMQ_CONFIG_FILE": str(d / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(d / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(d / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(d / "rabbitmq-env.conf"),
            "RABBITMQ_PID_FILE": str(d / "rabbitmq.pid"),
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "ERL_EPMD_PORT": str(self.epmd_port),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            # exec the Erlang VM in place of the script: our PID is the node's
            "RUNNING_UNDER_SYSTEMD": "true",
        }

    def start(self) -> None:
        t0 = time.monotonic()
        if self.own_epmd and (self.epmd is None or self.epmd.poll() is not None):
            epmd_log = (self.dir / "epmd.log").open("ab")
            self.epmd = subprocess.Popen(
                ["epmd", "-address", "127.0.0.1", "-port", str(self.epmd_port)],
                stdout=epmd_log,
                stderr=subprocess.STDOUT,
            )
            epmd_log.close()
            self._await_port(self.epmd_port, self.epmd, "epmd")
        self.spawn()
        self.await_started()
        self.start_s = time.monotonic() - t0

    def spawn(self) -> None:
        """Start the node's process (epmd must run); await_started() waits for its boot."""
        self._boots = self._log_text().count(BOOTED)
        out = (self.dir / "server.out").open("ab")
        self.proc = subprocess.Popen(
            [str(SERVER)], env=self.env(), stdout=out, stderr=subprocess.STDOUT, cwd=self.dir
        )
        out.close()

    def listening(self) -> list[int]:
        """The ports the node opens once it is up (the MQTT listeners start last)."""
        if self.conf is not None:  # the shipped config: TLS listeners only
            return [self.mqtts_port]
        return [self.mqtt_port, self.amqp_port, *([self.mqtts_port] if self.tls else [])]

    def await_started(self) -> None:
        """The listeners answer, and the boot is complete. 3.10 opens the MQTT listeners
        before it imports the definitions: a publish in between reaches no queue and is
        confirmed (lost), so nothing may publish before "Server startup complete"."""
        assert self.proc is not None
        for port in self.listening():
            self._await_port(port, self.proc, "rabbitmq")
        deadline = time.monotonic() + START_TIMEOUT_S
        while self._log_text().count(BOOTED) <= self._boots:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"rabbitmq did not finish booting: {self.log_tail()}")
            time.sleep(0.05)  # the node's log: no event to await

    def _log_text(self) -> str:
        path = self.dir / "log" / f"{self.name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _await_port(self, port: int, proc: subprocess.Popen[bytes], what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{what} did not start: {self.log_tail()}") from None
                time.sleep(0.05)  # polling a port: no event to await

    def log_tail(self) -> str:
        parts = []
        for path in [self.dir / "server.out", *sorted((self.dir / "log").glob("*.log"))]:
            if path.exists():
                parts.append(path.read_text(errors="replace")[-1500:])
        return "\n".join(parts)

    def amqp_url(self, user: str = COLLECTOR_USER, password: str | None = None) -> str:
        secret = f":{password}" if password is not None else ""
        return f"amqp://{user}{secret}@127.0.0.1:{self.amqp_port}/imdms"

    def kill(self) -> None:
        """SIGKILL the node (not epmd)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        """SIGTERM the node (graceful), then epmd; by PID, SIGKILL after 30 s."""
        for proc in (self.proc, self.epmd):
            if proc is None or proc.poll() is not None:
                continue
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

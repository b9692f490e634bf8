"""A real PostgreSQL for the tests: initdb in a temp dir, pg_ctl on a free loopback port.

The server runs as the `postgres` user when the tests run as root (initdb refuses root). Its
unix socket lives in the temp dir, TCP listens on 127.0.0.1 only, and teardown stops it by the
PID in postmaster.pid. fsync is off: the tests restart the server cleanly (pg_ctl flushes on
shutdown) but never crash the machine, and fsync would cost seconds per test on shared disks.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.peers import free_port, require_peer

PASSWORD = "imdms-test"  # a throw-away cluster on loopback; scram so a wrong password fails
BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def pg_bin(name: str) -> str:
    """Path of a PostgreSQL server program (Debian keeps them out of PATH)."""
    for d in BIN_DIRS:
        if (d / name).exists():
            return str(d / name)
    found = shutil.which(name)
    require_peer("postgresql", found is not None)
    assert found is not None
    return found


class PostgresServer:
    """One throw-away cluster. url(db) gives a connection URL; create_database() a fresh db."""

    def __init__(self) -> None:
        require_peer("postgresql", bool(BIN_DIRS) or shutil.which("initdb") is not None)
        # the driver: the `central` extra (pip install 'imdms-terminal[central]')
        require_peer("psycopg", importlib.util.find_spec("psycopg") is not None)
        self.root = Path(tempfile.mkdtemp(prefix="imdms-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.user = "postgres"
        self._run_as: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                require_peer("postgresql (the postgres user)", False)
            self._run_as = "postgres"
            shutil.chown(self.root, "postgres", "postgres")
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self._run_as:
            shutil.chown(pwfile, "postgres", "postgres")
        self._pg(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            self.user,
            "--pwfile",
            str(pwfile),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        pwfile.unlink()
        self.pid = 0
        self.start()

    def _pg(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pg_bin(program), *args],
            user=self._run_as,
            cwd=self.root,
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def _options(self) -> str:
        return (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=40"
        )

    def _read_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def start(self) -> None:
        self._pg(
            "pg_ctl",
            "start",
            "-w",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            self._options(),
        )
        self.pid = self._read_pid()

    def restart(self) -> None:
        """`pg_ctl restart` (fast shutdown: open connections are cut), a new PID."""
        self._pg(
            "pg_ctl",
            "restart",
            "-w",
            "-m",
            "fast",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            self._options(),
        )
        self.pid = self._read_pid()

    def shutdown(self) -> None:
        """`pg_ctl stop -m fast`: the server is away until start()."""
        self._pg("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))

    def url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        return f"postgresql://{self.user}:{password}@127.0.0.1:{self.port}/{database}"

    def psql(self, database: str, sql: str) -> str:
        """Run SQL as the superuser over the unix socket; returns psql's unaligned output."""
        out = self._pg(
            "psql",
            "-h",
            str(self.root),
            "-p",
            str(self.port),
            "-U",
            self.user,
            "-d",
            database,
            "-XAtq",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        )
        return out.stdout

    def create_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        self.psql("postgres", f"CREATE DATABASE {name}")
        return self.url(name)

    def env(self) -> Mapping[str, str]:
        return {**os.environ, "PGPASSWORD": PASSWORD}

    def run_client(
        self, program: str, *args: str, **kwargs: Any
    ) -> subprocess.CompletedProcess[str]:
        """A client program (pg_dump, pg_restore) as the test's user, over TCP."""
        return subprocess.run(
            [pg_bin(program), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            **kwargs,
        )

    def stop(self) -> None:
        """Stop by PID (SIGINT: fast shutdown) and remove the cluster."""
        try:
            pid = self._read_pid()
        except (OSError, ValueError, IndexError):
            pid = self.pid
        if pid:
            try:
                os.kill(pid, signal.SIGINT)
            except ProcessLookupError:
                pid = 0
        deadline = time.monotonic() + 30
        while pid and time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)  # not our child (pg_ctl daemonised it): poll its PID
        else:
            if pid:
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


class DurablePostgres(PostgresServer):
    """The tests' throw-away server, durable as in production (fsync on): for benchmarks."""

    def _options(self) -> str:
        return (super()._options().replace("fsync=off", "fsync=on")
                .replace("full_page_writes=off", "full_page_writes=on"))

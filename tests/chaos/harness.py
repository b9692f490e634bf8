"""The chaos harness: the booth, the forwarder, the centre and a technician, as real processes.

One `Harness` per scenario owns, by PID: the centre (tests/chaos/centre.py), `imdms forward`
(talking to the broker through a TcpProxy), the booth player restarted every few seconds
(tests/chaos/booth_player.py) and a technician loop running `imdms outbox status`,
`imdms doctor`, `imdms outbox export` and `imdms outbox import` (records of a second terminal)
against the same outbox file. `close()` stops them all, also after a failure.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.chaos.ledger import Ledger
from tests.chaos.proxy import TcpProxy
from tests.helpers import wait_until
from tests.messaging.peers import Broker
from tests.messaging.records import make_record

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable


class Harness:
    """Processes of one scenario. `root` holds the logs and lists; `data_dir` the outbox."""

    def __init__(self, root: Path, broker: Broker, *, data_dir: Path | None = None,
                 outbox_conf: str = "", broker_conf: str = "") -> None:
        self.root = root
        self.broker = broker
        self.data_dir = data_dir or root / "data"
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        self.proxy = TcpProxy(broker.port)
        self.env = dict(os.environ, PYTHONPATH=str(REPO))
        self.config = root / "terminal.toml"
        self.config.write_text(f"""
[terminal]
terminal_id = "t1"
border_post = "MSU-BRIDGE"
data_dir = "{self.data_dir}"

[outbox]
disk_floor_mb = 1
{outbox_conf}
[broker]
host = "127.0.0.1"
port = {self.proxy.port}
backoff_min_s = 0.1
backoff_max_s = 0.5
heartbeat_s = 5
keepalive_s = 5
{broker_conf}
[logging]
level = "INFO"
""")
        self.ledger = Ledger(root / "booth-ids.txt", root / "centre.txt")
        self.centre: subprocess.Popen[bytes] | None = None
        self.forwarder: subprocess.Popen[bytes] | None = None
        self.forwarder_starts = 0
        self.forwarder_env: dict[str, str] = {}
        self._fwd_lock = threading.Lock()
        self._watching = False
        self._want_forwarder = False
        self._closing = threading.Event()
        self._stop_players = threading.Event()
        self._stop_cli = threading.Event()
        self._threads: list[threading.Thread] = []
        self._player: subprocess.Popen[bytes] | None = None
        self.player_runs = 0
        self.player_lifetime: tuple[float, float] = (2.0, 4.0)
        self.player_args: list[str] = []
        self.problems: list[str] = []  # tracebacks, crashed processes: the scenario fails
        self.remarks: list[str] = []  # worth a note in the table, not a failure
        self.cli_runs: dict[str, int] = {}
        self._imports = 0

    # -- processes ------------------------------------------------------------------------

    def _log(self, name: str) -> Any:
        return open(self.root / f"{name}.log", "ab")  # noqa: SIM115 - handed to Popen

    def start_centre(self) -> None:
        with self._log("centre") as err:
            self.centre = subprocess.Popen(
                [PY, "-m", "tests.chaos.centre", "--port", str(self.broker.port), "--out",
                 str(self.ledger.centre_file)], cwd=REPO, env=self.env, stderr=err)
        assert wait_until(lambda: "READY" in self.ledger.centre_text(), 15, 0.05), \
            "the centre did not subscribe"
        self.broker.wait_saved()  # its session survives a broker SIGKILL from now on

    def start_forwarder(self) -> None:
        with self._fwd_lock:
            assert self.forwarder is None or self.forwarder.poll() is not None
            self._want_forwarder = True
            self.forwarder_starts += 1
            with self._log("forwarder") as err:
                self.forwarder = subprocess.Popen(
                    [PY, "-m", "imdms.cli", "forward", "--config", str(self.config)],
                    cwd=REPO, env=dict(self.env, **self.forwarder_env), stderr=err)
        if not self._watching:
            self._watching = True
            t = threading.Thread(target=self._watch_forwarder, name="systemd", daemon=True)
            t.start()
            self._threads.append(t)

    def _watch_forwarder(self) -> None:
        """Restart=always, as systemd does (after 1 s here, not RestartSec=10)."""
        while not self._closing.wait(0.2):
            with self._fwd_lock:
                proc = self.forwarder
                died = proc is not None and proc.poll() is not None
                if died and proc is not None:
                    self.problems.append(f"forwarder exited {proc.returncode} by itself "
                                         "(restarted; see forwarder.log)")
                    self.forwarder = None
            if died:
                self._closing.wait(1.0)
                if not self._closing.is_set() and self._want_forwarder:
                    self.start_forwarder()

    def kill_forwarder(self) -> None:
        with self._fwd_lock:
            proc, self.forwarder = self.forwarder, None
        assert proc is not None, "the forwarder is not running"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop_forwarder(self) -> int | None:
        """SIGTERM and wait; returns the exit status (None if it had to be killed)."""
        with self._fwd_lock:
            self._want_forwarder = False
            proc, self.forwarder = self.forwarder, None
        if proc is None or proc.poll() is not None:
            return None if proc is None else proc.returncode
        os.kill(proc.pid, signal.SIGTERM)
        try:
            return proc.wait(20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            self.problems.append("forwarder ignored SIGTERM for 20 s (killed)")
            return None

    def start_players(self, **kw: Any) -> None:
        """The booth player in a loop: each run lives 2-4 s, then the booth 'restarts'."""
        if kw:
            self.player_args = [a for k, v in kw.items()
                                for a in (f"--{k.replace('_', '-')}", str(v))]
        self._stop_players.clear()
        t = threading.Thread(target=self._player_loop, name="players", daemon=True)
        t.start()
        self._threads.append(t)

    def _player_loop(self) -> None:
        stop_file = self.root / "player.stop"
        stop_file.unlink(missing_ok=True)
        while not self._stop_players.is_set():
            self.player_runs += 1
            life = random.uniform(*self.player_lifetime)
            with self._log("player") as err:
                self._player = subprocess.Popen(
                    [PY, "-m", "tests.chaos.booth_player", "--config", str(self.config),
                     "--ids", str(self.ledger.booth_file), "--lifetime", f"{life:.1f}",
                     "--stop", str(stop_file), "--start-index", str(self.player_runs * 100000),
                     *self.player_args], cwd=REPO, env=self.env, stderr=err)
            rc = self._player.wait()
            if rc != 0:
                self.problems.append(f"booth player exited {rc} (see player.log)")
                self._stop_players.wait(0.5)

    def stop_players(self) -> None:
        self._stop_players.set()
        (self.root / "player.stop").touch()
        if self._player is not None:
            try:
                self._player.wait(20)
            except subprocess.TimeoutExpired:
                self._player.kill()
                self._player.wait(10)

    def start_technician(self, pause_s: float = 0.3) -> None:
        """status, doctor, export, import (50 records of terminal t2) in a loop."""
        self._stop_cli.clear()
        t = threading.Thread(target=self._cli_loop, args=(pause_s,), name="technician",
                             daemon=True)
        t.start()
        self._threads.append(t)

    def _cli_loop(self, pause_s: float) -> None:
        export_dir = self.root / "export"
        export_dir.mkdir(exist_ok=True)
        steps: list[tuple[str, Callable[[], object]]] = [
            ("status", lambda: self._cli("status", "outbox", "status")),  # the human one
            ("doctor", lambda: self._cli("doctor", "doctor", "--only", "config,outbox,disk")),
            ("export", lambda: self._cli("export", "outbox", "export", str(export_dir))),
            ("import", lambda: self.import_batch(50)),
        ]
        while not self._stop_cli.is_set():
            for _name, step in steps:
                if self._stop_cli.is_set():
                    return
                step()
                for f in export_dir.iterdir():
                    f.unlink()
                self._stop_cli.wait(pause_s)

    def stop_technician(self) -> None:
        self._stop_cli.set()
        for t in self._threads:
            if t.name == "technician":
                t.join(60)

    def _cli(self, name: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        self.cli_runs[name] = self.cli_runs.get(name, 0) + 1
        done = subprocess.run([PY, "-m", "imdms.cli", *args, "--config", str(self.config)],
                              cwd=REPO, env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        if "Traceback" in done.stderr:
            tail = done.stderr.strip().splitlines()[-1][:160]
            self.problems.append(f"`imdms {' '.join(args[:2])}` traceback: {tail}")
        return done

    def import_batch(self, n: int) -> int:
        """Write n fresh records of terminal t2 to a file and `imdms outbox import` it.

        The ids count as expected only when the import says all were queued (<= 500
        records: one transaction, all or nothing). Returns how many were queued."""
        self._imports += 1
        path = self.root / f"import-{self._imports}.jsonl"
        records = [make_record(terminal_id="t2").to_dict() for _ in range(n)]
        path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in records))
        done = self._cli("import", "outbox", "import", str(path), timeout=120)
        path.unlink()
        try:
            result = json.loads(done.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return 0  # refused as a whole (e.g. disk full): nothing queued
        if result.get("queued") == n:
            self.ledger.add_imported(r["record_id"] for r in records)
            return n
        self.remarks.append(f"import queued {result.get('queued')} of {n}: {result}")
        return 0

    def status(self) -> dict[str, Any]:
        """`imdms outbox status --json` as a dict ({"error": ...} when it failed)."""
        done = self._cli("status", "outbox", "status", "--json")
        try:
            data: dict[str, Any] = json.loads(done.stdout)
        except ValueError:
            return {"error": (done.stderr.strip().splitlines() or ["?"])[-1][:160]}
        return data

    def wait_pending_zero(self, timeout: float) -> int | None:
        last: dict[str, Any] = {}

        def empty() -> bool:
            nonlocal last
            last = self.status()
            return last.get("pending") == 0

        wait_until(empty, timeout, step=0.5)
        pending = last.get("pending")
        return pending if isinstance(pending, int) else None

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        """A fault step whose failure is reported in the table instead of ending the test."""
        try:
            yield
        except AssertionError as err:
            self.problems.append(f"{what}: {str(err).splitlines()[0]}")

    def close(self) -> None:
        """Stop everything this harness started, by PID (also after a failure)."""
        self._closing.set()
        self._stop_cli.set()
        self.stop_players()
        for t in self._threads:
            t.join(60)
        self.stop_forwarder()
        if self.centre is not None and self.centre.poll() is None:
            os.kill(self.centre.pid, signal.SIGTERM)
            try:
                self.centre.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.centre.pid, signal.SIGKILL)
                self.centre.wait(10)
        self.proxy.close()

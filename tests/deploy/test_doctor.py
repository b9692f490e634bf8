"""`imdms doctor` against a healthy booth and a broken one (config files in tmp_path, a real
mosquitto with TLS for the broker check, stubs for timedatectl/systemctl and pcscd)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from drivers.base import DocumentRead, DocumentReader, ReaderStatus
from imdms.cli.doctor import CHECKS, CheckResult, DoctorContext, Status, run_checks
from imdms.cli.doctor.base import CommandOutput
from imdms.cli.doctor.broker import check_broker, connect_packet
from imdms.cli.doctor.devices import check_camera, check_chip
from imdms.cli.doctor.outbox import check_outbox
from imdms.cli.doctor.system import check_clock
from tests.deploy.relay import relay_process
from tests.deploy.tls import TlsBroker, start_tls_broker
from tests.peers import free_port, require_executable

FAKE_STATE = {"status": ReaderStatus.CONNECTED}


class FakeSerialReader(DocumentReader):
    """Stands in for drivers.serial_mrz: the doctor's logic is under test, not the driver."""

    source = "serial_mrz"

    def __init__(self, config: Any, name: str = "reader") -> None:
        super().__init__(name)
        self._set_state(FAKE_STATE["status"], "" if FAKE_STATE["status"] is
                        ReaderStatus.CONNECTED else "the device is gone")

    def read(self, timeout: float | None = None) -> DocumentRead | None:
        return None


@pytest.fixture(autouse=True)
def fake_serial_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    from drivers import registry

    monkeypatch.setitem(registry.BACKENDS, "serial_mrz",
                        ("tests.deploy.test_doctor", "FakeSerialReader"))
    FAKE_STATE["status"] = ReaderStatus.CONNECTED


def runner(table: dict[str, CommandOutput]) -> Callable[[Sequence[str], float], CommandOutput]:
    def run(argv: Sequence[str], timeout_s: float) -> CommandOutput:
        return table.get(argv[0], CommandOutput(127, ""))

    return run


SYNCED = {"timedatectl": CommandOutput(0, "yes\n"),
          "systemctl": CommandOutput(3, "active\nactive\ninactive\n")}


@dataclass
class Booth:
    root: Path
    config: Path
    data: Path
    creds: Path

    def context(self, run: dict[str, CommandOutput] | None = None) -> DoctorContext:
        import getpass

        return DoctorContext(config_path=self.config, credentials_dir=self.creds,
                             run=runner(SYNCED if run is None else run), timeout_s=3.0,
                             service_user=getpass.getuser(), units_dir=self.root / "units")


def make_booth(root: Path, *, broker_port: int, ca: Path | None, floor_mb: int = 1,
               username: str | None = None) -> Booth:
    data = root / "data"
    data.mkdir(mode=0o700, parents=True)
    creds = root / "credentials"
    creds.mkdir(mode=0o700)
    for name in ("imdms-client.key", "imdms-mqtt.password"):
        (creds / name).touch(mode=0o600)
    officers = root / "officers.toml"
    officers.write_text('[officers."msu-017"]\npin_hash = "scrypt$x"\nadded_at = "2026-01-01"\n')
    officers.chmod(0o600)
    tls = f'\n[broker.tls]\nca_file = "{ca}"\n' if ca else ""
    user = f'username = "{username}"\n' if username else ""
    from messaging.seal import new_key_pair

    central_pub = root / "central.pub"
    central_pub.write_text(new_key_pair()[1])
    config = root / "terminal.toml"
    config.write_text(
        f'[terminal]\nterminal_id = "t-01"\nborder_post = "MSU"\ndata_dir = "{data}"\n'
        f'officers_file = "{officers}"\n\n[reader]\ntype = "serial_mrz"\nport = "loop://"\n\n'
        f"[outbox]\ndisk_floor_mb = {floor_mb}\n\n"
        f'[seal]\ncentral_public_key = "{central_pub}"\n\n'
        f'[broker]\nhost = "127.0.0.1"\nport = {broker_port}\n{user}{tls}'
    )
    config.chmod(0o640)
    from messaging.outbox import Outbox

    Outbox(data / "outbox.sqlite3").close()
    now = datetime.now(UTC).isoformat()
    (data / "forwarder-status.json").write_text(json.dumps(
        {"online": True, "since": now, "last_error": None, "updated_at": now}))
    return Booth(root, config, data, creds)


@pytest.fixture
def broker(tmp_path: Path) -> Any:
    exe = require_executable("mosquitto")
    started: list[TlsBroker] = []

    def start(folder: str = "broker", **kw: Any) -> TlsBroker:
        b = start_tls_broker(exe, tmp_path / folder, free_port(), **kw)
        started.append(b)
        return b

    yield start
    for b in started:
        b.stop()


def by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.name: r for r in results}


def test_healthy_booth_passes(tmp_path: Path, broker: Any) -> None:
    b = broker()
    booth = make_booth(tmp_path / "booth", broker_port=b.port, ca=b.ca)
    with relay_process(booth.data):  # the forwarder's history socket, as on a running booth
        results = by_name(run_checks(booth.context()))
    assert set(results) == set(CHECKS)
    expected_skip = {"camera", "chip"}
    for name, result in results.items():
        want = Status.SKIP if name in expected_skip else Status.PASS
        assert result.status is want, result.line()
    assert "server certificate valid" in results["broker"].message
    assert "1 officer(s)" in results["officers"].message


def test_broken_booth_fails_with_what_to_do(tmp_path: Path) -> None:
    booth = make_booth(tmp_path / "booth", broker_port=free_port(), ca=None, floor_mb=10**9)
    booth.data.chmod(0o755)  # personal data readable by others
    (booth.data / "forwarder-status.json").write_text(json.dumps(
        {"online": True, "since": "2026-01-01T00:00:00Z", "last_error": None,
         "updated_at": "2026-01-01T00:00:00Z"}))
    (booth.creds / "imdms-mqtt.password").unlink()
    Path(booth.config.read_text().split('officers_file = "')[1].split('"')[0]).unlink()
    FAKE_STATE["status"] = ReaderStatus.DISCONNECTED
    ctx = booth.context({"timedatectl": CommandOutput(0, "no\n"),
                         "systemctl": CommandOutput(3, "failed\ninactive\ninactive\n")})
    results = by_name(run_checks(ctx))
    want = {
        "config": Status.PASS, "files": Status.FAIL, "officers": Status.WARN,
        "reader": Status.FAIL, "secrets": Status.FAIL, "broker": Status.FAIL,
        "disk": Status.FAIL, "clock": Status.FAIL, "forwarder": Status.WARN,
        "services": Status.WARN,
    }
    for name, status in want.items():
        assert results[name].status is status, results[name].line()
        if status is not Status.PASS:
            assert results[name].hint, f"{name} says what is wrong but not what to do"
    assert "cannot reach 127.0.0.1" in results["broker"].message
    assert "chmod 0700" in results["files"].hint


def test_invalid_config_fails_and_skips_the_rest(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from imdms.cli import main

    config = tmp_path / "terminal.toml"
    config.write_text('[terminal]\nborder_pots = "MSU"\n')
    code = main(["doctor", "--config", str(config), "--json", "--only", "config,reader,broker"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["ok"] is False
    checks = {c["name"]: c for c in out["checks"]}
    assert checks["config"]["status"] == "FAIL" and "border_pots" in checks["config"]["message"]
    assert checks["reader"]["status"] == "SKIP" and checks["broker"]["status"] == "SKIP"


def test_cli_lines_and_exit_zero_when_nothing_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from imdms.cli import main

    booth = make_booth(tmp_path / "booth", broker_port=free_port(), ca=None)
    monkeypatch.setenv("IMDMS_CREDENTIALS_DIR", str(booth.creds))
    code = main(["doctor", "--config", str(booth.config), "--only", "config,outbox,disk"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert [ln.split()[:2] for ln in lines[:3]] == [["PASS", "config"], ["PASS", "disk"],
                                                    ["PASS", "outbox"]]
    assert lines[-1].startswith("doctor: 3 pass, 0 warn, 0 fail")


def test_unknown_check_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from imdms.cli import main

    assert main(["doctor", "--only", "nope"]) == 2
    assert "doctor --list" in capsys.readouterr().err


# --- broker: TLS trust, certificate expiry, MQTT login


def test_broker_certificate_expiring_soon_warns(tmp_path: Path, broker: Any) -> None:
    b = broker(server_days=10)
    booth = make_booth(tmp_path / "booth", broker_port=b.port, ca=b.ca)
    ctx = booth.context()
    run_checks(ctx, ["config"])
    result = check_broker(ctx)
    assert result.status is Status.WARN, result.line()
    assert "server certificate expires in" in result.message and "renew" in result.hint


def test_broker_with_an_untrusted_certificate_fails(tmp_path: Path, broker: Any) -> None:
    b = broker()
    other = broker("other")  # a second CA the booth trusts instead
    booth = make_booth(tmp_path / "booth", broker_port=b.port, ca=other.ca)
    ctx = booth.context()
    run_checks(ctx, ["config"])
    result = check_broker(ctx)
    assert result.status is Status.FAIL and "not trusted" in result.message


def test_broker_login_checks_the_password(tmp_path: Path, broker: Any) -> None:
    passwd = require_executable("mosquitto_passwd")
    pwfile = tmp_path / "passwords"
    subprocess.run([passwd, "-c", "-b", str(pwfile), "booth", "right-one"], check=True,
                   capture_output=True, timeout=30)
    b = broker(password_file=pwfile)
    booth = make_booth(tmp_path / "booth", broker_port=b.port, ca=b.ca, username="booth")
    ctx = booth.context()
    run_checks(ctx, ["config"])
    (booth.creds / "imdms-mqtt.password").write_text("wrong\n")
    refused = check_broker(ctx)
    assert refused.status is Status.FAIL and "refused the login" in refused.message
    (booth.creds / "imdms-mqtt.password").write_text("right-one\n")
    assert check_broker(ctx).status is Status.PASS


def test_connect_packet_layout() -> None:
    packet = connect_packet("c", "u", "p", keepalive_s=30)
    assert packet[0] == 0x10 and packet[1] == len(packet) - 2
    assert packet[2:8] == b"\x00\x04MQTT" and packet[8] == 4 and packet[9] == 0xC2


# --- clock, chip, camera, outbox: one function each, stubbed inputs


def _ctx(tmp_path: Path, **kw: Any) -> DoctorContext:
    kw.setdefault("config_path", tmp_path / "none.toml")
    return DoctorContext(**kw)


@pytest.mark.parametrize(("table", "status"), [
    ({"timedatectl": CommandOutput(0, "yes\n")}, Status.PASS),
    ({"timedatectl": CommandOutput(0, "no\n")}, Status.FAIL),
    ({"chronyc": CommandOutput(0, "Leap status     : Normal\n")}, Status.PASS),
    ({"chronyc": CommandOutput(0, "Leap status     : Not synchronised\n")}, Status.FAIL),
    ({}, Status.WARN),
])
def test_clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
               table: dict[str, CommandOutput], status: Status) -> None:
    monkeypatch.setattr("imdms.cli.doctor.system._adjtimex_synced", lambda: None)
    assert check_clock(_ctx(tmp_path, run=runner(table))).status is status


def test_clock_in_the_past_fails_even_if_synced(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, run=runner(SYNCED),
               now=lambda: datetime(2000, 1, 1, tzinfo=UTC))
    assert check_clock(ctx).status is Status.FAIL


def _chip_ctx(tmp_path: Path, lister: Callable[[], list[str]]) -> DoctorContext:
    from config.models import ChipConfig, Config

    ctx = _ctx(tmp_path, list_pcsc_readers=lister)
    ctx.config = Config.model_validate({"chip": {"type": "chip", "reader": "ACR"}})
    assert isinstance(ctx.config.chip, ChipConfig)
    return ctx


class FakeChipReader(FakeSerialReader):
    source = "chip"


def test_chip_reader_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from drivers import registry

    monkeypatch.setitem(registry.BACKENDS, "chip", ("tests.deploy.test_doctor", "FakeChipReader"))
    ok = check_chip(_chip_ctx(tmp_path, lambda: ["ACS ACR1281U 00 00"]))
    assert ok.status is Status.PASS and "ACR1281U" in ok.message
    assert check_chip(_chip_ctx(tmp_path, lambda: [])).status is Status.FAIL
    other = check_chip(_chip_ctx(tmp_path, lambda: ["Identiv uTrust 00 00"]))
    assert other.status is Status.FAIL and "Identiv" in other.message
    FAKE_STATE["status"] = ReaderStatus.ERROR  # listed by pcscd, but the backend cannot use it
    broken = check_chip(_chip_ctx(tmp_path, lambda: ["ACS ACR1281U 00 00"]))
    assert broken.status is Status.FAIL and broken.message.startswith("chip")


def test_chip_without_pcscd(tmp_path: Path) -> None:
    def no_daemon() -> list[str]:
        raise RuntimeError("Failed to establish context")

    result = check_chip(_chip_ctx(tmp_path, no_daemon))
    assert result.status is Status.FAIL and "pcscd.socket" in result.hint


def _camera_ctx(tmp_path: Path, source: str) -> DoctorContext:
    from config.models import Config

    ctx = _ctx(tmp_path)
    ctx.config = Config.model_validate({"reader": {"type": "camera", "source": source}})
    return ctx


def test_camera(tmp_path: Path) -> None:
    images = tmp_path / "frames"
    images.mkdir()
    assert check_camera(_camera_ctx(tmp_path, str(images))).status is Status.FAIL
    (images / "a.png").write_bytes(b"")
    assert check_camera(_camera_ctx(tmp_path, str(images))).status is Status.WARN
    pytest.importorskip("cv2")
    missing = check_camera(_camera_ctx(tmp_path, str(tmp_path / "no-such-camera")))
    assert missing.status is Status.FAIL


def test_outbox_reports_the_last_error(tmp_path: Path) -> None:
    from config.models import Config
    from messaging.outbox import Outbox

    ctx = _ctx(tmp_path)
    ctx.config = Config.model_validate({"terminal": {"data_dir": str(tmp_path)}})
    assert "no outbox yet" in check_outbox(ctx).message
    box = Outbox(tmp_path / "outbox.sqlite3")
    box.set_last_error("broker unreachable")
    box.close()
    result = check_outbox(ctx)
    assert result.status is Status.WARN and "broker unreachable" in result.message
    probe = subprocess.run([sys.executable, "-m", "imdms.cli.doctor.outbox",
                            str(tmp_path / "outbox.sqlite3")], capture_output=True, text=True,
                           timeout=60, check=True, env={**os.environ})
    assert json.loads(probe.stdout)["pending"] == 0


def test_forwarder_offline_warns(tmp_path: Path) -> None:
    from config.models import Config
    from imdms.cli.doctor.outbox import check_forwarder

    ctx = _ctx(tmp_path)
    ctx.config = Config.model_validate({"terminal": {"data_dir": str(tmp_path)},
                                        "broker": {"host": "central.example"}})
    now = datetime.now(UTC)
    (tmp_path / "forwarder-status.json").write_text(json.dumps(
        {"online": False, "since": (now - timedelta(hours=2)).isoformat(),
         "last_error": "connection refused", "updated_at": now.isoformat()}))
    result = check_forwarder(ctx)
    assert result.status is Status.WARN and "connection refused" in result.message


def test_a_crashing_check_is_a_fail_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(ctx: DoctorContext) -> CheckResult:
        raise ValueError("bug")

    monkeypatch.setitem(CHECKS, "disk", boom)
    results = by_name(run_checks(_ctx(tmp_path), ["disk"]))
    assert results["disk"].status is Status.FAIL and "ValueError" in results["disk"].message


@pytest.mark.skipif(os.geteuid() != 0, reason="needs chown")
def test_config_unreadable_by_the_service_user_fails(tmp_path: Path) -> None:
    """`imdms config set` as root replaces the file as root:root: the kiosk could not read it."""
    import pwd

    from imdms.cli.doctor.system import check_files

    nobody = pwd.getpwnam("nobody")
    booth = make_booth(tmp_path / "booth", broker_port=free_port(), ca=None)
    os.chown(booth.data, nobody.pw_uid, nobody.pw_gid)
    ctx = booth.context()
    ctx.service_user = "nobody"
    run_checks(ctx, ["config"])
    result = check_files(ctx)
    assert result.status is Status.FAIL and "not readable by nobody" in result.message
    os.chown(booth.config, 0, nobody.pw_gid)
    assert check_files(ctx).status is Status.PASS


def test_services(tmp_path: Path) -> None:
    from config.models import Config
    from imdms.cli.doctor.system import check_services

    def services(states: str, host: str = "central.example") -> CheckResult:
        ctx = _ctx(tmp_path, run=runner({"systemctl": CommandOutput(3, states)}))
        ctx.config = Config.model_validate({"broker": {"host": host}})
        return check_services(ctx)

    assert services("active\ninactive\nactive\n").status is Status.PASS  # Wayland kiosk
    down = services("activating\nactive\ninactive\n")
    assert down.status is Status.WARN and "journalctl -u imdms-forwarder" in down.hint
    assert services("activating\nactive\ninactive\n", host="").status is Status.PASS
    assert services("active\nfailed\ninactive\n").status is Status.WARN
    assert check_services(_ctx(tmp_path, run=runner({}))).status is Status.SKIP


def test_data_dir_outside_the_writable_path_fails_on_an_installed_booth(tmp_path: Path) -> None:
    from imdms.cli.doctor.system import check_files

    booth = make_booth(tmp_path / "booth", broker_port=free_port(), ca=None)
    ctx = booth.context()
    run_checks(ctx, ["config"])
    assert check_files(ctx).status is Status.PASS  # a developer machine: no units installed
    ctx.units_dir = tmp_path / "units"
    ctx.units_dir.mkdir()
    (ctx.units_dir / "imdms-forwarder.service").touch()
    result = check_files(ctx)
    assert result.status is Status.FAIL and "ReadWritePaths" in result.message


def test_config_unreadable_by_the_technician_says_sudo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imdms.cli.doctor.system import check_config

    config = tmp_path / "terminal.toml"
    config.write_text("")
    monkeypatch.setattr("imdms.cli.doctor.system.os.access", lambda path, mode: False)
    result = check_config(_ctx(tmp_path, config_path=config))
    assert result.status is Status.FAIL and "sudo imdms doctor" in result.hint


def test_seal_check_fails_without_the_centre_key(tmp_path: Path) -> None:
    """A booth refuses to start without [seal] central_public_key: the doctor says so first."""
    booth = make_booth(tmp_path / "booth", broker_port=free_port(), ca=None)
    text = booth.config.read_text()
    booth.config.write_text("\n".join(line for line in text.splitlines()
                                      if not line.startswith(("[seal]", "central_public_key"))))
    result = by_name(run_checks(booth.context(), only=["config", "seal"]))["seal"]
    assert result.status is Status.FAIL
    assert "central_public_key is not set" in result.message and "security.md" in result.hint
    (tmp_path / "booth" / "central.pub").write_text("not a key\n")
    booth.config.write_text(text)
    result = by_name(run_checks(booth.context(), only=["config", "seal"]))["seal"]
    assert result.status is Status.FAIL and "central_public_key" in result.message

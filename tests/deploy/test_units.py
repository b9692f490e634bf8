"""systemd units, tmpfiles.d and udev rules: verified by systemd's own tools in a scratch root."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.helpers import REPO, UNITS, run_script
from tests.peers import require_executable

SYSTEMD = REPO / "systemd"


def _stub(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)


@pytest.fixture(scope="module")
def verify_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root with the host's systemd units, ours installed, and stubs for the executables
    our units start (so `verify` checks the real ExecStart paths, not the host's)."""
    root = tmp_path_factory.mktemp("verify")
    system = root / "usr" / "lib" / "systemd" / "system"
    host_units = Path("/usr/lib/systemd/system")
    if host_units.is_dir():
        shutil.copytree(host_units, system, symlinks=True)
    target = root / "etc" / "systemd" / "system"
    target.mkdir(parents=True)
    for unit in UNITS:
        shutil.copy(SYSTEMD / unit, target / unit)
        for line in (SYSTEMD / unit).read_text().splitlines():
            if line.startswith("ExecStart="):
                _stub(root / line.split("=", 1)[1].split()[0].lstrip("/"))
    return root


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_analyze_verify(unit: str, verify_root: Path) -> None:
    analyze = require_executable("systemd-analyze")
    path = verify_root / "etc/systemd/system" / unit
    r = subprocess.run(
        [analyze, "verify", f"--root={verify_root}", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    # verify prints unknown keys and bad values as warnings with exit status 0: both must be empty.
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == "", r.stderr


def test_verify_catches_a_missing_executable(verify_root: Path) -> None:
    """The stubs matter: without /opt/imdms/venv/bin/imdms verify fails (so it really checks)."""
    analyze = require_executable("systemd-analyze")
    stub = verify_root / "opt/imdms/venv/bin/imdms"
    stub.unlink()
    try:
        r = subprocess.run(
            [analyze, "verify", f"--root={verify_root}",
             str(verify_root / "etc/systemd/system/imdms-forwarder.service")],
            capture_output=True, text=True, timeout=60, check=False,
        )
    finally:
        _stub(stub)
    assert r.returncode != 0 and "not executable" in r.stderr


def _directives(unit: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in (SYSTEMD / unit).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            out.setdefault(key, []).append(value)
    return out


def test_forwarder_unit_contract() -> None:
    d = _directives("imdms-forwarder.service")
    assert d["Type"] == ["notify"] and d["Restart"] == ["always"] and d["User"] == ["imdms"]
    assert int(d["WatchdogSec"][0]) > 0
    assert d["ExecStart"] == ["/opt/imdms/venv/bin/imdms forward"]
    for key in ("NoNewPrivileges", "ProtectHome", "PrivateTmp"):
        assert d[key] == ["yes"], key
    assert d["ProtectSystem"] == ["strict"]
    assert d["ReadWritePaths"] == ["/var/lib/imdms"]
    creds = {v.split(":", 1)[0] for v in d["LoadCredential"]}
    assert creds == {"imdms-client.key", "imdms-mqtt.password"}
    # the credential names are the config defaults, so a default config finds them
    from config.models import BrokerConfig, TlsConfig

    assert BrokerConfig.model_fields["password_credential"].default in creds
    assert TlsConfig.model_fields["key_credential"].default in creds


@pytest.mark.parametrize("unit", ["imdms-forwarder.service", "imdms-terminal.service"])
def test_units_may_read_the_clock_state(unit: str) -> None:
    """Records carry clock_synced from adjtimex(2): ProtectClock= or a filter without adjtimex
    would make every record say "not synchronised" (or kill the process with SIGSYS)."""
    d = _directives(unit)
    assert "ProtectClock" not in d
    assert d["CapabilityBoundingSet"] == [""]  # but it cannot set the clock
    for value in d.get("SystemCallFilter", []):
        assert "adjtimex" in value.split()


def test_terminal_unit_contract() -> None:
    d = _directives("imdms-terminal.service")
    assert d["TTYPath"] == ["/dev/tty1"] and d["StandardInput"] == ["tty"]
    assert d["Restart"] == ["always"] and "getty@tty1.service" in d["Conflicts"][0]
    assert d["ExecStart"] == ["/opt/imdms/venv/bin/imdms terminal"]
    # Textual draws on stderr, so stderr is the tty; log lines reach journald via /dev/log
    assert d["StandardError"] == ["tty"]


def test_tmpfiles_create_the_folders_with_modes(scratch_root: Path) -> None:
    """systemd-tmpfiles applies imdms.tmpfiles in a root where sysusers made the user."""
    require_executable("systemd-sysusers")
    tmpfiles = require_executable("systemd-tmpfiles")
    r = run_script(REPO / "deploy/install.sh", "--root", str(scratch_root), "--no-venv",
                   "--no-systemctl")
    assert r.returncode == 0, r.stderr
    shutil.rmtree(scratch_root / "var/lib/imdms")
    r2 = subprocess.run([tmpfiles, f"--root={scratch_root}", "--create",
                         str(scratch_root / "etc/tmpfiles.d/imdms.conf")],
                        capture_output=True, text=True, timeout=30, check=False)
    assert r2.returncode == 0, r2.stderr
    data = (scratch_root / "var/lib/imdms").stat()
    assert data.st_mode & 0o777 == 0o700
    if os.geteuid() == 0:  # the owner comes from the root's /etc/passwd, not the host's
        line = next(ln for ln in (scratch_root / "etc/passwd").read_text().splitlines()
                    if ln.startswith("imdms:"))
        assert data.st_uid == int(line.split(":")[2])


RULE_KEY = re.compile(r'^(SUBSYSTEMS?|KERNEL|ATTRS?\{\w+\}|ENV\{\w+\}|SYMLINK|GROUP|MODE|TAG)'
                      r'(==|\+=|=)"[^"]*"$')


def test_udev_rules_parse_and_name_readers() -> None:
    rules = [ln for ln in (SYSTEMD / "99-imdms.rules").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    links = set()
    for rule in rules:
        for part in (p.strip() for p in rule.split(", ")):
            assert RULE_KEY.match(part), f"bad udev key in: {part}"
        links.update(re.findall(r'SYMLINK\+="([^"]+)"', rule))
    assert links == {"imdms-mrz", "imdms-camera"}
    text = (SYSTEMD / "99-imdms.rules").read_text()
    for vendor in ("0403", "067b", "1ac2", "08e6"):  # FTDI, Prolific, DESKO, Gemalto/3M
        assert f'ATTRS{{idVendor}}=="{vendor}"' in text



@pytest.mark.parametrize(("unit", "limit"), [("imdms-forwarder.service", 3.0),
                                             ("imdms-terminal.service", 5.0)])
def test_hardening_exposure(unit: str, limit: float, verify_root: Path) -> None:
    """`systemd-analyze security` exposure (0 best, 10 worst): the forwarder is 2.1 today, the
    kiosk 3.7 (it needs the reader devices). A regression past the limit fails."""
    analyze = require_executable("systemd-analyze")
    r = subprocess.run([analyze, "security", "--offline=yes", f"--root={verify_root}", unit],
                       capture_output=True, text=True, timeout=60, check=False)
    found = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout)
    assert found, r.stdout[-500:] + r.stderr
    assert float(found.group(1)) <= limit

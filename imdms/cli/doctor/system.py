"""Doctor checks of the host: config, file modes, officers, credentials, disk, clock, services."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
from pathlib import Path

from config.secrets import secret_path
from imdms.checks import CheckResult, Status
from imdms.cli.doctor.base import DoctorContext, skip_without_config

MIB = 1024 * 1024
SERVICE_DATA_DIR = Path("/var/lib/imdms")  # the units' only ReadWritePaths=
# A Pi without a real-time clock boots with the time it last saved; anything before this is wrong.
EARLIEST_PLAUSIBLE_YEAR = 2025


def check_config(ctx: DoctorContext) -> CheckResult:
    """Load and validate the config; on success `ctx.config` is set for the other checks."""
    try:
        from config.loader import load_config
    except ImportError:
        return CheckResult("config", Status.WARN, "the config loader is not installed",
                           "reinstall: sudo deploy/install.sh")
    from imdms.errors import ConfigError

    if ctx.config_path.exists() and not os.access(ctx.config_path, os.R_OK):
        return CheckResult("config", Status.FAIL, f"{ctx.config_path} is not readable by you",
                           "run the doctor as root: sudo imdms doctor")
    try:
        ctx.config = load_config(ctx.config_path, required=True)
    except ConfigError as err:
        first, _, rest = err.message.partition("\n")
        detail = "; ".join(line.strip() for line in rest.splitlines()[:3])
        more = f" ({detail})" if detail else ""
        return CheckResult("config", Status.FAIL, first + more,
                           f"run `imdms config validate` for every problem; {err.hint}")
    return CheckResult("config", Status.PASS, f"{ctx.config_path} is valid")


def _user_ids(name: str) -> tuple[int, int] | None:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def _readable_by(st: os.stat_result, ids: tuple[int, int]) -> bool:
    """Owner, group or other read bit (the user's supplementary groups are not looked up)."""
    return bool(st.st_uid == ids[0] and st.st_mode & stat.S_IRUSR
                or st.st_gid == ids[1] and st.st_mode & stat.S_IRGRP
                or st.st_mode & stat.S_IROTH)


def check_files(ctx: DoctorContext) -> CheckResult:
    """Modes and owners: data folder 0700 imdms (personal data), config not world-readable."""
    if (skipped := skip_without_config(ctx, "files")) is not None:
        return skipped
    assert ctx.config is not None
    data_dir = ctx.config.terminal.data_dir
    if not data_dir.is_dir():
        return CheckResult("files", Status.FAIL, f"data folder {data_dir} does not exist",
                           "sudo systemd-tmpfiles --create /etc/tmpfiles.d/imdms.conf")
    st = data_dir.stat()
    if st.st_mode & 0o077:
        return CheckResult("files", Status.FAIL,
                           f"data folder {data_dir} is mode {stat.S_IMODE(st.st_mode):04o}: "
                           "others can read personal data", f"sudo chmod 0700 {data_dir}")
    ids = _user_ids(ctx.service_user)
    if ids is not None and st.st_uid != ids[0]:
        return CheckResult("files", Status.FAIL,
                           f"data folder {data_dir} is not owned by {ctx.service_user}: "
                           "the booth cannot save crossings",
                           f"sudo chown -R {ctx.service_user}:{ctx.service_user} {data_dir}")
    try:
        cst = ctx.config_path.stat()
    except OSError:
        cst = None
    if cst is not None and ids is not None and not _readable_by(cst, ids):
        # `imdms config set` or an editor that replaces the file can leave it root:root.
        return CheckResult("files", Status.FAIL,
                           f"{ctx.config_path} is not readable by {ctx.service_user}: "
                           "the booth will not start",
                           f"sudo chown root:{ctx.service_user} {ctx.config_path}; "
                           f"sudo chmod 0640 {ctx.config_path}")
    if cst is not None and cst.st_mode & 0o007:
        return CheckResult("files", Status.WARN,
                           f"{ctx.config_path} is readable by every user",
                           f"sudo chmod 0640 {ctx.config_path}")
    if ctx.units_dir.joinpath("imdms-forwarder.service").exists():
        for what, path in (("data_dir", data_dir), ("outbox path", ctx.config.outbox_path())):
            if not path.resolve().is_relative_to(SERVICE_DATA_DIR):
                return CheckResult("files", Status.FAIL,
                                   f"{what} {path} is outside {SERVICE_DATA_DIR}: the services "
                                   "may only write there (ReadWritePaths=)",
                                   f"keep it under {SERVICE_DATA_DIR} (the default)")
    return CheckResult("files", Status.PASS, f"data folder {data_dir} is private (0700)")


def check_officers(ctx: DoctorContext) -> CheckResult:
    """At least one officer, in a file the booth's user can read (0600 as written)."""
    if (skipped := skip_without_config(ctx, "officers")) is not None:
        return skipped
    assert ctx.config is not None
    path = ctx.config.terminal.officers_file
    add_hint = "sudo imdms officer add ID (a pseudonym such as msu-017)"
    if not path.exists():
        return CheckResult("officers", Status.WARN, f"no officers file {path}: nobody can sign in",
                           add_hint)
    ids = _user_ids(ctx.service_user)
    st = path.stat()
    if ids is not None:
        if not _readable_by(st, ids):
            return CheckResult("officers", Status.FAIL,
                               f"{path} is not readable by {ctx.service_user}: nobody can sign in",
                               f"sudo chown {ctx.service_user}:{ctx.service_user} {path}")
    try:
        import tomllib

        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return CheckResult("officers", Status.FAIL, f"{path} cannot be read "
                           f"({err.__class__.__name__})", "re-add the officers: " + add_hint)
    count = len(data.get("officers") or {})
    if count == 0:
        return CheckResult("officers", Status.WARN, "no officer is registered", add_hint)
    return CheckResult("officers", Status.PASS, f"{count} officer(s) can sign in")


def check_credentials(ctx: DoctorContext) -> CheckResult:
    """The files LoadCredential= needs exist, are private, and hold what the config asks for."""
    if (skipped := skip_without_config(ctx, "secrets")) is not None:
        return skipped
    assert ctx.config is not None
    broker = ctx.config.broker
    if not broker.host:
        return CheckResult("secrets", Status.SKIP, "no broker configured")
    folder = ctx.credentials_dir
    names = {"password": broker.password_credential}
    if broker.tls is not None:
        names["client key"] = broker.tls.key_credential
    problems: list[str] = []
    for what, name in names.items():
        path = secret_path(name, folder)
        try:
            st = path.stat()
        except OSError:
            problems.append(f"{what} file {path} is missing (the forwarder will not start)")
            continue
        if st.st_mode & 0o077:
            problems.append(f"{path} is mode {stat.S_IMODE(st.st_mode):04o}")
        needed = (what == "password" and broker.username) or (
            what == "client key" and broker.tls is not None and broker.tls.cert_file is not None)
        if needed and st.st_size == 0:
            problems.append(f"{what} file {path} is empty")
    if broker.tls is not None:
        for label, tls_file in (("CA", broker.tls.ca_file), ("certificate", broker.tls.cert_file)):
            if tls_file is not None and not tls_file.is_file():
                problems.append(f"{label} file {tls_file} is missing")
    if problems:
        return CheckResult("secrets", Status.FAIL, "; ".join(problems),
                           f"put the files from central IT in {folder} (sudo install -m 0600 "
                           "FILE ...), then sudo systemctl restart imdms-forwarder")
    return CheckResult("secrets", Status.PASS, f"credentials present in {folder}")


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk(ctx: DoctorContext) -> CheckResult:
    """Free space of the data folder against [outbox] disk_floor_mb (below it, saving stops)."""
    if (skipped := skip_without_config(ctx, "disk")) is not None:
        return skipped
    assert ctx.config is not None
    floor = ctx.config.outbox.disk_floor_mb
    where = _existing(ctx.config.outbox_path().parent)
    free = shutil.disk_usage(where).free // MIB
    text = f"{free} MiB free on {where} (floor {floor} MiB)"
    hint = "free space: sudo journalctl --vacuum-size=100M; sudo apt-get clean; a bigger SD card"
    if free < floor:
        return CheckResult("disk", Status.FAIL, text + ": new crossings are refused", hint)
    if free < 2 * floor:
        return CheckResult("disk", Status.WARN, text + ": nearly full", hint)
    return CheckResult("disk", Status.PASS, text)


def _adjtimex_synced() -> bool | None:
    try:
        from messaging.health import clock_synced
    except ImportError:
        return None
    return clock_synced()


def check_clock(ctx: DoctorContext) -> CheckResult:
    """NTP synchronised (timedatectl, else chronyc, else the kernel's adjtimex state)."""
    now = ctx.now()
    sync_hint = ("connect the network and check: timedatectl timesync-status; without network "
                 "set it by hand: sudo timedatectl set-time 'YYYY-MM-DD HH:MM:SS'")
    if now.year < EARLIEST_PLAUSIBLE_YEAR:
        return CheckResult("clock", Status.FAIL,
                           f"the clock says {now:%Y-%m-%d}: crossing times would be wrong",
                           sync_hint)
    out = ctx.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"], ctx.timeout_s)
    synced: bool | None = None
    how = "timedatectl"
    if out.returncode == 0 and out.stdout.strip() in ("yes", "no"):
        synced = out.stdout.strip() == "yes"
    else:
        chrony = ctx.run(["chronyc", "-n", "tracking"], ctx.timeout_s)
        if chrony.returncode == 0 and "Leap status" in chrony.stdout:
            synced = "Leap status     : Normal" in chrony.stdout
            how = "chronyc"
        else:
            synced = _adjtimex_synced()
            how = "kernel"
    if synced is None:
        return CheckResult("clock", Status.WARN, "cannot tell whether the clock is synchronised",
                           "check: timedatectl status")
    if not synced:
        return CheckResult("clock", Status.FAIL, f"clock not synchronised ({how})", sync_hint)
    return CheckResult("clock", Status.PASS,
                       f"clock synchronised ({how}), {now:%Y-%m-%d %H:%M} UTC")


SERVICES = ("imdms-forwarder.service", "imdms-terminal.service", "imdms-kiosk-wayland.service")


def check_services(ctx: DoctorContext) -> CheckResult:
    """The forwarder (when a broker is configured) and one kiosk unit are running."""
    out = ctx.run(["systemctl", "is-active", *SERVICES], ctx.timeout_s)
    states = out.stdout.split()
    if out.returncode in (124, 126, 127) or len(states) != len(SERVICES):
        return CheckResult("services", Status.SKIP, "systemd is not available here")
    state = dict(zip(SERVICES, states, strict=True))
    down = []
    forwarding = ctx.config is None or bool(ctx.config.broker.host)
    if forwarding and state["imdms-forwarder.service"] != "active":
        down.append(f"imdms-forwarder is {state['imdms-forwarder.service']}")
    if "active" not in (state["imdms-terminal.service"], state["imdms-kiosk-wayland.service"]):
        down.append(f"imdms-terminal is {state['imdms-terminal.service']}")
    if down:
        unit = "imdms-forwarder" if "forwarder" in down[0] else "imdms-terminal"
        return CheckResult("services", Status.WARN, "; ".join(down),
                           f"see why: journalctl -u {unit} -b -n 50; start: "
                           f"sudo systemctl restart {unit}")
    return CheckResult("services", Status.PASS, "forwarder and kiosk are running")

#!/usr/bin/env bash
# Install or upgrade the imdms booth on Raspberry Pi OS Lite 64-bit / Debian 12 (arm64, amd64).
#
#   sudo deploy/install.sh                   install, or upgrade in place (config and data kept)
#   sudo deploy/install.sh --kiosk wayland   officer screen in cage + foot (face photo as image)
#
# Idempotent: re-run it after `git pull` to upgrade. It never overwrites /etc/imdms/terminal.toml,
# the credentials or /var/lib/imdms. It never installs vsmartcard (a test-only virtual card
# reader that listens on the network).
#
# Test options (tests/deploy/ uses them to install into a scratch folder):
#   --root DIR       install under DIR instead of / (also: DESTDIR=DIR). Implies --no-apt; units
#                    are enabled with `systemctl --root` (symlinks only) and nothing is started.
#   --no-apt         do not install Debian packages
#   --no-systemctl   do not enable, reload or restart anything
#   --no-venv        do not create or update /opt/imdms/venv
#   --extras LIST    pip extras (default: camera,chip)
#   --pip-args ARGS  extra pip arguments, e.g. "--no-deps"
set -euo pipefail

usage() {
  sed -n '2,/^set /{/^#/p;}' "$0" | sed 's/^# \{0,1\}//'
}

die() {
  echo "install: $*" >&2
  exit 1
}

step() {
  echo "install: $*"
}

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="${DESTDIR:-/}"
do_apt=1
do_systemctl=1
do_venv=1
kiosk="tty"
extras="camera,chip"
pip_args=""

while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?--root needs a folder}"; shift 2 ;;
    --root=*) root="${1#--root=}"; shift ;;
    --no-apt) do_apt=0; shift ;;
    --no-systemctl) do_systemctl=0; shift ;;
    --no-venv) do_venv=0; shift ;;
    --kiosk) kiosk="${2:?--kiosk needs tty or wayland}"; shift 2 ;;
    --kiosk=*) kiosk="${1#--kiosk=}"; shift ;;
    --extras) extras="${2?--extras needs a list}"; shift 2 ;;
    --extras=*) extras="${1#--extras=}"; shift ;;
    --pip-args) pip_args="${2?--pip-args needs arguments}"; shift 2 ;;
    --pip-args=*) pip_args="${1#--pip-args=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done

case "$kiosk" in
  tty) kiosk_unit=imdms-terminal.service; other_kiosk=imdms-kiosk-wayland.service ;;
  wayland) kiosk_unit=imdms-kiosk-wayland.service; other_kiosk=imdms-terminal.service ;;
  *) die "--kiosk must be tty or wayland, not $kiosk" ;;
esac

# R is the prefix of every target path: "" for the real system, the scratch folder in tests.
R="${root%/}"
if [ -n "$R" ]; then
  mkdir -p "$R"
  R="$(cd "$R" && pwd)"
  do_apt=0
fi
live=0
[ -z "$R" ] && live=1
is_root=0
[ "$(id -u)" -eq 0 ] && is_root=1
if [ "$live" -eq 1 ] && [ "$is_root" -eq 0 ]; then
  die "run it as root: sudo $0"
fi

# Debian packages. pyscard has no Linux wheel: swig + libpcsclite-dev + python3-dev + gcc build
# it. libccid is the USB chip reader driver (pcscd only recommends it). fonts-ocr-b renders MRZ
# text on screen. Never vsmartcard-*: it is a network-listening test driver.
APT_PACKAGES=(
  python3 python3-venv python3-dev python3-pip gcc make pkg-config git ca-certificates
  swig libpcsclite-dev pcscd libccid pcsc-tools
  tesseract-ocr tesseract-ocr-eng
  fonts-ocr-b fonts-dejavu-core console-setup
  libglib2.0-0 openssl
)
if [ "$kiosk" = wayland ]; then
  APT_PACKAGES+=(cage foot)
fi
for p in "${APT_PACKAGES[@]}"; do
  case "$p" in vsmartcard*) die "refusing to install $p on a booth" ;; esac
done

if [ "$do_apt" -eq 1 ]; then
  arch="$(dpkg --print-architecture)"
  case "$arch" in
    arm64|amd64) ;;
    *) echo "install: warning: $arch is not tested (arm64 and amd64 are)" >&2 ;;
  esac
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    step "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    step "Debian packages already installed"
  fi
fi

# --- The imdms system user (systemd-sysusers: idempotent, works on a scratch root too).
mkdir -p "$R/etc/sysusers.d"
install -m 0644 "$src/systemd/imdms.sysusers" "$R/etc/sysusers.d/imdms.conf"
if command -v systemd-sysusers >/dev/null 2>&1; then
  if [ "$live" -eq 1 ]; then
    systemd-sysusers /etc/sysusers.d/imdms.conf
  else
    systemd-sysusers --root="$R" "$R/etc/sysusers.d/imdms.conf"
  fi
elif [ "$live" -eq 1 ]; then
  id imdms >/dev/null 2>&1 || useradd --system --home-dir /var/lib/imdms --no-create-home \
    --shell /usr/sbin/nologin --comment "IMDMS border terminal" imdms
  usermod -a -G dialout,video,plugdev imdms
else
  die "systemd-sysusers is needed to create the user under --root"
fi

# uid/gid of imdms as the target's /etc/passwd knows them (the host may not have the user).
uid="$(awk -F: '$1 == "imdms" { print $3 }' "$R/etc/passwd" 2>/dev/null || true)"
gid="$(awk -F: '$1 == "imdms" { print $3 }' "$R/etc/group" 2>/dev/null || true)"
if [ -z "$uid" ] || [ -z "$gid" ]; then
  die "user imdms was not created in $R/etc/passwd"
fi
step "user imdms (uid $uid) in groups dialout, video, plugdev"

# own OWNER GROUP PATH: numeric ids, so a scratch root does not need the host's user database.
own() {
  if [ "$is_root" -eq 1 ]; then
    chown "$1:$2" "$3"
  fi
}

# --- Folders: config 0750 root:imdms, credentials 0700 root (systemd reads them, not imdms),
# data 0700 imdms. Modes are reset on every run (and at every boot by tmpfiles.d).
# System folders with mkdir -p: never change the mode of an existing /etc or /var/lib.
mkdir -p "$R/etc" "$R/var/lib" "$R/usr/local/bin" "$R/etc/systemd/system" "$R/etc/tmpfiles.d" \
  "$R/etc/udev/rules.d" "$R/etc/pam.d"
install -d -m 0755 "$R/opt/imdms" "$R/opt/imdms/docs"
install -d -m 0750 "$R/etc/imdms" "$R/etc/imdms/tls"
chmod 0750 "$R/etc/imdms" "$R/etc/imdms/tls"
own 0 "$gid" "$R/etc/imdms"
own 0 "$gid" "$R/etc/imdms/tls"
install -d -m 0700 "$R/etc/imdms/credentials"
chmod 0700 "$R/etc/imdms/credentials"
own 0 0 "$R/etc/imdms/credentials"
install -d -m 0700 "$R/var/lib/imdms"
chmod 0700 "$R/var/lib/imdms"
own "$uid" "$gid" "$R/var/lib/imdms"

# --- Config skeleton: written once, never overwritten. The current example sits beside it so a
# technician can diff new keys after an upgrade.
config="$R/etc/imdms/terminal.toml"
if [ -e "$config" ]; then
  step "keeping /etc/imdms/terminal.toml"
else
  install -m 0640 "$src/config/terminal.example.toml" "$config"
  step "created /etc/imdms/terminal.toml from config/terminal.example.toml"
fi
chmod 0640 "$config"
own 0 "$gid" "$config"
install -m 0644 "$src/config/terminal.example.toml" "$R/etc/imdms/terminal.toml.example"

# Credentials: empty files mean "not set"; LoadCredential= needs the files to exist.
for cred in imdms-client.key imdms-mqtt.password; do
  if [ ! -e "$R/etc/imdms/credentials/$cred" ]; then
    install -m 0600 /dev/null "$R/etc/imdms/credentials/$cred"
  fi
  chmod 0600 "$R/etc/imdms/credentials/$cred"
  own 0 0 "$R/etc/imdms/credentials/$cred"
done

# --- The application: a venv under /opt/imdms, upgraded in place from this checkout.
venv="$R/opt/imdms/venv"
if [ "$do_venv" -eq 1 ]; then
  py="${PYTHON:-python3}"
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "Python 3.11 or newer is needed ($py is $("$py" --version 2>&1))"
  if [ ! -x "$venv/bin/python" ]; then
    step "creating $venv"
    "$py" -m venv "$venv"
  fi
  # Build from a clean copy: an in-tree build would leave a root-owned build/ in the
  # technician's checkout, and a stale build/lib can put deleted modules back into the wheel.
  stage="$(mktemp -d)"
  trap 'rm -rf "$stage"' EXIT
  tar -C "$src" --exclude=./.git --exclude=./.venv --exclude=./build --exclude='*.egg-info' \
    --exclude=__pycache__ --exclude=.mypy_cache --exclude=.pytest_cache --exclude=.ruff_cache \
    --exclude=.hypothesis -cf - . | tar -C "$stage" -xf -
  spec="$stage"
  if [ -n "$extras" ]; then
    spec="${stage}[${extras}]"
  fi
  step "installing imdms${extras:+ [$extras]} into /opt/imdms/venv (pyscard compiles: a few minutes on a Pi)"
  # shellcheck disable=SC2086  # pip_args is a list of words on purpose
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade $pip_args "$spec"
  ln -sfn /opt/imdms/venv/bin/imdms "$R/usr/local/bin/imdms"
fi
commit="$(git -c safe.directory="$src" -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)"
printf 'source=%s\ncommit=%s\n' "$src" "$commit" >"$R/opt/imdms/installed.txt"
install -m 0644 "$src/docs/deploy.md" "$R/opt/imdms/docs/deploy.md" 2>/dev/null || true

# --- systemd units, tmpfiles, udev rules (ours: replaced on upgrade; local changes belong in
# drop-ins made with `systemctl edit imdms-terminal`, which are never touched).
for unit in imdms-forwarder.service imdms-terminal.service imdms-kiosk-wayland.service; do
  install -m 0644 "$src/systemd/$unit" "$R/etc/systemd/system/$unit"
done
install -m 0644 "$src/systemd/imdms.tmpfiles" "$R/etc/tmpfiles.d/imdms.conf"
install -m 0644 "$src/systemd/99-imdms.rules" "$R/etc/udev/rules.d/99-imdms.rules"
if [ "$kiosk" = wayland ]; then
  install -m 0644 "$src/deploy/pam.d/imdms-kiosk" "$R/etc/pam.d/imdms-kiosk"
else
  rm -f "$R/etc/pam.d/imdms-kiosk"
fi
step "units, tmpfiles.d and udev rules installed"

if [ "$do_systemctl" -eq 1 ]; then
  if [ "$live" -eq 1 ]; then
    sc=(systemctl)
    systemctl daemon-reload
  else
    sc=(systemctl --root="$R")
  fi
  "${sc[@]}" disable --quiet "$other_kiosk" 2>/dev/null || true
  # The login prompt on tty1 would fight the kiosk for the screen (tty2..6 keep theirs).
  "${sc[@]}" disable --quiet getty@tty1.service 2>/dev/null || true
  "${sc[@]}" enable --quiet imdms-forwarder.service "$kiosk_unit"
  if [ "$live" -eq 1 ]; then
    systemctl enable --now --quiet pcscd.socket 2>/dev/null || true
    systemd-tmpfiles --create /etc/tmpfiles.d/imdms.conf
    udevadm control --reload 2>/dev/null || true
    udevadm trigger --subsystem-match=tty --subsystem-match=video4linux 2>/dev/null || true
    # Upgrade in place: restart what runs now; a fresh install starts at the next boot.
    systemctl try-restart imdms-forwarder.service "$kiosk_unit"
    systemctl stop "$other_kiosk" 2>/dev/null || true
  fi
  step "enabled imdms-forwarder.service and $kiosk_unit"
fi

cat <<EOF
install: done (commit $commit).
Next: edit /etc/imdms/terminal.toml, put the broker credentials in /etc/imdms/credentials/,
      add officers (sudo imdms officer add ID), run sudo imdms doctor, then sudo reboot.
      Full steps: /opt/imdms/docs/deploy.md
EOF

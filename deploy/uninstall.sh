#!/usr/bin/env bash
# Remove the imdms booth software installed by deploy/install.sh.
#
#   sudo deploy/uninstall.sh            stop and remove the app, units and rules; KEEP the config
#                                       (/etc/imdms), the data (/var/lib/imdms) and the user
#   sudo deploy/uninstall.sh --purge    also delete config, credentials, data and the imdms user.
#                                       Unsent crossings are lost: export them first with
#                                       `imdms outbox export`. Asks for confirmation unless --yes.
#
# Test options: --root DIR (or DESTDIR=DIR) works on a scratch folder; --no-systemctl.
set -euo pipefail

usage() {
  sed -n '2,/^set /{/^#/p;}' "$0" | sed 's/^# \{0,1\}//'
}

die() {
  echo "uninstall: $*" >&2
  exit 1
}

root="${DESTDIR:-/}"
purge=0
yes=0
do_systemctl=1
while [ $# -gt 0 ]; do
  case "$1" in
    --purge) purge=1; shift ;;
    --yes) yes=1; shift ;;
    --root) root="${2:?--root needs a folder}"; shift 2 ;;
    --root=*) root="${1#--root=}"; shift ;;
    --no-systemctl) do_systemctl=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done

R="${root%/}"
if [ -n "$R" ]; then
  [ -d "$R" ] || die "$R is not a folder"
  R="$(cd "$R" && pwd)"
fi
live=0
[ -z "$R" ] && live=1
if [ "$live" -eq 1 ] && [ "$(id -u)" -ne 0 ]; then
  die "run it as root: sudo $0"
fi

if [ "$purge" -eq 1 ] && [ "$yes" -eq 0 ]; then
  echo "uninstall: --purge deletes /etc/imdms (config, credentials, officers) and /var/lib/imdms"
  echo "           (the outbox: crossings not yet sent to the central system are LOST)."
  printf 'Type "delete" to continue: '
  read -r answer
  [ "$answer" = delete ] || die "nothing deleted"
fi

units=(imdms-terminal.service imdms-kiosk-wayland.service imdms-forwarder.service)
if [ "$do_systemctl" -eq 1 ]; then
  if [ "$live" -eq 1 ]; then
    systemctl disable --now --quiet "${units[@]}" 2>/dev/null || true
  else
    systemctl --root="$R" disable --quiet "${units[@]}" 2>/dev/null || true
  fi
fi
for unit in "${units[@]}"; do
  rm -f "$R/etc/systemd/system/$unit"
done
rm -f "$R/etc/tmpfiles.d/imdms.conf" "$R/etc/udev/rules.d/99-imdms.rules" \
  "$R/etc/pam.d/imdms-kiosk" "$R/usr/local/bin/imdms"
rm -rf "$R/opt/imdms"
echo "uninstall: removed /opt/imdms, the units, tmpfiles.d and udev rules"

if [ "$do_systemctl" -eq 1 ]; then
  if [ "$live" -eq 1 ]; then
    systemctl daemon-reload
    udevadm control --reload 2>/dev/null || true
    systemctl enable --quiet getty@tty1.service 2>/dev/null || true
  else
    systemctl --root="$R" enable --quiet getty@tty1.service 2>/dev/null || true
  fi
  echo "uninstall: the login prompt is back on tty1 (after a reboot)"
fi

if [ "$purge" -eq 0 ]; then
  echo "uninstall: kept /etc/imdms, /var/lib/imdms and the imdms user (--purge deletes them)"
  exit 0
fi

rm -rf "$R/etc/imdms" "$R/var/lib/imdms"
rm -f "$R/etc/sysusers.d/imdms.conf"
if [ "$live" -eq 1 ]; then
  userdel imdms 2>/dev/null || true
  groupdel imdms 2>/dev/null || true
else
  # A scratch root has no userdel: drop the entries from its user database.
  for db in passwd shadow group gshadow; do
    f="$R/etc/$db"
    [ -f "$f" ] || continue
    awk -F: -v OFS=: '$1 != "imdms" {
      if (FILENAME ~ /group$/ || FILENAME ~ /gshadow$/) {
        n = split($NF, m, ","); out = ""
        for (i = 1; i <= n; i++) if (m[i] != "imdms") out = out (out == "" ? "" : ",") m[i]
        $NF = out
      }
      print
    }' "$f" >"$f.new"
    chmod --reference="$f" "$f.new"
    mv "$f.new" "$f"
  done
fi
echo "uninstall: purged config, data and the imdms user"

#!/bin/sh
# Installs or removes Klaxon's system-wide XDG autostart entry (/etc/xdg/autostart/klaxon.desktop)
# according to the managed policy /etc/klaxon/policy.json:
#   "startAtLogin": true   -> the entry is installed: Klaxon starts at login for every user
#   anything else          -> the entry is removed; each user decides in Klaxon's settings (the app
#                             then writes ~/.config/autostart for that user only)
# Run by the deb/rpm post-install script; run it again (as root) after changing the policy:
#   sudo /opt/Klaxon/resources/linux/klaxon-autostart-sync.sh
# With --remove it only removes the entry (package removal). For tests: KLAXON_SYSROOT prefixes every
# path and KLAXON_POLICY_OWNER_UID replaces root (uid 0) as the required owner of the policy file.
set -eu

root="${KLAXON_SYSROOT:-}"
policy="$root/etc/klaxon/policy.json"
target_dir="$root/etc/xdg/autostart"
target="$target_dir/klaxon.desktop"
entry="$(dirname "$0")/klaxon-autostart.desktop"

remove_entry() {
  # Only ever delete a file this script installed (it carries the X-Klaxon-Managed marker).
  if [ -f "$target" ] && grep -q '^X-Klaxon-Managed=true' "$target"; then
    rm -f "$target"
    echo "klaxon: removed $target"
  fi
}

if [ "${1:-}" = "--remove" ]; then
  remove_entry
  exit 0
fi

wants_autostart=no
if [ -f "$policy" ] && [ ! -L "$policy" ]; then
  # Same trust rule as the app: root-owned, not a symlink, not writable by group or others.
  # Permission string as ls prints it, e.g. -rw-r--r--: characters 6 and 9 are group and other write.
  perms="$(ls -ld "$policy" | cut -c1-10)"
  case "$perms" in
    ?????w????|????????w?) writable_by_others=yes ;;
    *) writable_by_others=no ;;
  esac
  owner_uid="$(ls -ln "$policy" | awk '{print $3}')"
  if [ "$owner_uid" != "${KLAXON_POLICY_OWNER_UID:-0}" ]; then
    echo "klaxon: $policy is not owned by root; ignored (run: chown root:root $policy)" >&2
  elif [ "$writable_by_others" = yes ]; then
    echo "klaxon: $policy is writable by group or others; ignored (run: chmod 644 $policy)" >&2
  elif tr -d ' \t\r\n' < "$policy" | grep -q '"startAtLogin":true'; then
    wants_autostart=yes
  fi
fi

if [ "$wants_autostart" = yes ]; then
  mkdir -p "$target_dir"
  cp "$entry" "$target"
  chmod 0644 "$target"
  echo "klaxon: installed $target (policy startAtLogin is true)"
else
  remove_entry
fi

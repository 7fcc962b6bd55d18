#!/bin/bash
# Klaxon: electron-builder 26.17 default after-remove template, with the Klaxon autostart cleanup appended.

# Delete the link to the binary
# update-alternatives --remove <name> <path>: 'path' must be the registered alternative binary,
# not the generic symlink — see https://man7.org/linux/man-pages/man1/update-alternatives.1.html
if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove '${executable}' '/opt/${sanitizedProductName}/${executable}'
else
    rm -f '/usr/bin/${executable}'
fi

APPARMOR_PROFILE_DEST='/etc/apparmor.d/${executable}'

# Remove and unload apparmor profile.
if [ -f "$APPARMOR_PROFILE_DEST" ]; then
  # Unload the profile from the running kernel before deleting the file so the
  # policy is not left enforced until the next reboot.  Mirror the chroot guard
  # used in the after-install script — live AppArmor operations are not
  # meaningful inside a chroot.
  # https://wiki.debian.org/AppArmor/HowToUse
  if apparmor_status --enabled > /dev/null 2>&1; then
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --remove "$APPARMOR_PROFILE_DEST" || true
    fi
  fi
  rm -f "$APPARMOR_PROFILE_DEST"
fi
# Klaxon: remove the system-wide autostart entry we may have installed. On an upgrade the new
# package's post-install script puts it back if the policy still asks for it.
if [ -x '/opt/${sanitizedProductName}/resources/linux/klaxon-autostart-sync.sh' ]; then
  '/opt/${sanitizedProductName}/resources/linux/klaxon-autostart-sync.sh' --remove || true
elif [ -f /etc/xdg/autostart/klaxon.desktop ] && grep -q '^X-Klaxon-Managed=true' /etc/xdg/autostart/klaxon.desktop; then
  rm -f /etc/xdg/autostart/klaxon.desktop
fi

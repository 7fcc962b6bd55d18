/**
 * Start at login. macOS and Windows use `app.setLoginItemSettings`; Linux has no such API in
 * Electron, so Klaxon writes a freedesktop autostart entry (~/.config/autostart/klaxon.desktop).
 */
import path from 'node:path';

export function linuxAutostartFile(home: string, xdgConfigHome = process.env.XDG_CONFIG_HOME): string {
  return path.join(xdgConfigHome || path.join(home, '.config'), 'autostart', 'klaxon.desktop');
}

export function linuxAutostartEntry(execPath: string): string {
  const quoted = /[\s"'\\$`]/.test(execPath) ? `"${execPath.replace(/(["\\$`])/g, '\\$1')}"` : execPath;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Klaxon',
    'Comment=See at a glance whether SRE already knows; page SRE in one click',
    `Exec=${quoted} --hidden`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

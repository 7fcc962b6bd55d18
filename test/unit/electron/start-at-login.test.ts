import { describe, expect, it } from 'vitest';
import { linuxAutostartEntry, linuxAutostartFile } from '#electron/start-at-login.js';

describe('start at login on Linux', () => {
  it('writes a freedesktop autostart entry that starts hidden', () => {
    expect(linuxAutostartFile('/home/ann', '')).toBe('/home/ann/.config/autostart/klaxon.desktop');
    expect(linuxAutostartEntry('/opt/Klaxon/klaxon')).toContain('Exec=/opt/Klaxon/klaxon --hidden');
    expect(linuxAutostartEntry('/home/ann/My Apps/Klaxon.AppImage')).toContain(
      'Exec="/home/ann/My Apps/Klaxon.AppImage" --hidden',
    );
  });
});

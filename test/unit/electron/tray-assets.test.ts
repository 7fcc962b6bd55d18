import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { TRAY_IMAGE_STATES, trayView } from '#electron/tray.js';
import { liveState } from '#test/support/electron-fixtures.js';

const trayDir = path.resolve(import.meta.dirname, '../../../assets/tray');
const size = (f: string) => {
  const p = PNG.sync.read(readFileSync(path.join(trayDir, f)));
  return [p.width, p.height];
};

describe('tray assets', () => {
  it('has every image the tray view can ask for, at 1x and 2x', () => {
    for (const state of TRAY_IMAGE_STATES) {
      for (const f of [`${state}-light.png`, `${state}-dark.png`, `${state}Template.png`]) {
        expect(size(f)).toEqual([16, 16]);
        expect(size(f.replace('.png', '@2x.png'))).toEqual([32, 32]);
      }
    }
    for (const o of ['unacked', 'open', 'error']) expect(existsSync(path.join(trayDir, `overlay-${o}.png`))).toBe(true);
    expect(trayView(liveState([]), { platform: 'win32', theme: 'dark', now: new Date() }).image.file).toBe(
      'normal-dark.png',
    );
  });
  it('template images are black with alpha only (macOS recolours them)', () => {
    for (const state of TRAY_IMAGE_STATES) {
      const p = PNG.sync.read(readFileSync(path.join(trayDir, `${state}Template@2x.png`)));
      for (let i = 0; i < p.data.length; i += 4)
        if (p.data[i + 3]! > 0) expect([p.data[i], p.data[i + 1], p.data[i + 2]]).toEqual([0, 0, 0]);
    }
  });
  it('states differ in shape, not only colour: no two template images are the same', () => {
    const seen = new Set(
      TRAY_IMAGE_STATES.map((s) => readFileSync(path.join(trayDir, `${s}Template@2x.png`)).toString('base64')),
    );
    expect(seen.size).toBe(TRAY_IMAGE_STATES.length);
  });
  it('ships app icons for packaging', () => {
    expect(PNG.sync.read(readFileSync(path.resolve(trayDir, '../icon.png'))).width).toBe(1024);
    expect(PNG.sync.read(readFileSync(path.resolve(trayDir, '../icon-512.png'))).width).toBe(512);
  });
});

import { describe, expect, it } from 'vitest';
import { popoverPosition, windowModeFor } from '#electron/popover-window.js';

describe('popover position', () => {
  const work = { x: 0, y: 25, width: 1440, height: 875 };
  it('sits under a macOS menu-bar icon, above a Windows taskbar icon, and inside the screen', () => {
    expect(popoverPosition({ x: 1000, y: 0, width: 22, height: 24 }, { width: 400, height: 560 }, work)).toEqual({
      x: 811,
      y: 28,
    });
    expect(
      popoverPosition(
        { x: 1400, y: 1040, width: 24, height: 40 },
        { width: 400, height: 560 },
        { x: 0, y: 0, width: 1920, height: 1040 },
      ),
    ).toEqual({ x: 1212, y: 476 });
    expect(popoverPosition({ x: 1430, y: 0, width: 22, height: 24 }, { width: 400, height: 560 }, work).x).toBe(1040);
    expect(popoverPosition({ x: 0, y: 0, width: 0, height: 0 }, { width: 400, height: 560 }, work)).toEqual({
      x: 1032,
      y: 33,
    });
  });
  it('uses a normal window on Linux', () => {
    expect(windowModeFor('linux')).toBe('window');
    expect(windowModeFor('darwin')).toBe('popover');
    expect(windowModeFor('win32')).toBe('popover');
  });
});

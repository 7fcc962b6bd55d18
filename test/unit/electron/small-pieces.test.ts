import { describe, expect, it } from 'vitest';
import { resolveAppRequest, isAppUrl } from '#electron/app-protocol.js';
import { popoverPosition, windowModeFor } from '#electron/popover-window.js';
import { reducePages as applyPageEvent, reduceSnapshot as applyServerEvent } from '#common/index.js';
import { linuxAutostartEntry, linuxAutostartFile } from '#electron/start-at-login.js';
import { incident, page, snapshot } from '#test/support/electron-fixtures.js';

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

describe('app:// request resolution', () => {
  it('maps app://klaxon paths into the renderer directory only', () => {
    expect(resolveAppRequest('app://klaxon/', '/r')).toEqual({
      file: '/r/index.html',
      contentType: 'text/html; charset=utf-8',
    });
    expect(resolveAppRequest('app://klaxon/a/b.js', '/r')).toMatchObject({ file: '/r/a/b.js' });
    expect(resolveAppRequest('app://klaxon/..%2f..%2fetc/passwd', '/r')).toMatchObject({ status: 403 });
    expect(resolveAppRequest('app://klaxon/a%5c..%5c..%5cx.js', '/r')).toMatchObject({ status: 403 });
    expect(resolveAppRequest('app://klaxon/a%00.js', '/r')).toMatchObject({ status: 403 });
    expect(resolveAppRequest('app://klaxon/%E0%A4%A.js', '/r')).toMatchObject({ status: 400 });
    expect(resolveAppRequest('app://klaxon/x.exe', '/r')).toMatchObject({ status: 404 });
    expect(resolveAppRequest('https://klaxon/index.html', '/r')).toMatchObject({ status: 403 });
    expect(isAppUrl('app://klaxon/index.html')).toBe(true);
    expect(isAppUrl('app://klaxon.evil.example/index.html')).toBe(false);
    expect(isAppUrl(null)).toBe(false);
  });
});

describe('server events into the snapshot', () => {
  it('adds, updates and removes incidents and keeps freshness from heartbeats', () => {
    const s0 = snapshot([incident({ number: '1' })]);
    const s1 = applyServerEvent(s0, {
      type: 'incident',
      id: '2',
      data: {
        change: 'opened',
        incident: incident({ number: '2', startedAt: '2026-11-22T11:59:00.000Z' }),
        fetchedAt: '2026-11-22T12:01:00.000Z',
      },
    })!;
    expect(s1.incidents.map((i) => i.number)).toEqual(['2', '1']);
    expect(s1.fetchedAt).toBe('2026-11-22T12:01:00.000Z');
    const s2 = applyServerEvent(s1, {
      type: 'incident',
      id: '3',
      data: { change: 'updated', incident: incident({ number: '1', phase: 'ACKED' }), fetchedAt: null },
    })!;
    expect(s2.incidents.find((i) => i.number === '1')?.phase).toBe('ACKED');
    const s3 = applyServerEvent(s2, {
      type: 'incident',
      id: '4',
      data: { change: 'removed', incident: incident({ number: '2' }), fetchedAt: null },
    })!;
    expect(s3.incidents.map((i) => i.number)).toEqual(['1']);
    const s4 = applyServerEvent(s3, {
      type: 'heartbeat',
      id: '5',
      data: {
        at: '2026-11-22T12:02:00.000Z',
        fetchedAt: '2026-11-22T11:58:00.000Z',
        ageSeconds: 240,
        stale: true,
        upstream: { ok: false, error: 'On-Call answered 503' },
      },
    })!;
    expect(s4).toMatchObject({ stale: true, ageSeconds: 240, upstream: { ok: false } });
    expect(
      applyServerEvent(null, {
        type: 'incident',
        id: '6',
        data: { change: 'opened', incident: incident(), fetchedAt: null },
      }),
    ).toBeNull();
  });
  it("keeps the user's pages newest first", () => {
    const a = page({ id: '3f1c2f52-8a43-4c53-9b8e-2f3b1d9f0a11', createdAt: '2026-11-22T12:00:00.000Z' });
    const b = page({ id: '4f1c2f52-8a43-4c53-9b8e-2f3b1d9f0a12', createdAt: '2026-11-22T12:05:00.000Z' });
    const list = applyPageEvent([a], { type: 'page', id: '9', data: b });
    expect(list.map((p) => p.id)).toEqual([b.id, a.id]);
    expect(
      applyPageEvent(list, { type: 'page', id: '10', data: { ...a, status: 'delivered' } }).find((p) => p.id === a.id)
        ?.status,
    ).toBe('delivered');
  });
});

describe('start at login on Linux', () => {
  it('writes a freedesktop autostart entry that starts hidden', () => {
    expect(linuxAutostartFile('/home/ann', '')).toBe('/home/ann/.config/autostart/klaxon.desktop');
    expect(linuxAutostartEntry('/opt/Klaxon/klaxon')).toContain('Exec=/opt/Klaxon/klaxon --hidden');
    expect(linuxAutostartEntry('/home/ann/My Apps/Klaxon.AppImage')).toContain(
      'Exec="/home/ann/My Apps/Klaxon.AppImage" --hidden',
    );
  });
});

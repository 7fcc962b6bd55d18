/** Maintenance modes on their own (dev/oncall-simulator/maintenance.ts): one global at a time, overlaps, the limit. */
import { describe, expect, it } from 'vitest';
import { MaintenanceError, MaintenanceModes } from '#dev/oncall-simulator/maintenance.js';

const modes = (limit = Number.POSITIVE_INFINITY) =>
  new MaintenanceModes(
    (a, b) => a.toLowerCase() === b.toLowerCase(),
    () => limit,
  );
const start = (m: MaintenanceModes, routingKeys: string[] = []) =>
  m.start({ routingKeys, purpose: '', startedBy: 'carol', at: 1000 });

describe('MaintenanceModes', () => {
  it('mutes the keys of every active mode, or everything while a global one is active', () => {
    const m = modes();
    const a = start(m, ['sre']);
    start(m, ['SRE', 'platform']);
    expect(m.mutes('Sre')).toBe(true);
    expect(m.mutes('tickets')).toBe(false);
    m.end(a.instanceId);
    expect(m.mutes('sre')).toBe(true);
    start(m);
    expect(m.mutes('anything')).toBe(true);
  });

  it('refuses a second global mode (409), a mode past the limit (420) and an unknown id (404)', () => {
    const m = modes(2);
    start(m);
    expect(() => start(m)).toThrow(expect.objectContaining({ status: 409 }) as MaintenanceError);
    start(m, ['sre']);
    expect(() => start(m, ['platform'])).toThrow(expect.objectContaining({ status: 420 }) as MaintenanceError);
    expect(() => m.end('maint-99')).toThrow(expect.objectContaining({ status: 404 }) as MaintenanceError);
  });

  it('hands out copies, so callers cannot change the active modes', () => {
    const m = modes();
    start(m, ['sre']);
    m.list()[0]!.targets[0]!.names.push('platform');
    expect(m.mutes('platform')).toBe(false);
  });
});

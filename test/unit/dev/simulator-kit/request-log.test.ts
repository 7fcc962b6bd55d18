/** The request-log ring both simulators keep (dev/simulator-kit/request-log.ts). */
import { describe, expect, it } from 'vitest';
import { RequestLog } from '#dev/simulator-kit/request-log.js';

describe('RequestLog', () => {
  it('keeps the newest entries, oldest first, when it wraps', () => {
    const log = new RequestLog(3);
    for (let k = 1; k <= 5; k++) log.add({ method: 'GET', path: `/p${k}`, status: 200, atMs: k, realMs: k });
    expect(log.entries().map((e) => e.path)).toEqual(['/p3', '/p4', '/p5']);
    log.clear();
    expect(log.entries()).toEqual([]);
  });

  it('appends 200k entries quickly (benchmarks count calls with it)', () => {
    const log = new RequestLog();
    const t0 = performance.now();
    for (let k = 0; k < 200_000; k++)
      log.add({ method: 'GET', path: '/api-public/v1/incidents', status: 200, atMs: k, realMs: k });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(log.entries()).toHaveLength(100_000);
  });
});

/** The fault injection both simulators use (dev/simulator-kit/faults.ts), with a simulator's status policy. */
import { describe, expect, it } from 'vitest';
import { FaultInjector, validateFaults } from '#dev/simulator-kit/faults.js';

describe('FaultInjector errorStatus', () => {
  const alternating = { statuses: [500, 503] as const, defaultStatus: (n: number) => (n % 2 === 0 ? 503 : 500) };

  it('follows the simulator’s default until a status is set, then answers with that one', () => {
    const f = new FaultInjector<500 | 503>({ errorRate: 1 }, alternating, () => 0);
    expect([f.errorStatus(), f.errorStatus(), f.errorStatus()]).toEqual([503, 500, 503]);
    f.set({ errorRate: 1, errorStatus: 500 });
    expect([f.errorStatus(), f.errorStatus()]).toEqual([500, 500]);
  });

  it('names the statuses the simulator offers when another is asked for', () => {
    expect(() => validateFaults({ errorStatus: 418 }, [500, 503])).toThrow('errorStatus must be 500 or 503');
    expect(() => validateFaults({ errorStatus: 418 }, [500, 502, 503])).toThrow('errorStatus must be 500, 502 or 503');
    expect(() => new FaultInjector({ errorStatus: 502 as 500 }, alternating)).toThrow(/errorStatus/);
  });
});

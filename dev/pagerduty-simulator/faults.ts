/**
 * Fault injection: the failures a client meets between it and PagerDuty (5xx, hung requests,
 * resets, garbage bodies, throttling, slowness), per path and rate.
 */
import type { FaultKind, Faults } from './types.js';

const RATE_KEYS = ['resetRate', 'timeoutRate', 'errorRate', 'rateLimitRate', 'malformedRate'] as const;
const KIND_OF: Record<(typeof RATE_KEYS)[number], FaultKind> = {
  resetRate: 'reset',
  timeoutRate: 'timeout',
  errorRate: 'error',
  rateLimitRate: 'rateLimit',
  malformedRate: 'malformed',
};

/** Throws a message fit for a person when a knob is out of range. */
export function validateFaults(f: unknown): Faults {
  if (typeof f !== 'object' || f === null || Array.isArray(f))
    throw new Error('Faults must be a JSON object, e.g. {"errorRate":0.5}');
  const o = f as Record<string, unknown>;
  const known = new Set<string>([...RATE_KEYS, 'latencyMs', 'errorStatus', 'paths']);
  for (const k of Object.keys(o))
    if (!known.has(k)) throw new Error(`Unknown fault setting "${k}"; known: ${[...known].join(', ')}`);
  for (const k of RATE_KEYS) {
    const v = o[k];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0 && v <= 1)))
      throw new Error(`${k} must be a number from 0 to 1`);
  }
  if (o.latencyMs !== undefined && (typeof o.latencyMs !== 'number' || !(o.latencyMs >= 0)))
    throw new Error('latencyMs must be a non-negative number');
  if (o.errorStatus !== undefined && o.errorStatus !== 500 && o.errorStatus !== 502 && o.errorStatus !== 503)
    throw new Error('errorStatus must be 500, 502 or 503');
  if (o.paths !== undefined && (!Array.isArray(o.paths) || o.paths.some((p) => typeof p !== 'string')))
    throw new Error('paths must be an array of path strings');
  return o as Faults;
}

export class FaultInjector {
  private faults: Faults;

  constructor(
    faults: Faults | undefined,
    private readonly random: () => number = Math.random,
  ) {
    this.faults = validateFaults(faults ?? {});
  }

  set(f: Faults): void {
    this.faults = validateFaults(f);
  }

  get current(): Faults {
    return { ...this.faults };
  }

  applies(path: string): boolean {
    const paths = this.faults.paths;
    if (!paths || paths.length === 0) return true;
    return paths.some((p) =>
      p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`),
    );
  }

  latencyFor(path: string): number {
    return this.applies(path) ? (this.faults.latencyMs ?? 0) : 0;
  }

  /** One roll per request; the rates stack in a fixed order so rates summing to 1 always fault. */
  roll(path: string): FaultKind | null {
    if (!this.applies(path)) return null;
    const r = this.random();
    let acc = 0;
    for (const k of RATE_KEYS) {
      acc += this.faults[k] ?? 0;
      if (r < acc) return KIND_OF[k];
    }
    return null;
  }

  get errorStatus(): 500 | 502 | 503 {
    return this.faults.errorStatus ?? 500;
  }
}

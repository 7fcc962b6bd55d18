/**
 * Fault injection: the failures a client meets between it and the service (5xx, hung requests,
 * resets, garbage bodies, throttling, slowness), per path and rate. Which error statuses a simulator
 * offers, and what each fault answers, are the simulator's own (its `faults.ts`).
 */

export type FaultKind = 'error' | 'timeout' | 'rateLimit' | 'reset' | 'malformed';

/** The faults that answer (the others reset or hold the connection); the simulator says with what. */
export type AnsweredFault = Exclude<FaultKind, 'reset' | 'timeout'>;

/** Fault injection knobs. Rates are probabilities 0..1, rolled once per request. */
export interface Faults<S extends number = number> {
  /** Answer with an error status (see `errorStatus`). */
  errorRate?: number;
  /** Never answer: hold the socket until the client gives up or the simulator closes. */
  timeoutRate?: number;
  /** Answer 429 as if throttled. */
  rateLimitRate?: number;
  /** Destroy the socket without any response (ECONNRESET / "fetch failed" on the client). */
  resetRate?: number;
  /** Answer success with a truncated, unparseable JSON body. */
  malformedRate?: number;
  /** Added before every matching request is handled (and before any fault is rolled). */
  latencyMs?: number;
  /** Which status `errorRate` produces; the default is the simulator's. */
  errorStatus?: S;
  /**
   * Paths the faults apply to (default all except `/_sim/`). An entry matches the path itself and
   * everything below it (`/incidents` also matches `/incidents/7`); a trailing `*` makes it a plain prefix.
   */
  paths?: string[];
}

/** What differs between simulators: the error statuses they offer and the one used when none is set. */
export interface ErrorStatusPolicy<S extends number> {
  statuses: readonly S[];
  /** `n` counts the error faults answered so far (On-Call alternates 503 and 500). */
  defaultStatus(n: number): S;
}

const RATE_KEYS = ['resetRate', 'timeoutRate', 'errorRate', 'rateLimitRate', 'malformedRate'] as const;
const KIND_OF: Record<(typeof RATE_KEYS)[number], FaultKind> = {
  resetRate: 'reset',
  timeoutRate: 'timeout',
  errorRate: 'error',
  rateLimitRate: 'rateLimit',
  malformedRate: 'malformed',
};

/** "500 or 503", "500, 502 or 503". */
function oneOf(values: readonly number[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

/** Throws a message fit for a person when a knob is out of range. */
export function validateFaults<S extends number>(f: unknown, errorStatuses: readonly S[]): Faults<S> {
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
  if (o.errorStatus !== undefined && !(errorStatuses as readonly unknown[]).includes(o.errorStatus))
    throw new Error(`errorStatus must be ${oneOf(errorStatuses)}`);
  if (o.paths !== undefined && (!Array.isArray(o.paths) || o.paths.some((p) => typeof p !== 'string')))
    throw new Error('paths must be an array of path strings');
  return o as Faults<S>;
}

export class FaultInjector<S extends number> {
  private faults: Faults<S>;
  private errorCount = 0;

  constructor(
    faults: Faults<S> | undefined,
    private readonly policy: ErrorStatusPolicy<S>,
    private readonly random: () => number = Math.random,
  ) {
    this.faults = validateFaults(faults ?? {}, policy.statuses);
  }

  set(f: Faults<S>): void {
    this.faults = validateFaults(f, this.policy.statuses);
  }

  get current(): Faults<S> {
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

  /** The status the next `error` fault answers with: the one set, or the simulator's default. */
  errorStatus(): S {
    return this.faults.errorStatus ?? this.policy.defaultStatus(this.errorCount++);
  }
}

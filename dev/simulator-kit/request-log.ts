/**
 * Every request a simulator answered outside `/_sim/`, for tests that count calls ("one list call
 * per poll interval"). A ring buffer: cheap to append, bounded memory, formatted only when read.
 */
import type { FaultKind } from './faults.js';

/** One answered request, as the control API's `requests()` lists it. */
export interface RequestLogEntry {
  method: string;
  /** Path without the query string. */
  path: string;
  /** 0 when no response was sent (connection reset, or a held timeout). */
  status: number;
  /** Simulated-clock time the request arrived (ISO-8601, ms precision). */
  at: string;
  /** Wall-clock time the request arrived (differs from `at` only after advancing/freezing the clock). */
  realAt: string;
  /** Parsed JSON body of non-GET requests, when it was JSON and small. */
  body?: unknown;
  /** The `From` header, when present (who a PagerDuty REST write acts as; the PagerDuty simulator only). */
  from?: string;
  /** The query string without its `?`, when there was one (the PagerDuty simulator only). */
  query?: string;
  /** The headers the API documents (`accept`, `content-type`, `from`), as sent (the PagerDuty simulator only). */
  headers?: Record<string, string>;
  /** The fault injected into this request, if any. */
  fault?: FaultKind;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  atMs: number;
  realMs: number;
  body?: unknown;
  from?: string;
  query?: string;
  headers?: Record<string, string>;
  fault?: FaultKind;
}

export class RequestLog {
  private readonly ring: (LoggedRequest | undefined)[];
  private next = 0;
  private count = 0;

  constructor(private readonly capacity = 100_000) {
    this.ring = new Array<LoggedRequest | undefined>(capacity);
  }

  /** Returns the entry so its status can be filled in when the response finishes. */
  add(e: LoggedRequest): LoggedRequest {
    this.ring[this.next] = e;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
    return e;
  }

  entries(): RequestLogEntry[] {
    const out: RequestLogEntry[] = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let k = 0; k < this.count; k++) {
      const e = this.ring[(start + k) % this.capacity]!;
      out.push({
        method: e.method,
        path: e.path,
        status: e.status,
        at: new Date(e.atMs).toISOString(),
        realAt: new Date(e.realMs).toISOString(),
        ...(e.body !== undefined ? { body: e.body } : {}),
        ...(e.from !== undefined ? { from: e.from } : {}),
        ...(e.query !== undefined ? { query: e.query } : {}),
        ...(e.headers !== undefined ? { headers: e.headers } : {}),
        ...(e.fault ? { fault: e.fault } : {}),
      });
    }
    return out;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.next = 0;
    this.count = 0;
  }
}

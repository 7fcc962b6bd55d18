/**
 * The simulated clock. Everything time-dependent in a simulator reads it (timestamps it emits,
 * retention, consistency delays, escalation timers, maintenance windows, on-call shifts), so tests
 * jump ahead (advance) or stop time (freeze) instead of sleeping.
 */
export class SimClock {
  private offsetMs = 0;
  private frozenAt: number | null = null;
  private readonly listeners = new Set<() => void>();

  now(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }

  get frozen(): boolean {
    return this.frozenAt !== null;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError('advance(ms) needs a finite, non-negative number of milliseconds');
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offsetMs += ms;
    for (const l of this.listeners) l();
  }

  freeze(): void {
    if (this.frozenAt === null) this.frozenAt = this.now();
  }

  /** Time runs again from where it stood, so no jump is visible to clients. */
  unfreeze(): void {
    if (this.frozenAt === null) return;
    this.offsetMs = this.frozenAt - Date.now();
    this.frozenAt = null;
  }

  /** Called after every advance (pending changes or escalation timers may have become due). */
  onAdvance(l: () => void): void {
    this.listeners.add(l);
  }
}

/**
 * ISO-8601 UTC with second precision (`2015-10-06T21:30:42Z`): how both services write incident times
 * (docs/splunk-oncall.md#endpoints, docs/pagerduty.md#rest-api-v2).
 */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

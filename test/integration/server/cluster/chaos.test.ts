// The replica chaos run, shortened for `npm test` (the full run is `npm run bench replica-chaos`):
// pages through HAProxy while the simulator fails, times out and throttles a third of the alerts,
// the leader is SIGKILLed, a follower is SIGKILLed and PostgreSQL restarts. Every page reaches
// On-Call exactly once (counted per entity_id in the simulator), every replica shows its final
// status, and no SSE client misses an incident event.
import { describe, expect, it } from 'vitest';
import { runReplicaChaos } from '#test/support/replica-chaos.js';

describe('replica chaos (shortened)', () => {
  it(
    'delivers every page once and keeps every badge through a leader kill, a follower kill and a database restart',
    { timeout: 240_000 },
    async () => {
      const r = await runReplicaChaos({
        pages: 60,
        actions: ['leader', 'follower', 'database'],
        gapMs: 2500,
        users: 6,
        sseClients: 6,
        deadlineMs: 180_000,
      });
      expect(r.actions).toHaveLength(3);
      expect(r.submitted).toBe(60);
      expect(r.duplicates).toBe(0);
      expect(r.missing).toBe(0);
      expect(r.exactlyOnce).toBe(60);
      expect(r.visibleOnEveryReplica).toBe(60);
      expect(r.sse.missedAfterResume).toBe(0);
      // The killed replicas' clients came back through HAProxy and resumed.
      expect(r.sse.resumes).toBeGreaterThan(0);
      for (const ms of r.failoverMs) expect(ms).toBeLessThan(15_000);
    },
  );
});

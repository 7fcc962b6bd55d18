/**
 * Time from an incident change in the On-Call simulator to the desktop badge changing, through the
 * real Klaxon server and the SSE stream into the desktop core (the state the tray/badge render).
 * Two paths: On-Call's outgoing webhook triggers an immediate server refresh, or the server's poll
 * (2 s, the minimum it allows) picks the change up. 100 changes per path, made at random instants
 * so the poll phase is uniformly sampled; each is a new incident, so each changes the badge count.
 */
import { trayView } from '#electron/tray.js';
import { desktopCore, startDesktopStack, waitForState } from '../support/desktop-stack.js';

const CHANGES = 100;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const ms = (n: number) => Math.round(n);

async function measure(path: 'webhook' | 'poll'): Promise<number[]> {
  const WEBHOOK_SECRET = 'bench-webhook-secret-0123456789';
  const stack = await startDesktopStack({ sim: { seed: 'empty', rateLimit: false } });
  try {
    await stack.startServer({
      oncall: { pollIntervalSeconds: path === 'poll' ? 2 : 60, webhookSecret: WEBHOOK_SECRET },
    });
    if (path === 'webhook') {
      // The simulator is already running: point its outgoing webhook at the server now that its URL is known.
      stack.sim.control.setWebhook({
        url: `${stack.serverUrl}/api/v1/webhooks/oncall`,
        headers: { 'x-klaxon-webhook-secret': WEBHOOK_SECRET },
      });
    }
    const core = desktopCore(stack, 'alice');
    await core.start();
    await core.invoke('auth:sign-in', undefined);
    await waitForState(core, (s) => s.link.status === 'live' && s.snapshot !== null, 20_000);
    const createdAt = new Map<string, number>();
    const latencies = new Map<string, number>();
    let lastCount = 0;
    core.state.subscribe((s) => {
      const now = performance.now();
      const v = trayView(s, { platform: 'linux', theme: 'light', now: new Date() });
      if (v.badge.count === lastCount) return;
      lastCount = v.badge.count;
      for (const i of s.snapshot?.incidents ?? []) {
        const t = createdAt.get(i.number);
        if (t !== undefined && !latencies.has(i.number)) latencies.set(i.number, now - t);
      }
    });
    const spreadMs = path === 'poll' ? 60_000 : 20_000;
    const instants = Array.from({ length: CHANGES }, () => Math.random() * spreadMs).sort((a, b) => a - b);
    const t0 = performance.now();
    for (const at of instants) {
      const wait = t0 + at - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t = performance.now();
      const number = stack.sim.control.createIncident({
        title: `Bench incident ${createdAt.size + 1}`,
        routingKey: 'sre',
      });
      createdAt.set(number, t);
    }
    const deadline = performance.now() + 30_000;
    while (latencies.size < CHANGES && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await core.stop();
    if (latencies.size < CHANGES)
      throw new Error(`${path}: only ${latencies.size} of ${CHANGES} changes reached the badge`);
    return [...latencies.values()];
  } finally {
    await stack.close();
  }
}

for (const path of ['webhook', 'poll'] as const) {
  const xs = await measure(path);
  console.log(`${path}: ${xs.length} changes, min ${ms(Math.min(...xs))} ms, max ${ms(Math.max(...xs))} ms`);
  console.log(`BENCH desktop.badge.${path}.p50 ${ms(pct(xs, 50))} ms`);
  console.log(`BENCH desktop.badge.${path}.p99 ${ms(pct(xs, 99))} ms`);
}

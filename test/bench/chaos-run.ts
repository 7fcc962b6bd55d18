// The chaos run, for a target on either paging service: pages while the service's paging endpoint
// injects 30% errors, 10% timeouts and 10% 429s, and the server (a child process running
// server/main.ts) is SIGKILLed and restarted three times. Clients resend with the same idempotency
// key until they get a 202, as Klaxon desktop does. At the end every page must have exactly one
// incident in the simulator (counted per entity id / dedup key) and its final status visible through
// GET /api/v1/pages/mine. `server-chaos.bench.ts` runs it for On-Call, `server-chaos-pagerduty.bench.ts`
// for PagerDuty.
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { pageEntityId, type Page } from '#common/index.js';
import { PD_TARGET, spawnServer, startStack } from '../support/server-stack.js';

export interface ChaosRun {
  /** Prefix of the figures (`chaos`, `chaos_pd`). */
  name: string;
  service: 'oncall' | 'pagerduty';
  pages: number;
  deadlineMs: number;
}

const USERS = 25;
const RESTARTS = 3;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)] ?? NaN;

export async function runChaos(run: ChaosRun): Promise<void> {
  const { name, pages: PAGES, deadlineMs: DEADLINE_MS } = run;
  const onPd = run.service === 'pagerduty';
  const started = Date.now();
  const stack = await startStack({ sim: { rateLimit: false }, ...(onPd ? { pagerduty: { rateLimit: false } } : {}) });
  const port = await freePort();
  const config = {
    listen: { host: '127.0.0.1', port },
    pageRateLimit: { max: 1000, windowSeconds: 600 },
    delivery: { timeoutMs: 500, baseDelayMs: 100, maxDelayMs: 1000, giveUpAfterMinutes: 10, concurrency: 8 },
  };
  const faults = { errorRate: 0.3, timeoutRate: 0.1, rateLimitRate: 0.1 };
  if (onPd) stack.pd!.control.setFaults({ ...faults, paths: ['/v2/enqueue'] });
  else stack.sim.control.setFaults({ ...faults, paths: ['/integrations/*'] });
  const target = onPd ? { target: PD_TARGET.id } : {};
  let server = await spawnServer(stack, config);
  const url = server.url;
  try {
    const tokens = await Promise.all(
      Array.from({ length: USERS }, (_, i) =>
        stack.idp.mintAccessToken(
          { sub: `chaos-${i}`, name: `Chaos User ${i}`, email: `chaos-${i}@klaxon.test`, groups: ['staff'] },
          { expiresInSeconds: 3600 },
        ),
      ),
    );
    const ids = new Map<number, string>();
    let resends = 0;
    const submit = async (i: number) => {
      const key = `chaos-${randomUUID()}`;
      for (;;) {
        try {
          const res = await fetch(`${url}/api/v1/pages`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${tokens[i % USERS]}`,
              'content-type': 'application/json',
              'idempotency-key': key,
            },
            body: JSON.stringify({
              summary: `Chaos page ${i}`,
              details: 'Sent during the chaos benchmark.',
              ...target,
            }),
            signal: AbortSignal.timeout(5000),
          });
          const body = (await res.json()) as Page;
          if (res.status === 202) {
            const prior = ids.get(i);
            if (prior && prior !== body.id) throw new Error(`page ${i}: a resend made a second page`);
            ids.set(i, body.id);
            return;
          }
        } catch (e) {
          if ((e as Error).message.includes('second page')) throw e;
        }
        resends++;
        await sleep(200);
      }
    };
    // Submitters (a few concurrent clients) and the killer run together.
    let next = 0;
    const submitters = Array.from({ length: 5 }, async () => {
      while (next < PAGES) {
        const i = next++;
        await submit(i);
        await sleep(15);
      }
    });
    const killer = (async () => {
      for (let k = 0; k < RESTARTS; k++) {
        await sleep(2500);
        await server.kill('SIGKILL');
        await sleep(300);
        server = await spawnServer(stack, config);
        if (server.url !== url) throw new Error('server came back on another port');
      }
    })();
    await Promise.all([...submitters, killer]);
    const allSubmittedAt = Date.now();

    // Wait until every page is final (delivered and matched to its incident, or gave up).
    const byUser = async (): Promise<Page[]> => {
      const lists = await Promise.all(
        tokens.map(async (t) => {
          const r = await fetch(`${url}/api/v1/pages/mine`, { headers: { authorization: `Bearer ${t}` } });
          return ((await r.json()) as { pages: Page[] }).pages;
        }),
      );
      return lists.flat();
    };
    let pages: Page[] = [];
    for (;;) {
      pages = await byUser();
      const done = pages.filter((p) => p.incidentNumber !== null || p.gaveUpAt !== null).length;
      if (pages.length === PAGES && done === PAGES) break;
      if (Date.now() - started > DEADLINE_MS) break;
      await sleep(500);
    }
    const finishedAt = Date.now();
    const counts = new Map<string, number>();
    const keys = onPd
      ? (stack.pd!.control.incidents() as { incident_key?: string }[]).map((i) => i.incident_key)
      : (stack.sim.control.incidents() as { entityId?: string }[]).map((i) => i.entityId);
    for (const key of keys) if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
    const mineIds = new Set(pages.map((p) => p.id));
    const submitted = [...ids.values()];
    const exactlyOnce = submitted.filter((id) => counts.get(pageEntityId(id)) === 1).length;
    const duplicates = submitted.filter((id) => (counts.get(pageEntityId(id)) ?? 0) > 1).length;
    const missing = submitted.filter((id) => !counts.has(pageEntityId(id))).length;
    const visible = submitted.filter((id) => mineIds.has(id)).length;
    const final = pages.filter((p) => p.incidentNumber !== null).length;
    const attempts = pages.map((p) => p.attempts);
    const toDeliver = pages
      .filter((p) => p.deliveredAt)
      .map((p) => Date.parse(p.deliveredAt!) - Date.parse(p.createdAt));
    const restRequests = onPd
      ? stack.pd!.control.requests().filter((r) => r.path === '/v2/enqueue')
      : stack.sim.control.requests().filter((r) => r.path.startsWith('/integrations/'));

    console.log(`BENCH ${name}.pages_submitted ${submitted.length} pages`);
    console.log(`BENCH ${name}.restarts ${RESTARTS} kills`);
    console.log(`BENCH ${name}.client_resends ${resends} requests`);
    console.log(`BENCH ${name}.delivered_exactly_once ${exactlyOnce} pages`);
    console.log(`BENCH ${name}.duplicate_incidents ${duplicates} pages`);
    console.log(`BENCH ${name}.missing_incidents ${missing} pages`);
    console.log(`BENCH ${name}.final_status_visible ${visible} pages`);
    console.log(`BENCH ${name}.matched_to_incident ${final} pages`);
    console.log(`BENCH ${name}.rest_requests ${restRequests.length} requests`);
    console.log(
      `BENCH ${name}.rest_faulted ${restRequests.filter((r) => (r as { fault?: string }).fault).length} requests`,
    );
    console.log(
      `BENCH ${name}.attempts.mean ${(attempts.reduce((a, b) => a + b, 0) / Math.max(1, attempts.length)).toFixed(2)} attempts`,
    );
    console.log(`BENCH ${name}.attempts.max ${Math.max(...attempts)} attempts`);
    console.log(`BENCH ${name}.time_to_deliver.p50 ${pct(toDeliver, 50)} ms`);
    console.log(`BENCH ${name}.time_to_deliver.p99 ${pct(toDeliver, 99)} ms`);
    console.log(`BENCH ${name}.drain_after_last_submit ${((finishedAt - allSubmittedAt) / 1000).toFixed(1)} s`);
    console.log(`BENCH ${name}.total ${((finishedAt - started) / 1000).toFixed(1)} s`);
    if (exactlyOnce !== PAGES || visible !== PAGES) {
      console.log(`# FAILED: ${PAGES - exactlyOnce} pages not delivered exactly once, ${PAGES - visible} not visible`);
      process.exitCode = 1;
    }
  } finally {
    await server.kill('SIGTERM');
    await stack.close();
  }
}

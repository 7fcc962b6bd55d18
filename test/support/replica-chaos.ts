// The replica chaos run, shared by the benchmark (server-replica-chaos.bench.ts: 500 pages, three
// leader kills, two follower kills, one database restart) and its shortened form in `npm test`
// (test/integration/server/cluster/chaos.test.ts). Pages go through HAProxy while the simulator's
// REST endpoint injects errors, timeouts and 429s; SSE clients spread over the replicas by the
// load balancer follow along and reconnect with Last-Event-ID, as Klaxon's clients do.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pageEntityId, type Page } from '#common/index.js';
import { startPostgres } from './postgres.js';
import { startReplicaSet, type Replica } from './replica-set.js';
import { ResumingSseClient } from './resuming-sse-client.js';
import { startStack } from './server-stack.js';

export type ChaosAction = 'leader' | 'follower' | 'database';

export interface ChaosOptions {
  pages: number;
  /** What happens, in order, `gapMs` apart, while the pages are being sent. */
  actions: ChaosAction[];
  gapMs: number;
  users: number;
  sseClients: number;
  deadlineMs: number;
  /** Durable PostgreSQL (fsync on), as in production; the tests use a faster one. */
  durable?: boolean;
  log?: (line: string) => void;
}

export interface ChaosResult {
  submitted: number;
  exactlyOnce: number;
  duplicates: number;
  missing: number;
  /** Pages whose final status (matched to its incident) every replica shows. */
  visibleOnEveryReplica: number;
  resends: number;
  /** Leader kills and the database restart: from the event to the new leader's first poll (ms). */
  failoverMs: number[];
  actions: string[];
  sse: {
    clients: number;
    /**
     * Per client: the longest time without any event (ms) while the chaos ran, with an incident
     * opened in the simulator every second so there is always something to hear.
     */
    longestSilenceMs: number[];
    /** Incident events in the journal that a client neither received nor got a later snapshot for. */
    missedAfterResume: number;
    resumes: number;
    resumesWithSnapshot: number;
  };
  listCalls: number;
  /** Accepted → delivered, per page (as the first replica shows it), sorted. */
  toDeliverMs: number[];
  attemptsMean: number;
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runReplicaChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  const db = await startPostgres({ durable: opts.durable ?? false });
  const url = await db.createDatabase('chaos');
  const stack = await startStack({ sim: { rateLimit: false } });
  stack.sim.control.setFaults({ errorRate: 0.3, timeoutRate: 0.1, rateLimitRate: 0.1, paths: ['/integrations/*'] });
  const set = await startReplicaSet(stack, {
    postgresUrl: url,
    extra: {
      pageRateLimit: { max: 1000, windowSeconds: 600 },
      delivery: { timeoutMs: 500, baseDelayMs: 100, maxDelayMs: 1000, giveUpAfterMinutes: 10, concurrency: 8 },
    },
  });
  const clients: ResumingSseClient[] = [];
  try {
    await set.waitForLeader({ timeoutMs: 30_000 });
    const tokens = await Promise.all(
      Array.from({ length: opts.users }, (_, i) =>
        stack.idp.mintAccessToken(
          { sub: `chaos-${i}`, name: `Chaos User ${i}`, email: `chaos-${i}@klaxon.test`, groups: ['staff', 'sre'] },
          { expiresInSeconds: 3600 },
        ),
      ),
    );
    for (let i = 0; i < opts.sseClients; i++) {
      const c = new ResumingSseClient(set.lb.url, tokens[i % tokens.length]!);
      clients.push(c);
      await c.start();
    }
    const listCalls = () =>
      stack.sim.control.requests().filter((r) => r.method === 'GET' && r.path === '/api-public/v1/incidents').length;
    const calls0 = listCalls();

    const ids = new Map<number, string>();
    let resends = 0;
    const submit = async (i: number) => {
      const key = `chaos-${randomUUID()}`;
      for (;;) {
        try {
          const res = await fetch(`${set.lb.url}/api/v1/pages`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${tokens[i % tokens.length]}`,
              'content-type': 'application/json',
              'idempotency-key': key,
            },
            body: JSON.stringify({ summary: `Chaos page ${i}`, details: 'Sent during the replica chaos run.' }),
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
    // Five people-like senders, paced so that the pages span every kill and the restart.
    const paceMs = (opts.actions.length * opts.gapMs * 1.5 * 5) / opts.pages;
    let next = 0;
    const submitters = Array.from({ length: 5 }, async () => {
      while (next < opts.pages) {
        const i = next++;
        await submit(i);
        await sleep(paceMs);
      }
    });

    const failoverMs: number[] = [];
    const done: string[] = [];
    /** Waits for a leader other than `not` that has polled after `t0`; returns the time it took. */
    const failover = async (t0: number, not?: Replica) => {
      const before = listCalls();
      await set.waitForLeader({ ...(not ? { not } : {}), timeoutMs: 60_000 });
      const end = Date.now() + 60_000;
      while (listCalls() === before && Date.now() < end) await sleep(20);
      return Date.now() - t0;
    };
    // Something to hear at all times: a new incident every second while the chaos runs.
    let ticks = 0;
    const ticker = setInterval(
      () => stack.sim.control.createIncident({ title: `tick ${++ticks}`, routingKey: 'sre' }),
      1000,
    );
    const chaosStart = Date.now();
    const chaos = (async () => {
      for (const action of opts.actions) {
        await sleep(opts.gapMs);
        if (action === 'database') {
          const t0 = Date.now();
          await db.stop();
          await sleep(1000);
          await db.start();
          const ms = await failover(t0);
          failoverMs.push(ms);
          done.push(`database restarted, polling again after ${ms} ms`);
        } else {
          const l = await set.waitForLeader({ timeoutMs: 60_000 });
          const victim = action === 'leader' ? l.replica : set.replicas.find((r) => r !== l.replica && r.pid())!;
          const t0 = Date.now();
          await victim.kill('SIGKILL');
          if (action === 'leader') {
            const ms = await failover(t0, victim);
            failoverMs.push(ms);
            done.push(`leader ${victim.name} killed, new leader polling after ${ms} ms`);
          } else done.push(`follower ${victim.name} killed`);
          // A supervisor restarts it.
          await sleep(500);
          await victim.start();
        }
        log(done[done.length - 1]!);
      }
    })();
    await Promise.all([...submitters, chaos]).finally(() => clearInterval(ticker));
    const chaosEnd = Date.now();
    log(`all ${opts.pages} pages accepted (${resends} resends)`);

    // Every page final (matched to its incident, or given up) on every replica.
    const mine = async (base: string): Promise<Page[]> =>
      (
        await Promise.all(
          tokens.map(async (t) => {
            const r = await fetch(`${base}/api/v1/pages/mine`, { headers: { authorization: `Bearer ${t}` } });
            return r.ok ? ((await r.json()) as { pages: Page[] }).pages : [];
          }),
        )
      ).flat();
    const submitted = [...ids.values()];
    for (const r of set.replicas) if (r.pid() === null) log(`replica ${r.name} is not running at the end`);
    let visibleOnEveryReplica = 0;
    let final: Page[] = [];
    for (;;) {
      const views = await Promise.all(set.replicas.map((r) => mine(r.url).catch(() => [] as Page[])));
      final = views[0] ?? [];
      const finalOn = views.map((v) => new Set(v.filter((p) => p.incidentNumber !== null).map((p) => p.id)));
      visibleOnEveryReplica = submitted.filter((id) => finalOn.every((s) => s.has(id))).length;
      if (visibleOnEveryReplica === submitted.length || Date.now() - started > opts.deadlineMs) break;
      await sleep(500);
    }
    const counts = new Map<string, number>();
    for (const inc of stack.sim.control.incidents() as { entityId?: string }[])
      if (inc.entityId) counts.set(inc.entityId, (counts.get(inc.entityId) ?? 0) + 1);

    // Let the clients take in the last changes, then compare what each received with the journal.
    await sleep(3000);
    const journal = await incidentSeqs(url);
    let missedAfterResume = 0;
    for (const c of clients) {
      // A snapshot holds everything up to its id; after the newest one the client had, every
      // incident event must have reached it (replayed on resume if it was away).
      const got = new Set<number>();
      let lastSnapshot = 0;
      for (const e of c.events) {
        if (e.type === 'snapshot') lastSnapshot = Math.max(lastSnapshot, Number(e.id));
        else if (e.type === 'incident') got.add(Number(e.id));
      }
      missedAfterResume += journal.filter((seq) => seq > lastSnapshot && !got.has(seq)).length;
    }
    const resumes = clients.flatMap((c) => c.resumes);
    return {
      submitted: submitted.length,
      exactlyOnce: submitted.filter((id) => counts.get(pageEntityId(id)) === 1).length,
      duplicates: submitted.filter((id) => (counts.get(pageEntityId(id)) ?? 0) > 1).length,
      missing: submitted.filter((id) => !counts.has(pageEntityId(id))).length,
      visibleOnEveryReplica,
      resends,
      failoverMs,
      actions: done,
      sse: {
        clients: clients.length,
        longestSilenceMs: clients.map((c) => c.longestSilence(chaosStart, chaosEnd)),
        missedAfterResume,
        resumes: resumes.length,
        resumesWithSnapshot: resumes.filter((r) => !r.replayed).length,
      },
      listCalls: listCalls() - calls0,
      toDeliverMs: final
        .filter((p) => p.deliveredAt)
        .map((p) => Date.parse(p.deliveredAt!) - Date.parse(p.createdAt))
        .sort((a, b) => a - b),
      attemptsMean: final.reduce((n, p) => n + p.attempts, 0) / Math.max(1, final.length),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    for (const c of clients) c.close();
    await set.close();
    await stack.close();
    await db.close();
  }
}

async function incidentSeqs(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ seq: string }>(
      "SELECT seq FROM klaxon_events WHERE kind = 'incident' ORDER BY seq",
    );
    return rows.map((r) => Number(r.seq));
  } finally {
    await client.end();
  }
}

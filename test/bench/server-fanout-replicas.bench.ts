/**
 * Fan-out across replicas: three Klaxon servers (server/main.ts) on one PostgreSQL database, with
 * 30 000 SSE clients in total (10 000 on each), and as the baseline one SQLite server with 10 000
 * clients (what each replica carries). A change in the On-Call simulator reaches the leader through
 * the outgoing webhook (sent to the HAProxy in front of the replicas, so it lands on any of them
 * and is passed on by NOTIFY); the leader polls once, writes the change to the shared journal, and
 * every replica sends it to its clients. Measures the time from the change to each client, RSS per
 * replica, and how often On-Call's incident list was called (per change, and per poll interval
 * while nothing changes): it must stay 1, whatever the number of replicas and clients.
 * Client processes hold at most 10 000 sockets each (20 000 file descriptors per process here).
 */
import { readFileSync } from 'node:fs';
import { ClientFleet, bench, percentile, sleep, spawnKlaxonServer, oncallConfigFor } from './server-bench-kit.js';
import { startPostgres } from '../support/postgres.js';
import { startReplicaSet } from '../support/replica-set.js';
import { startStack } from '../support/server-stack.js';

const PER_REPLICA = Number(process.env.KLAXON_BENCH_REPLICA_CLIENTS ?? 10_000);
const ROUNDS = 5;
const ROUND_GAP_MS = 3000;
const POLL_SECONDS = 5;
const HOOK_SECRET = 'bench-webhook-secret';

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const started = Date.now();
const stack = await startStack({ sim: { rateLimit: false } });
const listCalls = () =>
  stack.sim.control.requests().filter((r) => r.method === 'GET' && r.path === '/api-public/v1/incidents').length;
const token = await stack.token('alice', {}, { expiresInSeconds: 7200 });
const fleet = new ClientFleet(3);
let round = 0;

/** Connects `n` clients to each URL, makes ROUNDS changes, and returns the arrival latencies. */
async function measure(label: string, urls: string[], pids: () => number[]) {
  for (const u of urls) {
    const c = await fleet.connect(u, token, PER_REPLICA);
    if (c.failed > 0) console.log(`${label}: ${c.failed} connections to ${u} failed`);
  }
  const total = urls.length * PER_REPLICA;
  await sleep(1000);
  const rss = new Map<number, number>();
  const sample = () => {
    for (const p of pids()) rss.set(p, Math.max(rss.get(p) ?? 0, rssMb(p)));
  };
  const sampler = setInterval(sample, 250);
  const calls0 = listCalls();
  const changedAt = new Map<string, number>();
  for (let i = 0; i < ROUNDS; i++) {
    const marker = String(++round);
    changedAt.set(marker, Date.now());
    stack.sim.control.createIncident({ title: `bench-r${marker}`, routingKey: 'sre' });
    await sleep(ROUND_GAP_MS);
  }
  const callsPerChange = (listCalls() - calls0) / ROUNDS;
  // The last change may still be on its way to the slowest clients.
  await sleep(5000);
  clearInterval(sampler);
  sample();
  const { arrivals } = await fleet.arrivals();
  const latencies: number[] = [];
  let missed = 0;
  for (const [marker, at] of changedAt) {
    const times = arrivals[marker] ?? [];
    for (let k = 0; k < total; k++) {
      const t = times[k] ?? 0;
      if (t) latencies.push(t - at);
      else missed++;
    }
  }
  latencies.sort((a, b) => a - b);
  // While nothing changes: list calls per poll interval (3 intervals).
  const idle0 = listCalls();
  await sleep(3 * POLL_SECONDS * 1000 + 500);
  const perInterval = (listCalls() - idle0) / 3;
  await fleet.disconnect();
  await sleep(1000);
  return { total, latencies, missed, rss: [...rss.values()], callsPerChange, perInterval };
}

const server = {
  listen: { host: '127.0.0.1', port: 0 },
  oncall: { ...oncallConfigFor(stack.sim), pollIntervalSeconds: POLL_SECONDS, webhookSecret: HOOK_SECRET },
  targets: [{ id: 'sre', label: 'SRE on call', routingKey: 'sre', teams: ['team-sreKLX0000000001'], default: true }],
  oidc: {
    issuer: stack.idp.issuer,
    audience: stack.idp.resource,
    algorithms: ['ES256'],
    web: { clientId: 'klaxon-web', clientSecret: 'bench-web-secret' },
  },
  sessionSecret: 'bench-session-secret-0123456789abcdefghijkl',
  logLevel: 'error',
};

try {
  // Baseline: one SQLite server carrying what one replica carries.
  const single = await spawnKlaxonServer(server);
  stack.sim.control.setWebhook({
    url: `${single.url}/api/v1/webhooks/oncall`,
    headers: { 'x-klaxon-webhook-secret': HOOK_SECRET },
  });
  const base = await measure('single', [single.url], () => [single.pid]);
  await single.close();

  const db = await startPostgres({ durable: true });
  const set = await startReplicaSet(stack, {
    postgresUrl: await db.createDatabase('fanout'),
    extra: { oncall: { pollIntervalSeconds: POLL_SECONDS, webhookSecret: HOOK_SECRET } },
  });
  try {
    await set.waitForLeader({ timeoutMs: 30_000 });
    stack.sim.control.setWebhook({
      url: `${set.lb.url}/api/v1/webhooks/oncall`,
      headers: { 'x-klaxon-webhook-secret': HOOK_SECRET },
    });
    const rep = await measure(
      'replicas',
      set.replicas.map((r) => r.url),
      () => set.replicas.map((r) => r.pid()).filter((p): p is number => p !== null),
    );
    const p99 = percentile(rep.latencies, 99);
    const baseP99 = percentile(base.latencies, 99);
    const rssMax = Math.max(...rep.rss);
    bench('fanout_replicas.baseline_single.clients', base.total, 'clients');
    bench('fanout_replicas.baseline_single.p50', percentile(base.latencies, 50), 'ms');
    bench('fanout_replicas.baseline_single.p99', baseP99, 'ms');
    bench('fanout_replicas.baseline_single.rss', Math.round(base.rss[0] ?? NaN), 'MB');
    bench('fanout_replicas.replicas', set.replicas.length, 'replicas');
    bench('fanout_replicas.clients', rep.total, 'clients');
    bench('fanout_replicas.p50', percentile(rep.latencies, 50), 'ms');
    bench('fanout_replicas.p99', p99, 'ms');
    bench('fanout_replicas.p99_vs_single', p99 / baseP99, 'x');
    // The first client reached: the path itself (webhook, NOTIFY to the leader, poll, journal,
    // NOTIFY, read), before any fan-out work; the rest of p99 is three times the clients on the same cores.
    bench('fanout_replicas.first_client', rep.latencies[0] ?? NaN, 'ms');
    bench('fanout_replicas.baseline_single.first_client', base.latencies[0] ?? NaN, 'ms');
    bench('fanout_replicas.all_clients_max', rep.latencies[rep.latencies.length - 1] ?? NaN, 'ms');
    bench('fanout_replicas.missed', rep.missed, 'events');
    bench('fanout_replicas.rss_per_replica.max', Math.round(rssMax), 'MB');
    bench('fanout_replicas.rss_per_replica.min', Math.round(Math.min(...rep.rss)), 'MB');
    bench('fanout_replicas.rss_per_replica_vs_single', rssMax / (base.rss[0] ?? NaN), 'x');
    bench('fanout_replicas.upstream_list_calls_per_change', rep.callsPerChange, 'requests');
    bench('fanout_replicas.upstream_list_calls_per_change_single', base.callsPerChange, 'requests');
    bench('fanout_replicas.upstream_list_calls_per_interval', rep.perInterval, 'requests');
    bench('fanout_replicas.upstream_list_calls_per_interval_single', base.perInterval, 'requests');
  } finally {
    await set.close();
    await db.close();
  }
} finally {
  fleet.kill();
  await stack.close();
}
console.log(`replica fan-out benchmark took ${((Date.now() - started) / 1000).toFixed(0)} s`);

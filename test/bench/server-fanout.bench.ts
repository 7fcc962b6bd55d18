/**
 * Fan-out: N = 100, 1 000, 10 000 concurrent SSE clients of the real Klaxon server on loopback.
 * Measures the time from an incident change in the On-Call simulator (control API) to its arrival
 * at every client (the simulator's outgoing webhook triggers the server's refresh), plus the
 * server's RSS and CPU. Target: 10 000 clients, p99 < 1 s, RSS < 500 MB.
 */
import { startIdentityProvider } from '#dev/identity-provider/index.js';
import { startOnCallSimulator } from '#dev/oncall-simulator/index.js';
import { ClientFleet, bench, percentile, sleep, oncallConfigFor, spawnKlaxonServer } from './server-bench-kit.js';

const SIZES = (process.env.KLAXON_BENCH_FANOUT_SIZES ?? '100,1000,10000').split(',').map(Number);
const ROUNDS = 5;
const ROUND_GAP_MS = 2500;
const HOOK_SECRET = 'bench-webhook-secret';

const started = Date.now();
const idp = await startIdentityProvider({ accessTokenTtlSeconds: 3600 });
const sim = await startOnCallSimulator({ log: false });
const server = await spawnKlaxonServer({
  listen: { host: '127.0.0.1', port: 0 },
  oncall: {
    ...oncallConfigFor(sim),
    // Changes arrive through the webhook; the slow poll only backs it up.
    pollIntervalSeconds: 60,
    webhookSecret: HOOK_SECRET,
  },
  targets: [{ id: 'sre', label: 'SRE on call', routingKey: 'sre', teams: ['team-sreKLX0000000001'], default: true }],
  oidc: {
    issuer: idp.issuer,
    audience: idp.resource,
    algorithms: ['ES256'],
    web: { clientId: 'klaxon-web', clientSecret: 'bench-web-secret' },
  },
  sessionSecret: 'bench-session-secret-0123456789abcdefghijkl',
  // Every simulated client uses the same account.
  events: { maxStreamsPerUser: 100_000 },
  logLevel: 'error',
});
sim.control.setWebhook({
  url: `${server.url}/api/v1/webhooks/oncall`,
  headers: { 'x-klaxon-webhook-secret': HOOK_SECRET },
});
const alice = idp.accounts.find((a) => a.username === 'alice')!;
const token = await idp.mintAccessToken(
  {
    sub: alice.username,
    name: alice.name,
    email: alice.email,
    preferred_username: alice.username,
    groups: alice.groups,
  },
  { expiresInSeconds: 3600 },
);
const fleet = new ClientFleet(2);
console.log(`server ${server.url} (pid ${server.pid}), simulator ${sim.url}; real server/main.ts with JWT auth`);
bench('fanout.idle.rss', Math.round(server.rssMb()), 'MB');

let round = 0;
try {
  for (const n of SIZES) {
    const c = await fleet.connect(server.url, token, n);
    if (c.failed > 0) console.log(`n=${n}: ${c.failed} connections failed`);
    bench(`fanout.n${n}.connect_time`, c.ms, 'ms');
    await sleep(500);
    const cpu0 = server.cpuSeconds();
    const t0 = Date.now();
    let rssMax = server.rssMb();
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, server.rssMb())), 200);
    const changedAt = new Map<string, number>();
    for (let i = 0; i < ROUNDS; i++) {
      const marker = String(++round);
      changedAt.set(marker, Date.now());
      sim.control.createIncident({ title: `bench-r${marker}`, routingKey: 'sre' });
      await sleep(ROUND_GAP_MS);
    }
    clearInterval(sampler);
    const cpuPct = ((server.cpuSeconds() - cpu0) / ((Date.now() - t0) / 1000)) * 100;
    const { arrivals, open } = await fleet.arrivals();
    const latencies: number[] = [];
    const roundMax: number[] = [];
    let missed = 0;
    for (const [marker, at] of changedAt) {
      const times = arrivals[marker] ?? [];
      let max = 0;
      for (let k = 0; k < c.connected; k++) {
        const t = times[k] ?? 0;
        if (!t) {
          missed++;
          continue;
        }
        latencies.push(t - at);
        max = Math.max(max, t - at);
      }
      roundMax.push(max);
    }
    latencies.sort((a, b) => a - b);
    bench(`fanout.n${n}.clients`, c.connected, 'clients');
    bench(`fanout.n${n}.p50`, percentile(latencies, 50), 'ms');
    bench(`fanout.n${n}.p99`, percentile(latencies, 99), 'ms');
    bench(`fanout.n${n}.all_clients_max`, Math.max(...roundMax), 'ms');
    bench(`fanout.n${n}.missed`, missed, 'events');
    bench(`fanout.n${n}.rss`, Math.round(rssMax), 'MB');
    bench(`fanout.n${n}.cpu`, Math.round(cpuPct), '%');
    if (open !== c.connected) console.log(`n=${n}: ${c.connected - open} streams closed during the run`);
    await fleet.disconnect();
    await sleep(1000);
  }
} finally {
  fleet.kill();
  await server.close();
  await sim.close();
  await idp.close();
}
console.log(`fan-out benchmark took ${((Date.now() - started) / 1000).toFixed(0)} s`);

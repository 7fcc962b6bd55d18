/**
 * Upstream calls: with N = 100, 1 000, 10 000 SSE clients connected to the real Klaxon server,
 * count the requests the On-Call simulator receives per poll interval (its request log). Target:
 * constant, one list call per interval, zero 429s. Baseline in the same run: N tray apps without a
 * server, each polling the simulator directly every interval with the org's API key.
 */
import { startIdentityProvider } from '#dev/identity-provider/index.js';
import { startOnCallSimulator } from '#dev/oncall-simulator/index.js';
import { ClientFleet, bench, sleep, oncallConfigFor, spawnKlaxonServer } from './server-bench-kit.js';

const SIZES = (process.env.KLAXON_BENCH_UPSTREAM_SIZES ?? '100,1000,10000').split(',').map(Number);
const INTERVAL_S = 5;
const SERVER_WINDOW_INTERVALS = 3;
const BASELINE_WINDOW_INTERVALS = 2;

const started = Date.now();
const idp = await startIdentityProvider({ accessTokenTtlSeconds: 3600 });
const sim = await startOnCallSimulator({ log: false });
const server = await spawnKlaxonServer({
  listen: { host: '127.0.0.1', port: 0 },
  oncall: {
    ...oncallConfigFor(sim),
    pollIntervalSeconds: INTERVAL_S,
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
console.log(
  `server ${server.url} (pid ${server.pid}), poll interval ${INTERVAL_S} s; real server/main.ts with JWT auth`,
);

const publicApi = () => sim.control.requests().filter((r) => r.path.startsWith('/api-public/'));
let serverClosed = false;
const serverPerInterval = new Map<number, number>();
try {
  for (const n of SIZES) {
    const c = await fleet.connect(server.url, token, n);
    if (c.failed > 0) console.log(`n=${n}: ${c.failed} connections failed`);
    sim.control.clearRequests();
    await sleep(SERVER_WINDOW_INTERVALS * INTERVAL_S * 1000);
    const log = publicApi();
    const lists = log.filter((r) => r.path === '/api-public/v1/incidents' && r.method === 'GET').length;
    bench(`upstream.n${n}.server.clients`, c.connected, 'clients');
    bench(`upstream.n${n}.server.list_calls_per_interval`, lists / SERVER_WINDOW_INTERVALS, 'req');
    bench(`upstream.n${n}.server.requests_per_interval`, log.length / SERVER_WINDOW_INTERVALS, 'req');
    serverPerInterval.set(n, log.length / SERVER_WINDOW_INTERVALS);
    bench(`upstream.n${n}.server.429s`, log.filter((r) => r.status === 429).length, 'responses');
    await fleet.disconnect();
  }
  await server.close();
  serverClosed = true;

  for (const n of SIZES) {
    sim.control.clearRequests();
    const r = await fleet.pollDirect({
      url: sim.url,
      apiId: sim.apiId,
      apiKey: sim.apiKey,
      count: n,
      intervalMs: INTERVAL_S * 1000,
      durationMs: BASELINE_WINDOW_INTERVALS * INTERVAL_S * 1000,
    });
    const log = publicApi();
    bench(`upstream.n${n}.baseline.requests_per_interval`, log.length / BASELINE_WINDOW_INTERVALS, 'req');
    bench(`upstream.n${n}.baseline.429s`, log.filter((x) => x.status === 429).length, 'responses');
    bench(
      `upstream.n${n}.baseline_over_server`,
      Math.round(log.length / BASELINE_WINDOW_INTERVALS / Math.max(1, serverPerInterval.get(n) ?? 1)),
      'x',
    );
    bench(
      `upstream.n${n}.baseline.429_share`,
      Math.round(((r.statuses['429'] ?? 0) / Math.max(1, r.requests)) * 100),
      '%',
    );
    if (r.statuses.error) console.log(`n=${n}: ${r.statuses.error} direct polls failed outright`);
  }
} finally {
  fleet.kill();
  if (!serverClosed) await server.close();
  await sim.close();
  await idp.close();
}
console.log(`upstream benchmark took ${((Date.now() - started) / 1000).toFixed(0)} s`);

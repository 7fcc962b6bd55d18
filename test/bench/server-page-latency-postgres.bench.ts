// The page path (`POST /api/v1/pages` until 202, as in server-page-latency.bench.ts) on PostgreSQL
// next to SQLite, in the same run: a throwaway PostgreSQL cluster on loopback with its durable
// defaults (fsync and synchronous_commit on, as in production) and a SQLite file, each behind a
// Klaxon server child process. Rounds alternate (SQLite, PostgreSQL, SQLite, PostgreSQL) so that
// a change in the machine's load weighs on both alike. Prints p50/p99 of the server-added latency
// and of the server's own time for each store, with the PostgreSQL/SQLite ratio, and the load average.
import { loadavg } from 'node:os';
import { startStack } from '../support/server-stack.js';
import { startPostgres } from '../support/postgres.js';
import { bench, percentile } from './server-bench-kit.js';
import { measurePagePath, serverAdded, type PagePathRun } from './page-path-measure.js';

const ROUNDS = 2;
const PAGES_PER_ROUND = 500;
const USERS = 20;

/** Several rounds as one: the round trips of all of them, and the baseline of all of them. */
function merged(runs: PagePathRun[]): PagePathRun {
  const all = (f: (r: PagePathRun) => number[]) => runs.flatMap(f).sort((a, b) => a - b);
  return {
    baseline: all((r) => r.baseline),
    roundTrip: all((r) => r.roundTrip),
    serverTiming: all((r) => r.serverTiming),
    pages: runs.flatMap((r) => r.pages),
    pagesSeconds: runs.reduce((s, r) => s + r.pagesSeconds, 0),
    serverCpuMsPerPage: runs.reduce((s, r) => s + r.serverCpuMsPerPage, 0) / runs.length,
    loadGeneratorLoopDelayMaxMs: Math.max(...runs.map((r) => r.loadGeneratorLoopDelayMaxMs)),
  };
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`# load average at start: ${load()}`);
const [stack, cluster] = await Promise.all([
  startStack({ sim: { rateLimit: false } }),
  startPostgres({ durable: true }),
]);
try {
  const runs: Record<'sqlite' | 'postgres', PagePathRun[]> = { sqlite: [], postgres: [] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.sqlite.push(await measurePagePath(stack, {}, { pages: PAGES_PER_ROUND, users: USERS }));
    const postgresUrl = await cluster.createDatabase('bench');
    runs.postgres.push(
      await measurePagePath(stack, { storage: { postgresUrl } }, { pages: PAGES_PER_ROUND, users: USERS }),
    );
  }
  const sqlite = merged(runs.sqlite);
  const postgres = merged(runs.postgres);
  for (const [name, run] of [
    ['sqlite', sqlite],
    ['postgres', postgres],
  ] as const) {
    bench(`page_path_store.${name}.server_added.p50`, serverAdded(run, 50), 'ms');
    bench(`page_path_store.${name}.server_added.p99`, serverAdded(run, 99), 'ms');
    bench(`page_path_store.${name}.server_timing.p50`, percentile(run.serverTiming, 50), 'ms');
    bench(`page_path_store.${name}.server_timing.p99`, percentile(run.serverTiming, 99), 'ms');
    bench(`page_path_store.${name}.server_cpu_per_page`, run.serverCpuMsPerPage, 'ms');
  }
  for (const p of [50, 99]) {
    bench(`page_path_store.ratio.server_added.p${p}`, serverAdded(postgres, p) / serverAdded(sqlite, p), 'x');
    bench(
      `page_path_store.ratio.server_timing.p${p}`,
      percentile(postgres.serverTiming, p) / percentile(sqlite.serverTiming, p),
      'x',
    );
  }
} finally {
  console.log(`# load average at end: ${load()}`);
  await Promise.allSettled([stack.close(), cluster.close()]);
}

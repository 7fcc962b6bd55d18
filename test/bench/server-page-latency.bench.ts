// Benchmark 3: server-added latency of `POST /api/v1/pages` until 202 (token check, validation,
// rate limit, durable SQLite write + audit entry in one transaction) over 1 000 pages, against a
// server child process on loopback, with delivery to On-Call running alongside as in production.
// Baseline in the same run: `GET /healthz` round trips (the loopback + HTTP cost every request
// pays), so `server_added` = page round trip − baseline median. The timed client runs in its own
// process (page-load-generator.ts); `server_timing` is the server's own figure for each request.
// The same path on PostgreSQL, compared with SQLite: server-page-latency-postgres.bench.ts.
import { startStack } from '../support/server-stack.js';
import { bench, percentile } from './server-bench-kit.js';
import { measurePagePath, serverAdded } from './page-path-measure.js';

const PAGES = 1000;
const USERS = 20;

const stack = await startStack({ sim: { rateLimit: false } });
try {
  const run = await measurePagePath(stack, {}, { pages: PAGES, users: USERS });
  const { baseline: base, roundTrip: rtt, serverTiming: own } = run;
  bench('page_path.baseline_healthz.p50', percentile(base, 50), 'ms');
  bench('page_path.baseline_healthz.p99', percentile(base, 99), 'ms');
  bench('page_path.post_to_202.p50', percentile(rtt, 50), 'ms');
  bench('page_path.post_to_202.p99', percentile(rtt, 99), 'ms');
  bench('page_path.post_to_202.max', rtt[rtt.length - 1]!, 'ms');
  bench('page_path.server_added.p50', serverAdded(run, 50), 'ms');
  bench('page_path.server_added.p99', serverAdded(run, 99), 'ms');
  bench('page_path.server_timing.p50', percentile(own, 50), 'ms');
  bench('page_path.server_timing.p99', percentile(own, 99), 'ms');
  bench('page_path.throughput_sequential', Math.round(PAGES / run.pagesSeconds), 'pages/s');
  // Accepting, delivering and following each page, all threads of the server process.
  bench('page_path.server_cpu_per_page', run.serverCpuMsPerPage, 'ms');
  bench('page_path.server_cpu_busy', (run.serverCpuMsPerPage * PAGES) / 10 / run.pagesSeconds, '%');
  bench('page_path.load_generator_loop_delay.max', run.loadGeneratorLoopDelayMaxMs, 'ms');
  if (serverAdded(run, 99) >= 20)
    console.log(`# page path: server-added p99 ${serverAdded(run, 99).toFixed(2)} ms is above the 20 ms target`);
  if (process.env.KLAXON_BENCH_TAIL)
    console.log(
      `# slowest round trips (client/server ms): ${[...run.pages]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 15)
        .map((t) => `${t.ms.toFixed(1)}/${t.serverMs?.toFixed(1)}`)
        .join(' ')}`,
    );
} finally {
  await stack.close();
}

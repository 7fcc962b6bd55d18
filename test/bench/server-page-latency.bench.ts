// Benchmark 3: server-added latency of `POST /api/v1/pages` until 202 (token check, validation,
// rate limit, durable SQLite write + audit entry in one transaction) over 1 000 pages, against a
// server child process on loopback, with delivery to On-Call running alongside as in production.
// Baseline in the same run: `GET /healthz` round trips (the loopback + HTTP cost every request
// pays), so `server_added` = page round trip − baseline median. The timed client runs in its own
// process (page-load-generator.ts); `server_timing` is the server's own figure for each request.
import { fork } from 'node:child_process';
import path from 'node:path';
import { startStack, spawnServer } from '../support/server-stack.js';
import { bench, percentile, processCpuSeconds } from './server-bench-kit.js';
import type { LoadJob, LoadResult } from './page-load-generator.js';

const PAGES = 1000;
const USERS = 20;

const stack = await startStack({ sim: { rateLimit: false } });
const server = await spawnServer(stack, {
  pageRateLimit: { max: 1000, windowSeconds: 600 },
  delivery: { concurrency: 4 },
});
try {
  const tokens = await Promise.all(
    Array.from({ length: USERS }, (_, i) =>
      stack.idp.mintAccessToken(
        { sub: `bench-${i}`, name: `Bench User ${i}`, email: `bench-${i}@klaxon.test`, groups: ['staff'] },
        { expiresInSeconds: 3600 },
      ),
    ),
  );
  const generator = fork(path.join(import.meta.dirname, 'page-load-generator.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let cpuAtStart = 0;
  const result = await new Promise<LoadResult>((resolve, reject) => {
    generator.on('message', (m: LoadResult | { phase: 'pages' }) => {
      if ('phase' in m) cpuAtStart = processCpuSeconds(server.child.pid!);
      else resolve(m);
    });
    generator.once('exit', (code) => reject(new Error(`the load generator exited with ${code}`)));
    generator.send({ url: server.url, tokens, pages: PAGES } satisfies LoadJob);
  });

  const serverCpuMsPerPage = ((processCpuSeconds(server.child.pid!) - cpuAtStart) * 1000) / PAGES;
  const sorted = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  const base = sorted(result.baseline.map((t) => t.ms));
  const rtt = sorted(result.pages.map((t) => t.ms));
  const own = sorted(result.pages.map((t) => t.serverMs));
  const base50 = percentile(base, 50);
  bench('page_path.baseline_healthz.p50', percentile(base, 50), 'ms');
  bench('page_path.baseline_healthz.p99', percentile(base, 99), 'ms');
  bench('page_path.post_to_202.p50', percentile(rtt, 50), 'ms');
  bench('page_path.post_to_202.p99', percentile(rtt, 99), 'ms');
  bench('page_path.post_to_202.max', rtt[rtt.length - 1]!, 'ms');
  bench('page_path.server_added.p50', percentile(rtt, 50) - base50, 'ms');
  bench('page_path.server_added.p99', percentile(rtt, 99) - base50, 'ms');
  bench('page_path.server_timing.p50', percentile(own, 50), 'ms');
  bench('page_path.server_timing.p99', percentile(own, 99), 'ms');
  bench('page_path.throughput_sequential', Math.round(PAGES / result.pagesSeconds), 'pages/s');
  // Accepting, delivering and following each page, all threads of the server process.
  bench('page_path.server_cpu_per_page', serverCpuMsPerPage, 'ms');
  bench('page_path.server_cpu_busy', (serverCpuMsPerPage * PAGES) / 10 / result.pagesSeconds, '%');
  bench('page_path.load_generator_loop_delay.max', result.loopDelayMaxMs, 'ms');
  if (percentile(rtt, 99) - base50 >= 20)
    console.log(
      `# page path: server-added p99 ${(percentile(rtt, 99) - base50).toFixed(2)} ms is above the 20 ms target`,
    );
  if (process.env.KLAXON_BENCH_TAIL)
    console.log(
      `# slowest round trips (client/server ms): ${[...result.pages]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 15)
        .map((t) => `${t.ms.toFixed(1)}/${t.serverMs?.toFixed(1)}`)
        .join(' ')}`,
    );
} finally {
  await server.kill('SIGTERM');
  await stack.close();
}

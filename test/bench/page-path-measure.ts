/**
 * One measurement of the page path (`POST /api/v1/pages` until 202) against a Klaxon server child
 * process on loopback, with delivery to On-Call running alongside as in production: the server
 * started with `extra` on top of the stack's configuration, the timed client in its own process
 * (page-load-generator.ts), `GET /healthz` round trips as the baseline every request pays.
 * Used by `server-page-latency.bench.ts` (SQLite) and `server-page-latency-postgres.bench.ts`.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import type { ServerConfigOverrides } from '#server/index.js';
import { spawnServer, type Stack } from '../support/server-stack.js';
import { percentile, processCpuSeconds } from './server-bench-kit.js';
import type { LoadJob, LoadResult, Timed } from './page-load-generator.js';

export interface PagePathRun {
  /** Sorted round trips (ms): `GET /healthz`, `POST /api/v1/pages`, and the server's own time per page. */
  baseline: number[];
  roundTrip: number[];
  serverTiming: number[];
  /** Each page's round trip and server time, in the order sent. */
  pages: Timed[];
  pagesSeconds: number;
  serverCpuMsPerPage: number;
  loadGeneratorLoopDelayMaxMs: number;
}

const sorted = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null).sort((a, b) => a - b);

export async function measurePagePath(
  stack: Stack,
  extra: ServerConfigOverrides,
  opts: { pages: number; users: number },
): Promise<PagePathRun> {
  const server = await spawnServer(stack, {
    pageRateLimit: { max: 1000, windowSeconds: 600 },
    delivery: { concurrency: 4 },
    ...extra,
  });
  try {
    const tokens = await Promise.all(
      Array.from({ length: opts.users }, (_, i) =>
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
      generator.send({ url: server.url, tokens, pages: opts.pages } satisfies LoadJob);
    });
    return {
      baseline: sorted(result.baseline.map((t) => t.ms)),
      roundTrip: sorted(result.pages.map((t) => t.ms)),
      serverTiming: sorted(result.pages.map((t) => t.serverMs)),
      pages: result.pages,
      pagesSeconds: result.pagesSeconds,
      serverCpuMsPerPage: ((processCpuSeconds(server.child.pid!) - cpuAtStart) * 1000) / opts.pages,
      loadGeneratorLoopDelayMaxMs: result.loopDelayMaxMs,
    };
  } finally {
    await server.kill('SIGTERM');
  }
}

/** Server-added latency at percentile `p`: the page round trip minus the median baseline round trip. */
export const serverAdded = (run: PagePathRun, p: number): number =>
  percentile(run.roundTrip, p) - percentile(run.baseline, 50);

/**
 * The load generator of the page-path benchmark (`server-page-latency.bench.ts`), run as a child
 * process so that nothing else holds up the event loop that times the requests: the identity
 * provider and the On-Call simulator live in the benchmark's own process, and serving a list of a
 * thousand incidents there takes tens of milliseconds. Requests are sequential over one
 * keep-alive connection with raw `node:http` (fetch costs the client about half a millisecond of
 * CPU and garbage per request, which would be timed too). Gets one job over IPC, answers once.
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoadJob {
  url: string;
  /** Access tokens; page i is sent with token i % length. */
  tokens: string[];
  pages: number;
}

export interface Timed {
  /** Round trip seen by the client. */
  ms: number;
  /** The server's own time (its Server-Timing `app` entry), when it sent one. */
  serverMs: number | null;
}

export interface LoadResult {
  baseline: Timed[];
  pages: Timed[];
  pagesSeconds: number;
  /** Event-loop delay of this process while it timed the pages (shows the timer was not held up). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function timed(
  url: string,
  method: 'GET' | 'POST',
  expect: number,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Timed> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const ms = performance.now() - t0;
          if (res.statusCode !== expect)
            return reject(new Error(`${method} ${url}: expected ${expect}, got ${res.statusCode}`));
          const m = /\bdur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''));
          resolve({ ms, serverMs: m ? Number(m[1]) : null });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(job: LoadJob): Promise<LoadResult> {
  const healthz = () => timed(`${job.url}/healthz`, 'GET', 200);
  const page = (i: number) =>
    timed(
      `${job.url}/api/v1/pages`,
      'POST',
      202,
      {
        authorization: `Bearer ${job.tokens[i % job.tokens.length]}`,
        'content-type': 'application/json',
        'x-klaxon-client': 'desktop',
      },
      JSON.stringify({
        summary: `Bench page ${i}`,
        details: 'Latency benchmark page.\nSecond line.',
        idempotencyKey: `bench-${crypto.randomUUID()}`,
      }),
    );
  // Warm up the connection, the server's JWKS cache and SQLite.
  for (let i = 0; i < 50; i++) await healthz();
  for (let i = 0; i < 20; i++) await page(i);

  const baseline: Timed[] = [];
  for (let i = 0; i < job.pages; i++) baseline.push(await healthz());

  await new Promise<void>((resolve) => process.send!({ phase: 'pages' }, undefined, {}, () => resolve()));
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  const pages: Timed[] = [];
  const t0 = performance.now();
  for (let i = 0; i < job.pages; i++) pages.push(await page(i));
  const pagesSeconds = (performance.now() - t0) / 1000;
  eld.disable();
  agent.destroy();
  return { baseline, pages, pagesSeconds, loopDelayP99Ms: eld.percentile(99) / 1e6, loopDelayMaxMs: eld.max / 1e6 };
}

// Before the timed pages it sends `{ phase: 'pages' }` (so the parent can read the server's CPU).
process.once('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send!(result, undefined, {}, () => process.exit(0)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
});

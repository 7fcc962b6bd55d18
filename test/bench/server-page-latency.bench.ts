// Benchmark 3: server-added latency of `POST /api/v1/pages` until 202 (token check, validation,
// rate limit, durable SQLite write + audit entry in one transaction) over 1 000 pages, against a
// server child process on loopback. Baseline in the same run: `GET /healthz` round trips (the
// loopback + HTTP cost every request pays), so `server_added` = page latency − baseline median.
import { randomUUID } from 'node:crypto';
import { startStack, spawnServer } from '../integration/server/core-stack.js';

const PAGES = 1000;
const USERS = 20;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const fmt = (ms: number) => ms.toFixed(2);

const stack = await startStack({ sim: { rateLimit: false } });
const server = await spawnServer(stack, { pageRateLimit: { max: 1000, windowSeconds: 600 }, delivery: { concurrency: 4 } });
try {
  const tokens = await Promise.all(
    Array.from({ length: USERS }, (_, i) =>
      stack.idp.mintAccessToken({ sub: `bench-${i}`, name: `Bench User ${i}`, email: `bench-${i}@klaxon.test`, groups: ['staff'] }, { expiresInSeconds: 3600 }),
    ),
  );
  const time = async (fn: () => Promise<Response>, expect: number) => {
    const t0 = performance.now();
    const res = await fn();
    await res.arrayBuffer();
    const ms = performance.now() - t0;
    if (res.status !== expect) throw new Error(`expected ${expect}, got ${res.status}`);
    return ms;
  };
  // Warm up connections, the JWKS cache and SQLite.
  for (let i = 0; i < 50; i++) await time(() => fetch(`${server.url}/healthz`), 200);
  const post = (i: number) =>
    fetch(`${server.url}/api/v1/pages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[i % USERS]}`, 'content-type': 'application/json', 'x-klaxon-client': 'desktop' },
      body: JSON.stringify({ summary: `Bench page ${i}`, details: 'Latency benchmark page.\nSecond line.', idempotencyKey: `bench-${randomUUID()}` }),
    });
  for (let i = 0; i < 20; i++) await time(() => post(i), 202);

  const baseline: number[] = [];
  for (let i = 0; i < PAGES; i++) baseline.push(await time(() => fetch(`${server.url}/healthz`), 200));
  // Delivery runs alongside, as in production: each page is also sent to On-Call and tracked.
  const pages: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < PAGES; i++) pages.push(await time(() => post(i), 202));
  const totalS = (performance.now() - t0) / 1000;

  const base50 = pct(baseline, 50);
  console.log(`BENCH page_path.baseline_healthz.p50 ${fmt(base50)} ms`);
  console.log(`BENCH page_path.baseline_healthz.p99 ${fmt(pct(baseline, 99))} ms`);
  console.log(`BENCH page_path.post_to_202.p50 ${fmt(pct(pages, 50))} ms`);
  console.log(`BENCH page_path.post_to_202.p99 ${fmt(pct(pages, 99))} ms`);
  console.log(`BENCH page_path.post_to_202.max ${fmt(Math.max(...pages))} ms`);
  console.log(`BENCH page_path.server_added.p50 ${fmt(pct(pages, 50) - base50)} ms`);
  console.log(`BENCH page_path.server_added.p99 ${fmt(pct(pages, 99) - base50)} ms`);
  console.log(`BENCH page_path.throughput_sequential ${(PAGES / totalS).toFixed(0)} pages/s`);
  if (pct(pages, 99) >= 20) console.log(`# page path p99 ${fmt(pct(pages, 99))} ms is above the 20 ms target`);
} finally {
  await server.kill('SIGTERM');
  await stack.close();
}

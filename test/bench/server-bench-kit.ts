/**
 * Shared machinery of the server benchmarks (`server-fanout.bench.ts`, `server-upstream.bench.ts`):
 * the real identity provider and On-Call simulator in this process, the real Klaxon server
 * (`server/main.ts`) in a child process so its RSS and CPU can be read from /proc, and SSE clients
 * in two further child processes (raw `node:http`, not EventSource) so 10 000 sockets fit the
 * 20 000 file-descriptor limit per process. Run as a child with KLAXON_BENCH_ROLE=clients.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServerProcess } from '../support/server-process.js';

const SELF = fileURLToPath(import.meta.url);

export const bench = (name: string, value: number, unit: string): void => {
  console.log(`BENCH ${name} ${Number.isInteger(value) ? value : value.toFixed(value < 10 ? 2 : 1)} ${unit}`);
};

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

// ---------------------------------------------------------------- the server under test

export interface ServerUnderTest {
  url: string;
  pid: number;
  /** Resident set size in MB, from /proc. */
  rssMb(): number;
  /** CPU seconds (user + system) used so far, from /proc. */
  cpuSeconds(): number;
  close(): Promise<void>;
}

const CLK_TCK = 100; // Linux USER_HZ

/** The `oncall` config block pointing a server at a simulator (the benchmark adds its own poll settings). */
export function oncallConfigFor(sim: {
  url: string;
  restEndpointBaseUrl: string;
  apiId: string;
  apiKey: string;
  restEndpointKey: string;
  orgSlug: string;
}) {
  return {
    apiBaseUrl: sim.url,
    restEndpointBaseUrl: sim.restEndpointBaseUrl,
    apiId: sim.apiId,
    apiKey: sim.apiKey,
    restEndpointKey: sim.restEndpointKey,
    orgSlug: sim.orgSlug,
  };
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

export async function spawnKlaxonServer(config: object): Promise<ServerUnderTest> {
  const dir = mkdtempSync(path.join(tmpdir(), 'klaxon-bench-'));
  const file = path.join(dir, 'server.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...config,
      storage: { sqlitePath: path.join(dir, 'klaxon.db') },
      webUi: { dir: path.join(dir, 'no-ui') },
    }),
  );
  const { url, child } = await spawnServerProcess(file, 60_000);
  const pid = child.pid!;
  return {
    url,
    pid,
    rssMb() {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : NaN;
    },
    cpuSeconds: () => processCpuSeconds(pid),
    async close() {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- client processes (parent side)

type ToChild =
  | { cmd: 'connect'; url: string; token: string; count: number; concurrency: number }
  | { cmd: 'arrivals' }
  | {
      cmd: 'poll-direct';
      url: string;
      apiId: string;
      apiKey: string;
      count: number;
      intervalMs: number;
      durationMs: number;
    }
  | { cmd: 'close' };
type FromChild =
  | { ok: 'connected'; connected: number; failed: number; ms: number }
  | { ok: 'arrivals'; arrivals: Record<string, number[]>; open: number }
  | { ok: 'polled'; requests: number; statuses: Record<string, number> }
  | { ok: 'closed' };

export class ClientFleet {
  private readonly children: ChildProcess[] = [];
  constructor(processes = 2) {
    for (let i = 0; i < processes; i++) {
      this.children.push(
        fork(SELF, [], {
          execArgv: ['--import', 'tsx'],
          env: { ...process.env, KLAXON_BENCH_ROLE: 'clients' },
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        }),
      );
    }
  }

  private ask<T extends FromChild>(child: ChildProcess, msg: ToChild): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMsg = (m: FromChild) => {
        child.off('exit', onExit);
        resolve(m as T);
      };
      const onExit = (code: number | null) => reject(new Error(`client process exited (${code})`));
      child.once('message', onMsg);
      child.once('exit', onExit);
      child.send(msg);
    });
  }

  private split(n: number): number[] {
    const k = this.children.length;
    return this.children.map((_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
  }

  /** Opens `n` SSE streams spread over the processes; resolves once each has its snapshot. */
  async connect(url: string, token: string, n: number): Promise<{ connected: number; failed: number; ms: number }> {
    const parts = this.split(n);
    const res = await Promise.all(
      this.children.map((c, i) =>
        this.ask<Extract<FromChild, { ok: 'connected' }>>(c, {
          cmd: 'connect',
          url,
          token,
          count: parts[i]!,
          concurrency: 250,
        }),
      ),
    );
    return {
      connected: res.reduce((s, r) => s + r.connected, 0),
      failed: res.reduce((s, r) => s + r.failed, 0),
      ms: Math.max(...res.map((r) => r.ms)),
    };
  }

  /** First arrival time (epoch ms) of each marker, per client, from every process. */
  async arrivals(): Promise<{ arrivals: Record<string, number[]>; open: number }> {
    const res = await Promise.all(
      this.children.map((c) => this.ask<Extract<FromChild, { ok: 'arrivals' }>>(c, { cmd: 'arrivals' })),
    );
    const arrivals: Record<string, number[]> = {};
    for (const r of res) for (const [k, v] of Object.entries(r.arrivals)) (arrivals[k] ??= []).push(...v);
    return { arrivals, open: res.reduce((s, r) => s + r.open, 0) };
  }

  /** Baseline: `count` tray apps each polling On-Call directly every interval, with the org's key. */
  async pollDirect(a: {
    url: string;
    apiId: string;
    apiKey: string;
    count: number;
    intervalMs: number;
    durationMs: number;
  }) {
    const parts = this.split(a.count);
    const res = await Promise.all(
      this.children.map((c, i) =>
        this.ask<Extract<FromChild, { ok: 'polled' }>>(c, { cmd: 'poll-direct', ...a, count: parts[i]! }),
      ),
    );
    const statuses: Record<string, number> = {};
    for (const r of res) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
    return { requests: res.reduce((s, r) => s + r.requests, 0), statuses };
  }

  /** Closes every stream (the processes stay for the next round). */
  async disconnect(): Promise<void> {
    await Promise.all(this.children.map((c) => this.ask(c, { cmd: 'close' })));
  }

  kill(): void {
    for (const c of this.children) c.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------- client processes (child side)

function runClientProcess(): void {
  const streams = new Set<http.ClientRequest>();
  /** marker → arrival time per stream index (0 = not yet). */
  let arrivals = new Map<string, number[]>();
  let total = 0;
  const MARKER = /bench-r(\d+)/g;

  const open = (url: string, token: string, index: number): Promise<boolean> =>
    new Promise((resolve) => {
      let settled = false;
      const done = (ok: boolean) => {
        if (!settled) {
          settled = true;
          resolve(ok);
        }
      };
      const req = http.get(
        `${url}/api/v1/events`,
        {
          agent: false,
          headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', 'x-klaxon-client': 'desktop' },
        },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            done(false);
            return;
          }
          res.setEncoding('utf8');
          let tail = '';
          res.on('data', (chunk: string) => {
            const now = Date.now();
            const text = tail + chunk;
            if (!settled && text.includes('event: snapshot')) done(true);
            for (const m of text.matchAll(MARKER)) {
              let list = arrivals.get(m[1]!);
              if (!list) arrivals.set(m[1]!, (list = []));
              if (!list[index]) list[index] = now;
            }
            tail = text.slice(-32);
          });
          res.on('close', () => {
            streams.delete(req);
            done(false);
          });
        },
      );
      req.on('error', () => {
        streams.delete(req);
        done(false);
      });
      streams.add(req);
    });

  process.on('message', async (msg: ToChild) => {
    const reply = (m: FromChild) => process.send!(m);
    if (msg.cmd === 'connect') {
      const t0 = Date.now();
      let connected = 0;
      let failed = 0;
      let next = 0;
      const base = total;
      total += msg.count;
      const worker = async () => {
        while (next < msg.count) {
          const i = next++;
          if (await open(msg.url, msg.token, base + i)) connected++;
          else failed++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(msg.concurrency, msg.count) }, worker));
      reply({ ok: 'connected', connected, failed, ms: Date.now() - t0 });
    } else if (msg.cmd === 'arrivals') {
      const out: Record<string, number[]> = {};
      for (const [k, v] of arrivals) out[k] = Array.from({ length: total }, (_, i) => v[i] ?? 0);
      reply({ ok: 'arrivals', arrivals: out, open: streams.size });
    } else if (msg.cmd === 'poll-direct') {
      const statuses: Record<string, number> = {};
      let requests = 0;
      const end = Date.now() + msg.durationMs;
      const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
      const one = () =>
        new Promise<void>((resolve) => {
          requests++;
          const req = http.get(
            `${msg.url}/api-public/v1/incidents`,
            {
              agent,
              headers: { 'X-VO-Api-Id': msg.apiId, 'X-VO-Api-Key': msg.apiKey, accept: 'application/json' },
              timeout: 10_000,
            },
            (res) => {
              statuses[String(res.statusCode)] = (statuses[String(res.statusCode)] ?? 0) + 1;
              res.resume();
              res.on('end', () => resolve());
            },
          );
          req.on('timeout', () => req.destroy());
          req.on('error', () => {
            statuses.error = (statuses.error ?? 0) + 1;
            resolve();
          });
        });
      // Each tray app starts at a random moment in the interval and then polls every interval.
      const pending: Promise<void>[] = [];
      await new Promise<void>((resolve) => {
        let live = msg.count;
        for (let i = 0; i < msg.count; i++) {
          const tick = () => {
            if (Date.now() >= end) {
              if (--live === 0) resolve();
              return;
            }
            pending.push(one());
            setTimeout(tick, msg.intervalMs);
          };
          setTimeout(tick, Math.random() * msg.intervalMs);
        }
        if (msg.count === 0) resolve();
      });
      await Promise.all(pending);
      agent.destroy();
      reply({ ok: 'polled', requests, statuses });
    } else if (msg.cmd === 'close') {
      for (const r of streams) r.destroy();
      streams.clear();
      arrivals = new Map();
      total = 0;
      reply({ ok: 'closed' });
    }
  });
}

if (process.env.KLAXON_BENCH_ROLE === 'clients' && process.argv[1] && path.resolve(process.argv[1]) === SELF)
  runClientProcess();

// Several Klaxon servers (child processes running server/main.ts) on one PostgreSQL database behind
// HAProxy, for the replica tests and benchmarks. Each replica keeps its port across kills and
// restarts, as a server under a process supervisor would.
import type { ServerConfigOverrides } from '#server/index.js';
import { freePort, startHaproxy, type LoadBalancer } from './haproxy.js';
import { spawnServer, type Stack } from './server-stack.js';

export interface Replica {
  name: string;
  port: number;
  /** This replica's own address (not through the load balancer). */
  url: string;
  /** Its process id while it runs, else null. */
  pid(): number | null;
  kill(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
}

export interface ClusterView {
  self: string;
  role: 'leader' | 'follower';
  leader: string | null;
  epoch: number | null;
  journal: { seq: number; listening: boolean };
}

export interface ReplicaSet {
  lb: LoadBalancer;
  replicas: Replica[];
  /** The running replica that says it leads, with what it says; null if none does right now. */
  leader(): Promise<{ replica: Replica; view: ClusterView } | null>;
  /** Waits until a running replica (not `not`) leads; resolves with it and when that was seen. */
  waitForLeader(opts?: { not?: Replica; timeoutMs?: number }): Promise<{ replica: Replica; view: ClusterView }>;
  close(): Promise<void>;
}

export async function clusterView(replica: Replica): Promise<ClusterView | null> {
  if (replica.pid() === null) return null;
  try {
    // A stalled replica (SIGSTOP) accepts the connection but never answers.
    const r = await fetch(`${replica.url}/readyz`, { signal: AbortSignal.timeout(1000) });
    return (((await r.json()) as { cluster?: ClusterView }).cluster ?? null) as ClusterView | null;
  } catch {
    return null;
  }
}

export async function startReplicaSet(
  stack: Stack,
  opts: { postgresUrl: string; count?: number; extra?: ServerConfigOverrides; maxconn?: number },
): Promise<ReplicaSet> {
  const count = opts.count ?? 3;
  const ports: number[] = [];
  while (ports.length < count) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  const replicas: Replica[] = ports.map((port, i) => {
    let running: Awaited<ReturnType<typeof spawnServer>> | null = null;
    const r: Replica = {
      name: `r${i + 1}`,
      port,
      url: `http://127.0.0.1:${port}`,
      pid: () =>
        running && running.child.exitCode === null && running.child.signalCode === null ? running.child.pid! : null,
      async kill(signal: NodeJS.Signals = 'SIGKILL') {
        const x = running;
        running = null;
        await x?.kill(signal);
      },
      async start() {
        const extra = opts.extra ?? {};
        const mine = await spawnServer(stack, {
          ...extra,
          listen: { host: '127.0.0.1', port },
          storage: { ...extra.storage, postgresUrl: opts.postgresUrl },
        });
        running = mine;
        // A replica that exits without being told to is a finding: say why.
        let tail = '';
        mine.child.stderr?.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-2000)));
        mine.child.once('exit', (code, signal) => {
          if (running === mine) console.error(`replica ${r.name} exited by itself (${code ?? signal}): ${tail}`);
        });
      },
    };
    return r;
  });
  const lb = await startHaproxy(
    replicas.map((r) => ({ name: r.name, port: r.port })),
    { maxconn: opts.maxconn ?? 2000 },
  );
  try {
    // One after the other: the first migrates, the others find the schema in place.
    for (const r of replicas) await r.start();
  } catch (e) {
    await Promise.allSettled(replicas.map((r) => r.kill()));
    await lb.close();
    throw e;
  }

  const leader = async () => {
    for (const replica of replicas) {
      const view = await clusterView(replica);
      if (view?.role === 'leader') return { replica, view };
    }
    return null;
  };
  return {
    lb,
    replicas,
    leader,
    async waitForLeader({ not, timeoutMs = 15_000 } = {}) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const l = await leader();
        if (l && l.replica !== not) return l;
        if (Date.now() > end)
          throw new Error(`no replica${not ? ` other than ${not.name}` : ''} leads after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await Promise.allSettled(replicas.map((r) => r.kill('SIGTERM')));
      await lb.close();
    },
  };
}

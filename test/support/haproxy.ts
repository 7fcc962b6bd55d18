// A real load balancer in front of several Klaxon servers, for the replica tests and benchmarks:
// Debian's HAProxy with a config generated into a temp dir, listening on a free loopback port,
// health-checking each server's /readyz. It runs in the foreground as a child of the test, so it
// goes when the test goes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Why the load-balanced tests cannot run, and how to make them run. */
export const HAPROXY_MISSING =
  'HAProxy is not installed here (no haproxy on the PATH, in /usr/sbin or through KLAXON_HAPROXY). The replica tests run three Klaxon servers behind it: on Debian or Ubuntu run `sudo apt-get install haproxy` (no service has to run: the tests start their own), elsewhere install HAProxy 2.x and set KLAXON_HAPROXY to its binary. `.ci/run` installs it.';

export function haproxyBinary(): string {
  const fromEnv = process.env.KLAXON_HAPROXY;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`KLAXON_HAPROXY="${fromEnv}" does not exist. ${HAPROXY_MISSING}`);
  }
  const which = spawnSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  if (existsSync('/usr/sbin/haproxy')) return '/usr/sbin/haproxy';
  throw new Error(HAPROXY_MISSING);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface LoadBalancer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The settings an SSE-serving Klaxon needs from a load balancer (docs/high-availability.md shows
 * the same): long client/server/tunnel timeouts so quiet streams (a heartbeat every 15 s) are not
 * cut, no buffering (HAProxy does not buffer responses), health checks on /readyz every 500 ms so a
 * dead replica leaves within two seconds, sessions to a server marked down are shut so its clients
 * reconnect at once, and a request that finds a dead server is sent to another one.
 */
export function haproxyConfig(port: number, servers: { name: string; port: number }[], maxconn: number): string {
  return `global
  maxconn ${maxconn}

defaults
  mode http
  option httplog
  timeout connect 1s
  timeout client 1h
  timeout server 1h
  timeout tunnel 1h
  timeout http-request 10s
  # A replica busy with a burst (two shared cores here) may answer a check slowly: that is not down.
  timeout check 2s
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response response-timeout

frontend klaxon
  bind 127.0.0.1:${port}
  maxconn ${maxconn}
  default_backend replicas

backend replicas
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 500ms fastinter 250ms downinter 500ms fall 3 rise 2 on-marked-down shutdown-sessions maxconn ${maxconn}
${servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check`).join('\n')}
`;
}

/** Starts HAProxy on a free loopback port in front of `servers` (which need not be up yet). */
export async function startHaproxy(
  servers: { name: string; port: number }[],
  opts: { maxconn?: number } = {},
): Promise<LoadBalancer> {
  const bin = haproxyBinary();
  const dir = mkdtempSync(path.join(tmpdir(), 'klaxon-haproxy-'));
  const port = await freePort();
  const file = path.join(dir, 'haproxy.cfg');
  writeFileSync(file, haproxyConfig(port, servers, opts.maxconn ?? 2000));
  const check = spawnSync(bin, ['-c', '-q', '-f', file], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy refused its generated config: ${check.stderr || check.stdout}`);
  const child: ChildProcess = spawn(bin, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  // Listening once a connection to the port succeeds.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`haproxy did not start (exit ${child.exitCode}): ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async close() {
      process.off('exit', killOnExit);
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a temp dir, the server on a
// free loopback port with its unix socket in that dir, `trust` authentication (pg_hba.conf as initdb
// writes it: loopback addresses and the socket only), a fresh database per suite, stopped and deleted
// on close. Nothing touches a system PostgreSQL service.
//
// initdb and postgres refuse to run as root. Run as root (CI machines, containers), the cluster runs
// as the `nobody` user, which every Debian system has: the temp dir is handed to it, and the binaries
// are started with its uid and gid (Node's spawn does setgid/setuid). Run as anyone else, it runs as
// that user. So the same code works on a fresh machine either way, with no user to create.
import { execFile, spawnSync, type ExecFileOptions } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** Why the PostgreSQL half of the tests cannot run, and how to make it run. */
export const POSTGRES_MISSING =
  'PostgreSQL is not installed here (no initdb found through KLAXON_PG_BINDIR, `pg_config --bindir` or /usr/lib/postgresql/*/bin). ' +
  'The PostgreSQL store tests need its server binaries: on Debian or Ubuntu run `sudo apt-get install postgresql` (no service has to run: the tests start their own throwaway cluster), elsewhere install PostgreSQL 13 or newer and set KLAXON_PG_BINDIR to the folder holding initdb and pg_ctl. `.ci/run` installs it.';

/** The folder with initdb, pg_ctl and postgres; throws POSTGRES_MISSING when there is none. */
export function postgresBinDir(): string {
  const has = (dir: string) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'));
  const fromEnv = process.env.KLAXON_PG_BINDIR;
  if (fromEnv) {
    if (has(fromEnv)) return fromEnv;
    throw new Error(`KLAXON_PG_BINDIR="${fromEnv}" holds no initdb and pg_ctl. ${POSTGRES_MISSING}`);
  }
  // pg_config may come from libpq-dev without the server, so its answer counts only if initdb is there.
  const config = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const fromConfig = config.status === 0 ? config.stdout.trim() : '';
  if (fromConfig && has(fromConfig)) return fromConfig;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => has(path.join(root, v, 'bin')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(root, versions[0], 'bin');
  throw new Error(POSTGRES_MISSING);
}

/** uid and gid of `nobody` when this process is root (initdb refuses root), else null: run as ourselves. */
function unprivilegedUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid)
    throw new Error('Running as root, the test cluster runs as "nobody", but /etc/passwd has no such user.');
  return { uid: Number(uid), gid: Number(gid) };
}

/** A loopback port nothing listens on (at the time of asking). */
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

export interface PostgresCluster {
  readonly port: number;
  /** `postgresql://postgres@127.0.0.1:<port>/<database>` */
  url(database: string): string;
  /** Creates a new empty database (named after `prefix`) and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stops the server (fast shutdown: every connection is cut), as a database outage does. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same data. */
  start(): Promise<void>;
  /** Stops the server and deletes its files. */
  close(): Promise<void>;
}

let databases = 0;

/**
 * Starts a throwaway cluster. `durable: false` (tests) turns fsync off, which makes commits cheap;
 * `durable: true` (benchmarks) keeps PostgreSQL's defaults, so a commit costs what it does in production.
 */
export async function startPostgres(opts: { durable?: boolean } = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const user = unprivilegedUser();
  const dir = mkdtempSync(path.join(tmpdir(), 'klaxon-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgres.log');
  const execOpts: ExecFileOptions = { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } };
  if (user) Object.assign(execOpts, user);
  const run = (tool: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      execFile(path.join(bin, tool), args, execOpts, (err, _out, stderr) => {
        if (!err) return resolve();
        const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-8).join('\n') : '';
        reject(new Error(`${tool} ${args.join(' ')} failed: ${String(stderr).trim() || err.message}\n${tail}`));
      });
    });
  const pgCtl = (...args: string[]) => run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', ...args]);

  let port = 0;
  let running = false;
  const exitHandler = () => {
    // The server is a daemon: a test process that dies without close() must not leave it running.
    if (running) spawnSync(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], execOpts as object);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync']);
    const settings = [
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'max_connections = 100',
      ...(opts.durable ? [] : ['fsync = off', 'full_page_writes = off']),
    ];
    appendFileSync(path.join(data, 'postgresql.conf'), `\n${settings.join('\n')}\n`);
    // A port found free can be taken before the server binds it: try a few.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await pgCtl('-o', `-p ${port}`, 'start');
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
    running = true;
    process.once('exit', exitHandler);
  } catch (e) {
    exitHandler();
    throw e;
  }

  const url = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(prefix = 'klaxon') {
      const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${process.pid}_${++databases}`;
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      await pgCtl('-m', 'fast', 'stop');
      running = false;
    },
    async start() {
      await pgCtl('-o', `-p ${port}`, 'start');
      running = true;
    },
    async close() {
      process.off('exit', exitHandler);
      if (running) await pgCtl('-m', 'immediate', 'stop').catch(() => undefined);
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A suite's cluster, started on first use and shared by its tests: call `get()` from `beforeEach`
 * (never `beforeAll`) and `close()` from `afterAll`. Where PostgreSQL is missing, every test then
 * fails with POSTGRES_MISSING, instead of being reported as skipped behind one failed hook.
 */
export function postgresForSuite(opts: { durable?: boolean } = {}): {
  get(): Promise<PostgresCluster>;
  close(): Promise<void>;
} {
  let started: Promise<PostgresCluster> | null = null;
  return {
    get: () => (started ??= startPostgres(opts)),
    async close() {
      const cluster = await started?.catch(() => null);
      await cluster?.close();
    },
  };
}

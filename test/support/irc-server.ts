// A real IRC server for tests: Debian's ngIRCd (`/usr/sbin/ngircd`, installed by .ci/run), started
// in the foreground with a generated configuration on a loopback port, plus a plain IRC client
// written on a socket (not the library Klaxon uses) that joins a channel and records what it reads.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const NGIRCD = process.env.KLAXON_NGIRCD_PATH ?? '/usr/sbin/ngircd';

export interface RunningIrcServer {
  host: string;
  port: number;
  /** The TLS port (a self-signed certificate for 127.0.0.1), when started with `tls: true`. */
  tlsPort: number | null;
  /** Stops the server (every client is disconnected). */
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop`). */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  close(): Promise<void>;
}

/** A free loopback port: ngIRCd needs a port number in its configuration. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Waits until something accepts connections on the port. */
async function waitForPort(port: number, timeoutMs: number, exited: () => string | null): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
      s.connect(port, '127.0.0.1');
    });
    if (ok) return;
    const why = exited();
    if (why) throw new Error(`ngircd stopped before it listened: ${why}`);
    if (Date.now() > end) throw new Error(`ngircd did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts ngIRCd on 127.0.0.1 and an ephemeral port, as the current user (or as `nobody` when
 * running as root: ngIRCd drops root itself, to ServerUID). No system service, no fixed port.
 * `channel` is predefined (so it exists before anyone joins).
 */
export async function startIrcServer(opts: { channel?: string; tls?: boolean } = {}): Promise<RunningIrcServer> {
  if (!existsSync(NGIRCD))
    throw new Error(
      `No IRC server at ${NGIRCD}: install Debian's ngircd (apt-get install ngircd; .ci/run does) or set KLAXON_NGIRCD_PATH.`,
    );
  const dir = mkdtempSync(path.join(tmpdir(), 'klaxon-ircd-'));
  chmodSync(dir, 0o755);
  const port = await freeLoopbackPort();
  const root = process.getuid?.() === 0;
  const tlsPort = opts.tls ? await freeLoopbackPort() : null;
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  if (opts.tls) {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'pipe' },
    );
    // ngIRCd reads its key after dropping root to nobody.
    chmodSync(key, 0o644);
  }
  const motd = path.join(dir, 'motd');
  writeFileSync(motd, 'Klaxon test IRC server\n');
  const conf = path.join(dir, 'ngircd.conf');
  writeFileSync(
    conf,
    [
      '[Global]',
      'Name = irc.klaxon.test',
      'Info = Klaxon test IRC server',
      'Listen = 127.0.0.1',
      `Ports = ${port}`,
      `MotdFile = ${motd}`,
      `PidFile = ${path.join(dir, 'ngircd.pid')}`,
      ...(root ? ['ServerUID = nobody', 'ServerGID = nogroup'] : []),
      '[Limits]',
      'MaxConnectionsIP = 0',
      'MaxNickLength = 30',
      'PingTimeout = 120',
      '[Options]',
      'PAM = no',
      'Ident = no',
      'DNS = no',
      'SyslogFacility = ',
      ...(tlsPort !== null ? ['[SSL]', `CertFile = ${cert}`, `KeyFile = ${key}`, `Ports = ${tlsPort}`] : []),
      '[Channel]',
      `Name = ${opts.channel ?? '#ops'}`,
      'Topic = Klaxon announcements',
      '',
    ].join('\n'),
  );
  // The configuration check fails fast with ngIRCd's own words if something is wrong.
  execFileSync(NGIRCD, ['--configtest', '-f', conf], { stdio: 'pipe' });

  let child: ChildProcess | null = null;
  let log = '';
  const start = async () => {
    log = '';
    let exit: string | null = null;
    const c = spawn(NGIRCD, ['--nodaemon', '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    c.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    c.once('exit', (code, signal) => (exit = `exit ${code ?? signal}; ${log}`));
    await waitForPort(port, 10_000, () => exit);
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  await start();
  return {
    host: '127.0.0.1',
    port,
    tlsPort,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface IrcMessage {
  from: string;
  target: string;
  text: string;
}

/**
 * A test IRC client on a plain socket: registers, joins `channel`, answers PINGs and records every
 * PRIVMSG it reads. `reconnect()` connects again (after the server restarted).
 */
export class IrcTestClient {
  readonly messages: IrcMessage[] = [];
  private socket: Socket | null = null;

  constructor(
    private readonly server: { host: string; port: number },
    private readonly channel: string,
    private readonly nick = `watcher${Math.floor(Math.random() * 1e6)}`,
  ) {}

  /** Connects and resolves once the channel is joined. */
  async connect(): Promise<void> {
    const socket = new Socket();
    this.socket = socket;
    let buf = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.nick} did not join ${this.channel} within 10 s`)),
        10_000,
      );
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.on('data', (d: Buffer) => {
        buf += d.toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).replace(/\r$/, '');
          buf = buf.slice(nl + 1);
          const m = /^(?::(\S+) )?(\S+)(?: (.*))?$/.exec(line);
          if (!m) continue;
          const [, prefix = '', command, rest = ''] = m;
          if (command === 'PING') socket.write(`PONG ${rest}\r\n`);
          else if (command === '001') socket.write(`JOIN ${this.channel}\r\n`);
          else if (command === 'JOIN' && prefix.startsWith(`${this.nick}!`)) {
            clearTimeout(timer);
            resolve();
          } else if (command === 'PRIVMSG') {
            const sp = rest.indexOf(' ');
            const target = rest.slice(0, sp);
            const text = rest.slice(sp + 1).replace(/^:/, '');
            this.messages.push({ from: prefix.split('!')[0]!, target, text });
          }
        }
      });
      socket.connect(this.server.port, this.server.host, () => {
        socket.write(`NICK ${this.nick}\r\nUSER ${this.nick} 0 * :Klaxon test watcher\r\n`);
      });
    });
    socket.on('error', () => {});
  }

  /** Messages said in the channel whose text contains `part`. */
  said(part: string): IrcMessage[] {
    return this.messages.filter((m) => m.target.toLowerCase() === this.channel.toLowerCase() && m.text.includes(part));
  }

  /** Says `text` in the channel. */
  say(text: string): void {
    this.socket?.write(`PRIVMSG ${this.channel} :${text}\r\n`);
  }

  async reconnect(): Promise<void> {
    this.socket?.destroy();
    await this.connect();
  }

  close(): void {
    this.socket?.end('QUIT :bye\r\n');
    this.socket?.destroy();
  }
}

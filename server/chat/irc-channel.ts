import { randomUUID } from 'node:crypto';
import IRC from 'irc-framework';
import { backoffDelayMs, type BackoffRule } from '#common/backoff.js';
import type { IrcChannelConfig } from '../config/index.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import type { Announcement } from '../store/store.js';
import type { ChatChannel, SendResult } from './chat-channel.js';

/** Reconnects to the IRC server: from 2 s up to 5 minutes, so a network outage is not hammered. */
const IRC_RECONNECT: BackoffRule = { baseMs: 2000, maxMs: 300_000, minMs: 1000 };

/**
 * Announces in one IRC channel over one connection (irc-framework), with TLS, SASL PLAIN and a
 * server password as configured. It reconnects by itself with common/backoff.ts (irc-framework's
 * own reconnect gives up after a few tries) and joins the channel again after a reconnect or a kick.
 *
 * IRC has no receipt for a message, so each message is followed by a PING: its PONG proves the
 * server read the message (one connection is read in order). A connection that breaks before the
 * PONG leaves the message's fate unknown, which the worker never resends (IRC cannot deduplicate).
 */
export class IrcChannel implements ChatChannel {
  readonly resendSafe = false;
  private client: IRC.Client | null = null;
  private joined = false;
  private stopped = false;
  private failures = 0;
  private retryTimer: unknown = null;
  private readonly pongs = new Map<string, () => void>();
  private readonly closed = new Set<() => void>();
  private readonly log: Logger;
  private readonly clock: Clock;

  constructor(
    private readonly config: IrcChannelConfig,
    opts: { logger?: Logger; clock?: Clock; onConnected?: (name: string, connected: boolean) => void } = {},
  ) {
    this.log = opts.logger ?? silentLogger;
    this.clock = opts.clock ?? systemClock;
    this.onConnected = opts.onConnected ?? (() => {});
  }

  private readonly onConnected: (name: string, connected: boolean) => void;

  get name(): string {
    return this.config.name;
  }

  ready(): boolean {
    return this.joined && this.client?.connected === true;
  }

  start(onReady: () => void): void {
    this.stopped = false;
    this.connect(onReady);
  }

  private connect(onReady: () => void): void {
    if (this.stopped) return;
    const c = this.config;
    const client = new IRC.Client();
    this.client = client;
    const where = { channel: c.name, host: c.host, port: c.port, ircChannel: c.channel };
    client.on('registered', () => {
      client.join(c.channel, c.channelKey ?? undefined);
    });
    client.on('join', (e) => {
      if (!client.caseCompare(e.nick, client.user.nick) || !client.caseCompare(e.channel, c.channel)) return;
      this.joined = true;
      this.failures = 0;
      this.onConnected(c.name, true);
      this.log.info(where, 'chat: joined the IRC channel');
      onReady();
    });
    client.on('kick', (e) => {
      if (!client.caseCompare(e.kicked, client.user.nick) || !client.caseCompare(e.channel, c.channel)) return;
      this.joined = false;
      this.onConnected(c.name, false);
      this.log.warn({ ...where, reason: e.message }, 'chat: kicked from the IRC channel; joining again in a minute');
      this.clock.setTimeout(() => {
        if (this.client === client && client.connected) client.join(c.channel, c.channelKey ?? undefined);
      }, 60_000);
    });
    // Another Klaxon (a replica) or a stale session holds the nick: take a numbered one. Only one
    // replica sends each announcement anyway (the queue's lease).
    client.on('nick in use', (e) => {
      const next = `${c.nick.slice(0, 6)}${Math.floor(Math.random() * 1000)}`;
      this.log.info({ ...where, taken: e.nick, nick: next }, 'chat: the IRC nick is taken; using another');
      client.changeNick(next);
    });
    client.on('irc error', (e) => {
      this.log.warn({ ...where, error: e.error, reason: e.reason }, 'chat: the IRC server refused a request');
    });
    client.on('sasl failed', (e) => {
      this.log.error(
        { ...where, reason: e.reason, key: 'chat.irc.sasl' },
        'chat: SASL login to the IRC server failed; check chat.irc[].sasl (the server must offer SASL)',
      );
    });
    client.on('pong', (e) => this.pongs.get(e.message)?.());
    client.on('socket close', () => {
      for (const f of [...this.closed]) f();
      if (this.joined) this.onConnected(c.name, false);
      this.joined = false;
    });
    client.on('close', () => {
      if (this.stopped || this.client !== client) return;
      client.removeAllListeners();
      this.failures++;
      const wait = backoffDelayMs(this.failures, IRC_RECONNECT);
      this.log.warn({ ...where, retryInMs: wait }, 'chat: the IRC connection is closed; reconnecting');
      this.retryTimer = this.clock.setTimeout(() => this.connect(onReady), wait);
    });
    client.connect({
      host: c.host,
      port: c.port,
      nick: c.nick,
      username: c.nick,
      gecos: 'Klaxon announcements',
      tls: c.tls,
      rejectUnauthorized: c.tlsVerify,
      ...(c.password !== null ? { password: c.password } : {}),
      ...(c.sasl ? { account: { account: c.sasl.account, password: c.sasl.password } } : {}),
      // Without SASL the login would silently go on unauthenticated: stop instead, and say so.
      sasl_disconnect_on_fail: true,
      auto_reconnect: false,
      version: 'Klaxon',
    });
  }

  async send(a: Announcement, timeoutMs: number): Promise<SendResult> {
    const client = this.client;
    if (!client || !this.ready()) return { kind: 'not_sent', error: 'not connected to the IRC channel' };
    const token = `klaxon-${randomUUID()}`;
    return new Promise<SendResult>((resolve) => {
      let timer: unknown = null;
      const done = (r: SendResult) => {
        this.pongs.delete(token);
        this.closed.delete(onClose);
        this.clock.clearTimeout(timer);
        resolve(r);
      };
      const onClose = () => done({ kind: 'unknown', error: 'the IRC connection closed before the server confirmed' });
      this.pongs.set(token, () => done({ kind: 'sent' }));
      this.closed.add(onClose);
      timer = this.clock.setTimeout(
        () => done({ kind: 'unknown', error: `the IRC server did not confirm within ${timeoutMs} ms` }),
        timeoutMs,
      );
      client.say(this.config.channel, a.text);
      client.ping(token);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    this.joined = false;
    if (!client) return;
    if (!client.connected) {
      client.removeAllListeners();
      return;
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      client.on('socket close', () => {
        clearTimeout(t);
        resolve();
      });
      client.quit('Klaxon is stopping');
    });
    client.removeAllListeners();
  }
}

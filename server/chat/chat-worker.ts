import { randomUUID } from 'node:crypto';
import { backoffDelayMs, type BackoffRule } from '#common/backoff.js';
import type { ServerConfig } from '../config/index.js';
import type { Metrics } from '../http/metrics.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import type { Announcement, AnnouncementOutcome, KlaxonStore } from '../store/store.js';
import type { ChatChannel, SendResult } from './chat-channel.js';

export interface ChatWorkerDeps {
  store: Pick<KlaxonStore, 'claimAnnouncements' | 'startSendingAnnouncement' | 'finishAnnouncement'>;
  channels: readonly ChatChannel[];
  chat: Pick<ServerConfig['chat'], 'timeoutMs' | 'baseDelayMs' | 'maxDelayMs' | 'giveUpAfterMinutes'>;
  metrics?: Pick<Metrics, 'chatAttempts'>;
  logger?: Logger;
  clock?: Clock;
  /** How often the queue is looked at without a kick (announcements queued by another replica). */
  pollMs?: number;
}

/** At most this many announcements per channel in one pass, so one busy channel does not hold up the others. */
const PER_PASS = 20;

/**
 * Sends queued announcements, channel by channel in queue order. Each is claimed under a lease
 * (one sender across replicas), recorded as being sent, sent, then recorded as sent: so nothing is
 * sent twice. A channel that could not take it (not connected, an error answer) gets it again
 * later with common/backoff.ts until `chat.giveUpAfterMinutes`. An attempt whose outcome is
 * unknown is retried only on a channel that deduplicates (Matrix); elsewhere it is counted as
 * failed: at most once, as the announcement contract says (docs/operations.md#chat-announcements).
 */
export class ChatWorker {
  private readonly owner = `chat-${randomUUID()}`;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly rule: BackoffRule;
  private readonly leaseMs: number;
  private running = false;
  private timer: unknown = null;
  private pass: Promise<void> | null = null;
  private again = false;

  constructor(private readonly deps: ChatWorkerDeps) {
    this.log = deps.logger ?? silentLogger;
    this.clock = deps.clock ?? systemClock;
    this.rule = {
      baseMs: deps.chat.baseDelayMs,
      maxMs: deps.chat.maxDelayMs,
      minMs: Math.min(500, deps.chat.baseDelayMs),
    };
    // Long enough for the send and its two records; a lease that ran out lets another replica settle it.
    this.leaseMs = deps.chat.timeoutMs * 2 + 10_000;
  }

  start(): void {
    if (this.running || this.deps.channels.length === 0) return;
    this.running = true;
    for (const c of this.deps.channels) c.start(() => this.kick());
    this.kick();
  }

  /** Looks at the queue now (something was queued, or a channel became ready). */
  kick(): void {
    if (!this.running) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    this.clock.clearTimeout(this.timer);
    this.pass = this.runPass().finally(() => {
      this.pass = null;
      if (!this.running) return;
      if (this.again) {
        this.again = false;
        this.kick();
      } else this.timer = this.clock.setTimeout(() => this.kick(), this.deps.pollMs ?? 2000);
    });
  }

  private async runPass(): Promise<void> {
    await Promise.all(
      this.deps.channels.map((c) =>
        this.drain(c).catch((e) =>
          this.log.error({ channel: c.name, err: (e as Error).message }, 'chat: the announcement queue failed'),
        ),
      ),
    );
  }

  private async drain(channel: ChatChannel): Promise<void> {
    for (let i = 0; i < PER_PASS && this.running; i++) {
      const { claimed, abandoned } = await this.deps.store.claimAnnouncements(
        channel.name,
        this.owner,
        new Date(this.clock.now()),
        this.leaseMs,
        channel.ready() ? 1 : 0,
      );
      for (const a of abandoned) {
        this.deps.metrics?.chatAttempts.inc({ channel: channel.name, outcome: 'unknown' });
        this.log.error(
          { channel: channel.name, announcement: a.key },
          'chat: an announcement whose sending was interrupted is not sent again (it may have been posted)',
        );
      }
      const a = claimed[0];
      if (!a) return;
      if (!(await this.attempt(channel, a))) return;
    }
  }

  /** One attempt; true when the channel took it (go on with the next). */
  private async attempt(channel: ChatChannel, a: Announcement): Promise<boolean> {
    const { store } = this.deps;
    if (!(await store.startSendingAnnouncement(a.id, this.owner, new Date(this.clock.now())))) return false;
    let result: SendResult;
    try {
      result = await channel.send(a, this.deps.chat.timeoutMs);
    } catch (e) {
      result = { kind: 'unknown', error: (e as Error).message };
    }
    const now = this.clock.now();
    const outcome = this.outcomeOf(channel, a, result, now);
    this.deps.metrics?.chatAttempts.inc({
      channel: channel.name,
      outcome: result.kind === 'sent' ? 'sent' : outcome.kind === 'failed' ? `${result.kind}_gave_up` : 'retry',
    });
    if (outcome.kind !== 'sent')
      (outcome.kind === 'failed' ? this.log.error : this.log.warn).call(
        this.log,
        { channel: channel.name, announcement: a.key, attempts: a.attempts, err: outcome.error },
        outcome.kind === 'failed' ? 'chat: announcement given up' : 'chat: announcement not posted; retrying later',
      );
    await store.finishAnnouncement(a.id, this.owner, outcome);
    return result.kind === 'sent';
  }

  private outcomeOf(channel: ChatChannel, a: Announcement, r: SendResult, now: number): AnnouncementOutcome {
    const at = new Date(now);
    if (r.kind === 'sent') return { kind: 'sent', at };
    if (r.kind === 'unknown' && !channel.resendSafe)
      return { kind: 'failed', at, error: `outcome unknown, not sent again so it is never posted twice: ${r.error}` };
    if (now - a.createdAt.getTime() >= this.deps.chat.giveUpAfterMinutes * 60_000)
      return { kind: 'failed', at, error: `gave up after ${a.attempts} attempts: ${r.error}` };
    return { kind: 'retry', at: new Date(now + backoffDelayMs(a.attempts, this.rule)), error: r.error };
  }

  /** Stops sending (an attempt in flight finishes and is recorded) and closes the channels. */
  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.timer);
    await this.pass;
    await Promise.all(this.deps.channels.map((c) => c.stop()));
  }
}

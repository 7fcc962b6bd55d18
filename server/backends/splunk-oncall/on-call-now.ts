import type { OnCallNow, OnCallTeam } from '#common/index.js';
import type { OnCallClient } from './client.js';
import type { WireTeamMember } from './wire.js';
import { type Clock, systemClock } from '../../runtime/clock.js';
import { type Logger, silentLogger } from '../../runtime/logger.js';

interface OnCallNowConfig {
  /** Team slugs to show; empty = every team On-Call reports. */
  teams?: readonly string[];
  /** On-Call username → IANA zone (On-Call's API has no time zones). */
  timeZones?: Readonly<Record<string, string>>;
}

export interface OnCallNowOptions {
  client: Pick<OnCallClient, 'oncallCurrent' | 'teamMembers' | 'teams'>;
  /**
   * People's display names (On-Call's v2 users), so a person reads the same here as in "who will be
   * woken"; team members' first and last names are used for anyone it does not name.
   */
  displayNames?: () => Promise<ReadonlyMap<string, string>>;
  config: OnCallNowConfig;
  /** How long an answer is reused. At least 30 s: who is on call changes rarely. */
  ttlMs?: number;
  /** Team members (names, who exists) change even more rarely. Default 10 minutes. */
  membersTtlMs?: number;
  /** After a failure, how long stale data is served before On-Call is asked again. Default 10 s. */
  retryAfterFailureMs?: number;
  /** Most teams whose members are looked up to decide whether a username exists. Default 25. */
  maxTeamsForUserLookup?: number;
  clock?: Clock;
  logger?: Logger;
}

const fullName = (m: WireTeamMember): string | null => [m.firstName, m.lastName].filter(Boolean).join(' ') || null;

/**
 * "Who will be woken": On-Call's current on-call list with people's names (team members) and
 * configured time zones. Cached with single-flight, so any number of open page dialogs cost one
 * upstream call per TTL; when On-Call fails, the last answer is served marked `stale`.
 */
export class OnCallNowService {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly ttlMs: number;
  private readonly membersTtlMs: number;
  private readonly retryAfterFailureMs: number;
  private cached: { value: OnCallNow; at: number } | null = null;
  private retryAt = 0;
  private inflight: Promise<OnCallNow> | null = null;
  private readonly members = new Map<string, { at: number; members: WireTeamMember[] }>();
  private allTeamsLoadedAt = -Infinity;
  private userLookup: Promise<void> | null = null;

  constructor(private readonly opts: OnCallNowOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.ttlMs = Math.max(30_000, opts.ttlMs ?? 30_000);
    this.membersTtlMs = opts.membersTtlMs ?? 10 * 60_000;
    this.retryAfterFailureMs = opts.retryAfterFailureMs ?? 10_000;
  }

  /** Throws the UpstreamError only when On-Call fails and nothing was ever fetched. */
  async get(): Promise<OnCallNow> {
    const now = this.clock.now();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.value;
    if (this.cached && now < this.retryAt) return { ...this.cached.value, stale: true };
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /**
   * Whether On-Call has a user with this name (a member of some team). `null` when that cannot be
   * told right now (On-Call unreachable); callers then try the name and let On-Call decide.
   */
  async isOnCallUser(username: string): Promise<boolean | null> {
    if (this.knows(username)) return true;
    if (this.clock.now() - this.allTeamsLoadedAt >= this.membersTtlMs) {
      this.userLookup ??= this.loadAllMembers().finally(() => {
        this.userLookup = null;
      });
      try {
        await this.userLookup;
      } catch (e) {
        this.log.warn({ error: e instanceof Error ? e.message : String(e) }, 'could not list On-Call users');
        return this.knows(username) ? true : null;
      }
    }
    return this.knows(username);
  }

  private knows(username: string): boolean {
    const u = username.toLowerCase();
    for (const { members } of this.members.values())
      if (members.some((m) => m.username.toLowerCase() === u)) return true;
    return false;
  }

  private async loadAllMembers(): Promise<void> {
    const teams = await this.opts.client.teams();
    for (const t of teams.slice(0, this.opts.maxTeamsForUserLookup ?? 25)) await this.membersOf(t.slug);
    this.allTeamsLoadedAt = this.clock.now();
  }

  private async membersOf(slug: string): Promise<WireTeamMember[]> {
    const hit = this.members.get(slug);
    if (hit && this.clock.now() - hit.at < this.membersTtlMs) return hit.members;
    try {
      const members = await this.opts.client.teamMembers(slug);
      this.members.set(slug, { at: this.clock.now(), members });
      return members;
    } catch (e) {
      this.log.warn(
        { team: slug, error: e instanceof Error ? e.message : String(e) },
        'could not load On-Call team members; showing usernames',
      );
      return hit?.members ?? [];
    }
  }

  private async refresh(): Promise<OnCallNow> {
    try {
      const current = await this.opts.client.oncallCurrent();
      const filter = new Set(this.opts.config.teams ?? []);
      const zones = this.opts.config.timeZones ?? {};
      const display = (await this.opts.displayNames?.().catch(() => null)) ?? new Map<string, string>();
      const teams: OnCallTeam[] = [];
      for (const t of current) {
        if (filter.size > 0 && !filter.has(t.team.slug)) continue;
        const names = new Map((await this.membersOf(t.team.slug)).map((m) => [m.username, fullName(m)]));
        teams.push({
          team: t.team,
          policies: t.policies.map((p) => ({
            policy: p.policy,
            users: p.usernames.map((username) => ({
              username,
              name: display.get(username) ?? names.get(username) ?? null,
              timeZone: zones[username] ?? null,
            })),
          })),
        });
      }
      const value: OnCallNow = { teams, fetchedAt: new Date(this.clock.now()).toISOString(), stale: false };
      this.cached = { value, at: this.clock.now() };
      return value;
    } catch (e) {
      this.retryAt = this.clock.now() + this.retryAfterFailureMs;
      this.log.warn(
        { error: e instanceof Error ? e.message : String(e), haveCached: this.cached !== null },
        'could not refresh who is on call',
      );
      if (this.cached) return { ...this.cached.value, stale: true };
      throw e;
    }
  }
}

import type { EscalationPlan, OnCallNow, OnCallTeam, OnCallUser, TeamRef } from '#common/index.js';
import { CachedLookup } from '../cached-lookup.js';
import type { ActiveMute, TargetEscalation } from '../paging-backend.js';
import { UpstreamError } from '../upstream-error.js';
import type { Clock } from '../../runtime/clock.js';
import type { PagerDutyClient } from './client.js';
import {
  readMaintenanceWindow,
  readOncall,
  readPolicy,
  readService,
  readUser,
  type WireOncall,
  type WirePolicy,
  type WireService,
  type WireUser,
} from './wire.js';

/** A configured PagerDuty target: its integration key (the routing key) and the service that key belongs to. */
export interface PagerDutyTarget {
  routingKey: string;
  serviceId: string;
}

const MINUTE = 60_000;

/**
 * The account as Klaxon needs it (docs/pagerduty.md#escalation-and-on-call): a target's service → its
 * escalation policy → its rules in time → who each rule pages now (`GET /oncalls`, with each user's
 * `time_zone`, which On-Call does not have); the users by e-mail (how Klaxon matches a person to
 * PagerDuty); maintenance windows on the targets' services. Services, policies and users change
 * rarely (10 minutes); who is on call is asked again after a minute, maintenance after 15 seconds.
 */
export class PagerDutyOrg {
  private readonly setup: CachedLookup<unknown>;
  private readonly oncalls: CachedLookup<WireOncall[]>;
  private readonly mutes: CachedLookup<ActiveMute[]>;
  private readonly clock: Clock | undefined;

  constructor(
    private readonly opts: {
      client: Pick<PagerDutyClient, 'get' | 'listAll' | 'malformed'>;
      targets: readonly PagerDutyTarget[];
      clock?: Clock;
    },
  ) {
    this.clock = opts.clock;
    const clock = opts.clock ? { clock: opts.clock } : {};
    this.setup = new CachedLookup({ ttlMs: 10 * MINUTE, staleMs: 50 * MINUTE, ...clock });
    this.oncalls = new CachedLookup({ ttlMs: MINUTE, staleMs: 4 * MINUTE, ...clock });
    this.mutes = new CachedLookup({ ttlMs: 15_000, ...clock });
  }

  /** The integration key of the first configured target on a service (incidents name only the service). */
  routingKeyOf(serviceId: string): string | null {
    return this.opts.targets.find((t) => t.serviceId === serviceId)?.routingKey ?? null;
  }

  /** Every user, by id and by lower-case e-mail. */
  async users(): Promise<{ byId: Map<string, WireUser>; byEmail: Map<string, WireUser> }> {
    return (await this.setup.get('users', async () => {
      const users = (await this.opts.client.listAll('pd_users', '/users', 'users')).flatMap((u) => readUser(u) ?? []);
      return {
        byId: new Map(users.map((u) => [u.id, u])),
        byEmail: new Map(users.flatMap((u) => (u.email ? [[u.email.toLowerCase(), u] as const] : []))),
      };
    })) as { byId: Map<string, WireUser>; byEmail: Map<string, WireUser> };
  }

  /** The service with this id; null when PagerDuty has none. */
  service(id: string): Promise<WireService | null> {
    return this.setup.get(`service ${id}`, () =>
      this.one('pd_service', `/services/${encodeURIComponent(id)}`, 'service', readService),
    ) as Promise<WireService | null>;
  }

  /** The escalation policy with this id; null when PagerDuty has none. */
  policy(id: string): Promise<WirePolicy | null> {
    return this.setup.get(`policy ${id}`, () =>
      this.one('pd_policy', `/escalation_policies/${encodeURIComponent(id)}`, 'escalation_policy', readPolicy),
    ) as Promise<WirePolicy | null>;
  }

  private async one<T>(endpoint: string, path: string, key: string, read: (v: unknown) => T | null): Promise<T | null> {
    let body: unknown;
    try {
      body = await this.opts.client.get(endpoint, path);
    } catch (e) {
      if (e instanceof UpstreamError && e.kind === 'not_found') return null;
      throw e;
    }
    const item = read((body as Record<string, unknown> | null)?.[key]);
    if (!item) throw this.opts.client.malformed(endpoint, `the answer has no readable "${key}"`);
    return item;
  }

  /** Who is on call now in a policy, per level (earliest entry per level and user). */
  private policyOncalls(policyId: string): Promise<WireOncall[]> {
    return this.oncalls.get(policyId, async () =>
      (
        await this.opts.client.listAll(
          'pd_oncalls',
          `/oncalls?escalation_policy_ids[]=${encodeURIComponent(policyId)}&earliest=true`,
          'oncalls',
        )
      ).flatMap((o) => readOncall(o) ?? []),
    );
  }

  private async person(id: string, fallbackName: string | null): Promise<OnCallUser> {
    const u = (await this.users()).byId.get(id);
    return { username: u?.email ?? id, name: u?.name ?? fallbackName, timeZone: u?.timeZone ?? null };
  }

  /** A policy's rules in time, each with whom it pages now; the first rule is who a page wakes at once. */
  async plan(policy: WirePolicy): Promise<EscalationPlan> {
    const oncalls = await this.policyOncalls(policy.id);
    let after = 0;
    const steps = [];
    for (const [k, rule] of policy.rules.entries()) {
      const level = oncalls.filter((o) => o.level === k + 1);
      const users: OnCallUser[] = [];
      for (const o of level) users.push(await this.person(o.user.id, o.user.summary));
      const emptyRotations = rule.targets
        .filter((t) => t.type.startsWith('schedule') && !level.some((o) => o.schedule?.id === t.id))
        .map((t) => t.summary ?? t.id);
      steps.push({ afterMinutes: after, users: dedupe(users), emptyRotations, also: [], via: null });
      after += rule.delayMinutes;
    }
    const team = policy.teams[0];
    return {
      policy: { slug: policy.id, name: policy.name },
      team: team ? { slug: team.id, name: team.summary ?? team.id } : null,
      steps,
    };
  }

  /**
   * Whom a page to a configured integration key wakes. PagerDuty's documented REST API does not name
   * an integration's key, so each target names its service (`targets[].service`): an unknown service
   * is an unknown target (its pages reach nobody).
   */
  async escalationFor(routingKey: string): Promise<TargetEscalation> {
    const target = this.opts.targets.find((t) => t.routingKey === routingKey);
    const service = target ? await this.service(target.serviceId) : null;
    if (!service) return { match: 'unknown', routesAs: null, policies: [] };
    const policy = service.escalationPolicy ? await this.policy(service.escalationPolicy.id) : null;
    return { match: 'exact', routesAs: routingKey, policies: policy ? [await this.plan(policy)] : [] };
  }

  /** Ongoing maintenance windows on the targets' services, as mutes of those targets' integration keys. */
  activeMutes(): Promise<ActiveMute[]> {
    return this.mutes.get('mutes', async () => {
      const services = [...new Set(this.opts.targets.map((t) => t.serviceId))];
      if (services.length === 0) return [];
      const query = services.map((s) => `&service_ids[]=${encodeURIComponent(s)}`).join('');
      const windows = (
        await this.opts.client.listAll(
          'pd_maintenance',
          `/maintenance_windows?filter=ongoing${query}`,
          'maintenance_windows',
        )
      ).flatMap((w) => readMaintenanceWindow(w) ?? []);
      return windows.map((w) => ({
        scope: 'routing_keys' as const,
        routingKeys: this.opts.targets.filter((t) => w.serviceIds.includes(t.serviceId)).map((t) => t.routingKey),
        since: w.start,
        by: w.createdBy?.summary ?? null,
        purpose: w.description,
      }));
    });
  }

  /** Who is on call now in the targets' escalation policies, one team per policy team. */
  async onCallNow(): Promise<OnCallNow> {
    const teams = new Map<string, OnCallTeam>();
    for (const t of this.opts.targets) {
      const service = await this.service(t.serviceId);
      const policy = service?.escalationPolicy ? await this.policy(service.escalationPolicy.id) : null;
      if (!policy) continue;
      const plan = await this.plan(policy);
      const team: TeamRef = plan.team ?? { slug: policy.id, name: policy.name };
      const entry = teams.get(team.slug) ?? { team, policies: [] };
      if (!entry.policies.some((p) => p.policy.slug === policy.id))
        entry.policies.push({ policy: plan.policy, users: dedupe(plan.steps.flatMap((s) => s.users)) });
      teams.set(team.slug, entry);
    }
    return {
      teams: [...teams.values()],
      fetchedAt: new Date(this.clock?.now() ?? Date.now()).toISOString(),
      stale: false,
    };
  }
}

function dedupe(users: OnCallUser[]): OnCallUser[] {
  const seen = new Set<string>();
  return users.filter((u) => !seen.has(u.username) && seen.add(u.username));
}

import type { EscalationPlan, EscalationStep, OnCallUser, TeamRef } from '#common/index.js';
import { CachedLookup } from '../cached-lookup.js';
import type { ActiveMute, TargetEscalation } from '../paging-backend.js';
import type { Clock } from '../../runtime/clock.js';
import type { OnCallClient } from './client.js';
import type { WirePolicy, WirePolicyInfo, WireRotationOnCall, WireRoutingKey } from './wire-org.js';

export type EscalationApi = Pick<
  OnCallClient,
  'routingKeys' | 'policies' | 'policy' | 'teamSchedule' | 'maintenanceModes'
>;

export interface EscalationOptions {
  client: EscalationApi;
  /** On-Call username → IANA zone (`oncall.timeZones`; On-Call's API has none). */
  timeZones: Readonly<Record<string, string>>;
  /** People's display names by username (user-directory.ts): never fails, empty until known. */
  displayNames: () => Promise<ReadonlyMap<string, string>>;
  clock?: Clock;
}

const MINUTE = 60_000;
/** `step` of the team schedule goes from 0 to 3 (docs/splunk-oncall.md#team-schedule). */
const LAST_SCHEDULE_STEP = 3;
/** Policies that hand over to policies that hand over…: followed this deep, then named only. */
const MAX_HANDOVERS = 3;

const ENTRY_WORDS: Record<string, string> = {
  email: 'sends an e-mail',
  webhook: 'calls a webhook',
  team_routing: 'hands over to another team',
};

/**
 * docs/splunk-oncall.md#policies, #routing-keys, #team-schedule: a routing key → its escalation
 * policies → their steps in time → who each step pages now. Routing keys, policies and names change
 * rarely (10 minutes); who is on call in a step is asked again after a minute; maintenance modes after
 * 15 seconds. On-Call answers an unknown key by paging its default route, so that route is what an
 * unknown key wakes. Keys are compared as written and also regardless of case: the documents disagree
 * on whether case matters, so a match in another case is reported, never trusted.
 */
export class EscalationLookup {
  private readonly setup: CachedLookup<unknown>;
  private readonly schedules: CachedLookup<Map<string, WireRotationOnCall[]>>;
  private readonly mutes: CachedLookup<ActiveMute[]>;

  constructor(private readonly opts: EscalationOptions) {
    const clock = opts.clock ? { clock: opts.clock } : {};
    this.setup = new CachedLookup({ ttlMs: 10 * MINUTE, staleMs: 50 * MINUTE, ...clock });
    this.schedules = new CachedLookup({ ttlMs: MINUTE, staleMs: 4 * MINUTE, ...clock });
    this.mutes = new CachedLookup({ ttlMs: 15_000, ...clock });
  }

  async escalationFor(routingKey: string): Promise<TargetEscalation> {
    const keys = await this.routingKeys();
    const exact = keys.find((k) => k.routingKey === routingKey);
    const folded = exact ?? keys.find((k) => k.routingKey.toLowerCase() === routingKey.toLowerCase());
    const route = folded ?? keys.find((k) => k.isDefault) ?? null;
    const match = exact ? 'exact' : folded ? 'case_only' : 'unknown';
    if (!route) return { match, routesAs: null, policies: [] };
    const [infos, names] = await Promise.all([this.policyInfos(), this.opts.displayNames()]);
    const teams = new Map<string, TeamRef>();
    for (const p of infos) if (p.team) teams.set(p.slug, p.team);
    for (const t of route.targets)
      if (t.teamSlug && !teams.has(t.policySlug)) teams.set(t.policySlug, { slug: t.teamSlug, name: t.teamSlug });
    const ctx: PlanContext = { teams, names, policyNames: new Map(infos.map((p) => [p.slug, p.name])) };
    const policies: EscalationPlan[] = [];
    for (const t of route.targets) {
      const plan = await this.plan(t.policySlug, t.policyName, ctx);
      if (plan) policies.push(plan);
    }
    return { match, routesAs: route.routingKey, policies };
  }

  activeMutes(): Promise<ActiveMute[]> {
    return this.mutes.get('all', async () =>
      (await this.opts.client.maintenanceModes()).map((m) => ({
        scope: m.isGlobal ? 'everything' : 'routing_keys',
        routingKeys: m.isGlobal ? [] : m.routingKeys,
        since: m.startedAt,
        by: m.startedBy,
        purpose: m.purpose,
      })),
    );
  }

  private routingKeys(): Promise<WireRoutingKey[]> {
    return this.setup.get('routing-keys', () => this.opts.client.routingKeys()) as Promise<WireRoutingKey[]>;
  }

  private policyInfos(): Promise<WirePolicyInfo[]> {
    return this.setup.get('policies', () => this.opts.client.policies()) as Promise<WirePolicyInfo[]>;
  }

  private policy(slug: string): Promise<WirePolicy | null> {
    return this.setup.get(`policy:${slug}`, () => this.opts.client.policy(slug)) as Promise<WirePolicy | null>;
  }

  private schedule(teamSlug: string, step: number): Promise<Map<string, WireRotationOnCall[]>> {
    return this.schedules.get(`${teamSlug}:${step}`, () => this.opts.client.teamSchedule(teamSlug, step));
  }

  /** One policy with its steps in time, and the steps of the policies it hands over to. */
  private async plan(slug: string, name: string, ctx: PlanContext): Promise<EscalationPlan | null> {
    const team = ctx.teams.get(slug) ?? null;
    const steps = await this.steps(slug, 0, null, ctx, new Set());
    if (!steps) return null;
    steps.sort((a, b) => a.afterMinutes - b.afterMinutes);
    return { policy: { slug, name }, team, steps };
  }

  private async steps(
    slug: string,
    startsAt: number,
    via: string | null,
    ctx: PlanContext,
    seen: Set<string>,
  ): Promise<EscalationStep[] | null> {
    const policy = await this.policy(slug);
    if (!policy) return null;
    seen.add(slug);
    const team = ctx.teams.get(slug) ?? null;
    const out: EscalationStep[] = [];
    let at = startsAt;
    for (const [index, step] of policy.steps.entries()) {
      at += step.timeout;
      const users = new Map<string, OnCallUser>();
      const emptyRotations: string[] = [];
      const also: string[] = [];
      const person = (username: string) =>
        users.set(username, {
          username,
          name: ctx.names.get(username) ?? null,
          timeZone: this.opts.timeZones[username] ?? null,
        });
      if (step.entries.some((e) => e.kind === 'rotation')) {
        if (!team || index > LAST_SCHEDULE_STEP) also.push('pages a rotation Klaxon cannot look up');
        else
          for (const r of (await this.schedule(team.slug, index)).get(slug) ?? []) {
            if (r.username) person(r.username);
            else emptyRotations.push(r.rotation ?? 'a rotation');
          }
      }
      for (const e of step.entries) {
        if (e.kind === 'user') person(e.username);
        if (e.kind === 'other') also.push(ENTRY_WORDS[e.type] ?? `does something Klaxon does not know (${e.type})`);
        if (e.kind !== 'policy') continue;
        const target = ctx.policyNames.get(e.policySlug) ?? e.policySlug;
        const handedOver =
          seen.has(e.policySlug) || seen.size > MAX_HANDOVERS
            ? null
            : await this.steps(e.policySlug, at, target, ctx, new Set(seen));
        if (handedOver) out.push(...handedOver);
        else also.push(`hands over to ${target}`);
      }
      // A step that only hands over is shown as the steps it hands over to.
      if (users.size > 0 || emptyRotations.length > 0 || also.length > 0)
        out.push({ afterMinutes: at, users: [...users.values()], emptyRotations, also, via });
    }
    return out;
  }
}

interface PlanContext {
  /** Policy slug → its team (whose schedule says who is on call in the policy's rotations). */
  teams: Map<string, TeamRef>;
  names: ReadonlyMap<string, string>;
  policyNames: Map<string, string>;
}

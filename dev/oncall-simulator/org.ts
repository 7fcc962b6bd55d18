/**
 * The organisation a simulator serves: users, teams, rotation groups, escalation policies with their
 * steps, routing keys and API keys (docs/splunk-oncall.md#policies, #routing-keys). Lookups only; who
 * gets paged when is `paging.ts`.
 */
import type { PolicyRef } from './types.js';

export interface OrgUser {
  username: string;
  firstName: string;
  lastName: string;
  /** `displayName` in `GET /api-public/v2/user`; first and last name when absent. */
  displayName?: string;
  email: string;
  /**
   * IANA zone, for Klaxon's `oncall.timeZones` config only: no public On-Call endpoint returns a
   * user's time zone (docs/splunk-oncall.md#users), so the simulator never sends it.
   */
  timeZone: string;
}

export interface OrgTeam {
  name: string;
  slug: string;
  members: string[];
  isDefaultTeam: boolean;
}

/** A rotation group (`rtg-…`): who is on call in it right now. */
export interface OrgRotation {
  slug: string;
  label: string;
  teamSlug: string;
  onCallNow: string[];
}

/** One entry of a policy step, by its `executionType` (docs/splunk-oncall.md#policies). */
export type OrgPolicyEntry =
  | { executionType: 'rotation_group'; rotationSlug: string }
  | { executionType: 'user'; username: string }
  | { executionType: 'policy_routing'; policySlug: string }
  | { executionType: 'email'; address: string };

export interface OrgPolicyStep {
  /** Minutes after the previous step (or the start of paging) before this step runs; 0 = at once. */
  timeout: number;
  entries: OrgPolicyEntry[];
}

export interface OrgPolicy {
  name: string;
  slug: string;
  teamSlug: string;
  steps: OrgPolicyStep[];
}

export interface OrgRoutingKey {
  routingKey: string;
  policySlugs: string[];
  isDefault: boolean;
  /** The routing key's Multi-Responder box: every targeted policy must acknowledge. Not on the wire. */
  multiResponder?: boolean;
}

export interface Org {
  orgSlug: string;
  apiId: string;
  apiKeys: { key: string; readOnly: boolean }[];
  restEndpointKey: string;
  users: OrgUser[];
  teams: OrgTeam[];
  rotations: OrgRotation[];
  policies: OrgPolicy[];
  routingKeys: OrgRoutingKey[];
}

export const DEFAULT_ROUTING_KEY = 'routingdefault';

/** `insensitive` as the current docs say, `sensitive` as a 2017 help page said (docs/splunk-oncall.md#routing-keys). */
export type RoutingKeyCase = 'insensitive' | 'sensitive';

/** Which steps' rotations `oncall/current` lists for a policy (docs/splunk-oncall.md#oncall-current). */
export type OnCallSteps = 'first' | 'all';

export class OrgDirectory {
  constructor(readonly org: Org) {}

  user(username: string): OrgUser | undefined {
    return this.org.users.find((u) => u.username === username);
  }

  team(slug: string): OrgTeam | undefined {
    return this.org.teams.find((t) => t.slug === slug);
  }

  policy(slug: string): OrgPolicy | undefined {
    return this.org.policies.find((p) => p.slug === slug);
  }

  rotation(slug: string): OrgRotation | undefined {
    return this.org.rotations.find((r) => r.slug === slug);
  }

  teamsOf(username: string): OrgTeam[] {
    return this.org.teams.filter((t) => t.members.includes(username));
  }

  displayName(u: OrgUser): string {
    return u.displayName ?? `${u.firstName} ${u.lastName}`;
  }

  /** The key as the incident records it: lower-cased when keys are case-insensitive, else as sent. */
  normaliseKey(sent: string, keyCase: RoutingKeyCase): string {
    return keyCase === 'insensitive' ? sent.toLowerCase() : sent;
  }

  /** The configured key `sent` names, if any. */
  findKey(sent: string, keyCase: RoutingKeyCase): OrgRoutingKey | undefined {
    const key = this.normaliseKey(sent, keyCase);
    return this.org.routingKeys.find((r) => this.normaliseKey(r.routingKey, keyCase) === key);
  }

  /** The route an alert on `sent` takes: the key's own when it exists, else the default route. */
  route(sent: string, keyCase: RoutingKeyCase): OrgRoutingKey {
    const route = this.findKey(sent, keyCase) ?? this.org.routingKeys.find((r) => r.isDefault);
    if (!route) throw new Error('The simulator org has no default routing key');
    return route;
  }

  policiesOf(route: OrgRoutingKey): OrgPolicy[] {
    return route.policySlugs.map((s) => this.policy(s)).filter((p): p is OrgPolicy => !!p);
  }

  /** The rotation groups a policy names, in step order (first step only, or every step). */
  rotationsOf(p: OrgPolicy, steps: OnCallSteps = 'all'): OrgRotation[] {
    const wanted = steps === 'first' ? p.steps.slice(0, 1) : p.steps;
    const slugs = wanted.flatMap((s) =>
      s.entries.flatMap((e) => (e.executionType === 'rotation_group' ? [e.rotationSlug] : [])),
    );
    return [...new Set(slugs)].map((s) => this.rotation(s)).filter((r): r is OrgRotation => !!r);
  }

  /** Who is on call for a policy now: the people on call in its rotation groups. */
  onCallNow(p: OrgPolicy, steps: OnCallSteps): string[] {
    return [...new Set(this.rotationsOf(p, steps).flatMap((r) => r.onCallNow))];
  }

  policyRef(p: OrgPolicy): PolicyRef {
    const team = this.team(p.teamSlug);
    return {
      policy: { name: p.name, slug: p.slug, _selfUrl: `/api-public/v1/policies/${p.slug}` },
      ...(team ? { team: { name: team.name, slug: team.slug } } : {}),
    };
  }
}

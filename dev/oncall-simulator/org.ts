/**
 * The organisation a simulator serves: users, teams, escalation policies, routing keys and keys.
 * Routing as docs/splunk-oncall.md#routing-keys describes: keys are case-insensitive, unknown keys go
 * to the default route.
 */
import type { PolicyRef } from './types.js';

export interface OrgUser {
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  /** IANA zone. On-Call's API has no time zones; Klaxon's server config carries them instead. */
  timeZone: string;
}

export interface OrgTeam {
  name: string;
  slug: string;
  members: string[];
  isDefaultTeam: boolean;
}

export interface OrgPolicy {
  name: string;
  slug: string;
  teamSlug: string;
  /** Rotation group paged at step 0; who is on it now is `onCallNow`. */
  rotationGroupSlug: string;
  onCallNow: string[];
}

export interface OrgRoutingKey {
  routingKey: string;
  policySlugs: string[];
  isDefault: boolean;
}

export interface Org {
  orgSlug: string;
  apiId: string;
  apiKeys: { key: string; readOnly: boolean }[];
  restEndpointKey: string;
  users: OrgUser[];
  teams: OrgTeam[];
  policies: OrgPolicy[];
  routingKeys: OrgRoutingKey[];
}

export const DEFAULT_ROUTING_KEY = 'routingdefault';

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

  teamsOf(username: string): OrgTeam[] {
    return this.org.teams.filter((t) => t.members.includes(username));
  }

  /** The route an alert on `routingKey` takes: the key's own when it exists, else the default. */
  route(routingKey: string): OrgRoutingKey {
    const key = routingKey.toLowerCase();
    const found = this.org.routingKeys.find((r) => r.routingKey === key);
    const fallback = this.org.routingKeys.find((r) => r.isDefault);
    const route = found ?? fallback;
    if (!route) throw new Error('The simulator org has no default routing key');
    return route;
  }

  policyRef(p: OrgPolicy): PolicyRef {
    const team = this.team(p.teamSlug);
    return {
      policy: { name: p.name, slug: p.slug, _selfUrl: `/api-public/v1/policies/${p.slug}` },
      ...(team ? { team: { name: team.name, slug: team.slug } } : {}),
    };
  }

  /** Who a new incident on these policies pages: the users on call at step 0, without duplicates. */
  pagedUsersFor(policies: OrgPolicy[]): string[] {
    return [...new Set(policies.flatMap((p) => p.onCallNow))];
  }
}

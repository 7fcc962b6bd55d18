/**
 * One simulated PagerDuty account: users, teams, schedules, escalation policies, services with
 * their Events API v2 integration keys, and maintenance windows. Plain data plus the look-ups the
 * API handlers need; the JSON shapes they answer with live in wire.ts.
 */

export interface OrgUser {
  id: string;
  name: string;
  email: string;
  /** IANA zone (the `User.time_zone` field, format `tzinfo`). */
  timeZone: string;
  role: 'admin' | 'user' | 'limited_user' | 'observer' | 'owner' | 'read_only_user';
  color: string;
  jobTitle?: string;
}

export interface OrgTeam {
  id: string;
  name: string;
}

/**
 * A layer-based schedule reduced to one rotation: `userIds` take turns, each for `shiftHours`,
 * starting at `rotationStartMs`. Enough to answer `GET /oncalls` with real start/end times.
 */
export interface OrgSchedule {
  id: string;
  name: string;
  timeZone: string;
  userIds: string[];
  rotationStartMs: number;
  shiftHours: number;
}

export interface EscalationTarget {
  type: 'user_reference' | 'schedule_reference';
  id: string;
}

export interface OrgRule {
  id: string;
  /** Minutes before an unacknowledged incident moves on from this rule (`escalation_delay_in_minutes`). */
  delayMinutes: number;
  targets: EscalationTarget[];
}

export interface OrgPolicy {
  id: string;
  name: string;
  description: string;
  /** How often the whole policy repeats after the last rule (`num_loops`). */
  numLoops: number;
  rules: OrgRule[];
  teamIds: string[];
}

export interface OrgService {
  id: string;
  name: string;
  description: string;
  policyId: string;
  /** The Events API v2 `routing_key`: 32 alphanumeric characters. */
  integrationKey: string;
  integrationId: string;
  urgency: 'high' | 'low';
  teamIds: string[];
  createdAtMs: number;
  disabled: boolean;
}

export interface OrgMaintenanceWindow {
  id: string;
  sequenceNumber: number;
  description: string;
  startMs: number;
  endMs: number;
  serviceIds: string[];
  createdByUserId: string | null;
}

export interface Org {
  /** `https://{subdomain}.pagerduty.com` is where html_url links point. */
  subdomain: string;
  apiTokens: { token: string; readOnly: boolean }[];
  users: OrgUser[];
  teams: OrgTeam[];
  schedules: OrgSchedule[];
  policies: OrgPolicy[];
  services: OrgService[];
  maintenanceWindows: OrgMaintenanceWindow[];
}

/** A routing key as the Events API accepts it (docs/pagerduty.md#events-api-v2). */
export const ROUTING_KEY_PATTERN = /^[A-Za-z0-9]{32}$/;

export class OrgDirectory {
  private nextId = 1;

  constructor(readonly org: Org) {}

  /** PagerDuty ids are short upper-case strings starting with P (`PT4KHLK`); ours are deterministic. */
  newId(letter: string): string {
    return `P${letter}${(this.nextId++).toString(36).toUpperCase().padStart(5, '0')}`;
  }

  user(id: string): OrgUser | undefined {
    return this.org.users.find((u) => u.id === id);
  }

  userByEmail(email: string): OrgUser | undefined {
    const e = email.trim().toLowerCase();
    return this.org.users.find((u) => u.email.toLowerCase() === e);
  }

  team(id: string): OrgTeam | undefined {
    return this.org.teams.find((t) => t.id === id);
  }

  schedule(id: string): OrgSchedule | undefined {
    return this.org.schedules.find((s) => s.id === id);
  }

  policy(id: string): OrgPolicy | undefined {
    return this.org.policies.find((p) => p.id === id);
  }

  service(id: string): OrgService | undefined {
    return this.org.services.find((s) => s.id === id);
  }

  serviceByKey(routingKey: string): OrgService | undefined {
    return this.org.services.find((s) => s.integrationKey === routingKey);
  }

  maintenanceWindow(id: string): OrgMaintenanceWindow | undefined {
    return this.org.maintenanceWindows.find((w) => w.id === id);
  }

  /** Windows covering `atMs` for this service ("No Incidents will be triggered"). */
  inMaintenance(serviceId: string, atMs: number): OrgMaintenanceWindow | undefined {
    return this.org.maintenanceWindows.find(
      (w) => w.serviceIds.includes(serviceId) && w.startMs <= atMs && atMs < w.endMs,
    );
  }

  /** The shift of a schedule that covers `atMs`: who, and from when to when. */
  shiftAt(s: OrgSchedule, atMs: number): { userId: string; startMs: number; endMs: number } | null {
    if (s.userIds.length === 0) return null;
    const len = s.shiftHours * 3_600_000;
    const k = Math.floor((atMs - s.rotationStartMs) / len);
    const startMs = s.rotationStartMs + k * len;
    const n = s.userIds.length;
    return { userId: s.userIds[((k % n) + n) % n]!, startMs, endMs: startMs + len };
  }

  /** Every shift of a schedule overlapping [fromMs, untilMs], in time order (at most 500). */
  shiftsBetween(s: OrgSchedule, fromMs: number, untilMs: number): { userId: string; startMs: number; endMs: number }[] {
    const out: { userId: string; startMs: number; endMs: number }[] = [];
    let shift = this.shiftAt(s, fromMs);
    while (shift && shift.startMs <= untilMs && out.length < 500) {
      out.push(shift);
      shift = this.shiftAt(s, shift.endMs);
    }
    return out;
  }

  /** Whether any level of a policy has someone on call at `atMs`. */
  anyoneOnCall(policyId: string, atMs: number): boolean {
    return (this.policy(policyId)?.rules ?? []).some((r) => this.usersForRule(r, atMs).length > 0);
  }

  /** The users an escalation rule pages at `atMs`: direct users plus each schedule's current on-call. */
  usersForRule(rule: OrgRule, atMs: number): string[] {
    const ids: string[] = [];
    for (const t of rule.targets) {
      const id = t.type === 'user_reference' ? t.id : this.shiftAt(this.schedule(t.id)!, atMs)?.userId;
      if (id && !ids.includes(id)) ids.push(id);
    }
    return ids;
  }
}

import { isObj, readTime, str, type Obj } from './wire.js';

/**
 * Tolerant readers for the organisation's set-up (docs/splunk-oncall.md#routing-keys, #policies,
 * #team-schedule, #maintenance-mode, #users) and for escalating (#reroute). As in wire.ts: a field that is missing or of another
 * type is skipped, never thrown on; a body that is not the expected shape at all returns null.
 */

const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

export interface WireRoutingKey {
  routingKey: string;
  isDefault: boolean;
  targets: { policySlug: string; policyName: string; teamSlug: string | null }[];
}

/** The team slug in a `_teamUrl` such as `/api-public/v1/team/team-abc`. */
const teamFromUrl = (v: unknown): string | null => {
  const m = typeof v === 'string' ? /\/team\/([^/?#]+)/.exec(v) : null;
  return m ? decodeURIComponent(m[1]!) : null;
};

/** `GET /api-public/v1/org/routing-keys` → `{routingKeys: [{routingKey, isDefault, targets}]}`. */
export function readRoutingKeys(body: unknown): WireRoutingKey[] | null {
  if (!isObj(body) || !Array.isArray(body.routingKeys)) return null;
  const out: WireRoutingKey[] = [];
  for (const k of list(body.routingKeys)) {
    const routingKey = str(k.routingKey);
    if (!routingKey) continue;
    const targets = list(k.targets).flatMap((t) => {
      const policySlug = str(t.policySlug);
      return policySlug
        ? [{ policySlug, policyName: str(t.policyName) ?? policySlug, teamSlug: teamFromUrl(t._teamUrl) }]
        : [];
    });
    out.push({ routingKey, isDefault: k.isDefault === true, targets });
  }
  return out;
}

export interface WirePolicyInfo {
  slug: string;
  name: string;
  team: { slug: string; name: string } | null;
}

/** `GET /api-public/v1/policies` → `{policies: [{policy: {name, slug}, team: {name, slug}}]}`. */
export function readPolicyList(body: unknown): WirePolicyInfo[] | null {
  if (!isObj(body) || !Array.isArray(body.policies)) return null;
  return list(body.policies).flatMap((p) => {
    const policy = isObj(p.policy) ? p.policy : p;
    const slug = str(policy.slug);
    if (!slug) return [];
    const teamSlug = isObj(p.team) ? str(p.team.slug) : null;
    const team = teamSlug && isObj(p.team) ? { slug: teamSlug, name: str(p.team.name) ?? teamSlug } : null;
    return [{ slug, name: str(policy.name) ?? slug, team }];
  });
}

/** One entry of a policy step, by `executionType` (docs/splunk-oncall.md#policies). */
export type WirePolicyEntry =
  | { kind: 'rotation'; type: string; rotationSlug: string | null }
  | { kind: 'user'; username: string }
  | { kind: 'policy'; policySlug: string }
  | { kind: 'other'; type: string };

export interface WirePolicy {
  slug: string;
  name: string;
  steps: { timeout: number; entries: WirePolicyEntry[] }[];
}

function readEntry(e: Obj): WirePolicyEntry {
  const type = str(e.executionType) ?? 'unknown';
  const sub = (k: string): Obj => (isObj(e[k]) ? e[k] : {});
  if (type.startsWith('rotation_group'))
    return { kind: 'rotation', type, rotationSlug: str(sub('rotationGroup').slug) };
  const username = str(sub('user').username);
  if (type === 'user' && username) return { kind: 'user', username };
  const policySlug = str(sub('targetPolicy').policySlug);
  if (type === 'policy_routing' && policySlug) return { kind: 'policy', policySlug };
  return { kind: 'other', type };
}

/** `GET /api-public/v1/policies/{slug}` → `{name, slug, steps: [{timeout, entries: [...]}]}`. */
export function readPolicy(body: unknown): WirePolicy | null {
  if (!isObj(body) || !Array.isArray(body.steps)) return null;
  const slug = str(body.slug);
  if (!slug) return null;
  const steps = list(body.steps).map((s) => ({
    timeout: typeof s.timeout === 'number' && Number.isFinite(s.timeout) && s.timeout > 0 ? s.timeout : 0,
    entries: list(s.entries).map(readEntry),
  }));
  return { slug, name: str(body.name) ?? slug, steps };
}

/** Who is on call in one rotation entry of a policy step: the override wins; null when nobody is. */
export interface WireRotationOnCall {
  rotation: string | null;
  username: string | null;
}

/**
 * `GET /api-public/v2/team/{team}/oncall/schedule?step=` → policy slug → its rotation entries in that
 * step with who is on call now. Entries of other kinds (users, policy routing) are left out: Klaxon
 * reads those from the policy itself.
 */
export function readTeamSchedule(body: unknown): Map<string, WireRotationOnCall[]> | null {
  if (!isObj(body) || !Array.isArray(body.schedules)) return null;
  const out = new Map<string, WireRotationOnCall[]>();
  for (const s of list(body.schedules)) {
    const slug = isObj(s.policy) ? str(s.policy.slug) : null;
    if (!slug) continue;
    const entries = list(s.schedule)
      .filter((e) => (str(e.onCallType) ?? 'rotation_group').startsWith('rotation_group'))
      .map((e) => {
        const user = isObj(e.overrideOnCallUser) ? e.overrideOnCallUser : isObj(e.onCallUser) ? e.onCallUser : {};
        return { rotation: str(e.rotationName), username: str(user.username) };
      });
    out.set(slug, [...(out.get(slug) ?? []), ...entries]);
  }
  return out;
}

export interface WireMaintenanceMode {
  isGlobal: boolean;
  routingKeys: string[];
  startedAt: string | null;
  startedBy: string | null;
  purpose: string | null;
}

/** `GET /api-public/v1/maintenancemode` → `{activeInstances: [{isGlobal, startedAt, startedBy, targets: [{names}]}]}`. */
export function readMaintenanceModes(body: unknown): WireMaintenanceMode[] | null {
  if (!isObj(body) || !Array.isArray(body.activeInstances)) return null;
  return list(body.activeInstances).map((m) => {
    const routingKeys = list(m.targets).flatMap((t) =>
      Array.isArray(t.names) ? t.names.filter((n): n is string => typeof n === 'string') : [],
    );
    return {
      // A mode naming no keys is global, as the start call documents for an empty list.
      isGlobal: m.isGlobal === true || routingKeys.length === 0,
      routingKeys,
      startedAt: readTime(m.startedAt),
      startedBy: str(m.startedBy),
      purpose: str(m.purpose),
    };
  });
}

/** `GET /api-public/v2/user` → username → display name (first and last name when it has none). */
export function readUserNames(body: unknown): Map<string, string> | null {
  if (!isObj(body) || !Array.isArray(body.users)) return null;
  const out = new Map<string, string>();
  for (const u of list(body.users)) {
    const username = str(u.username);
    const name = str(u.displayName) ?? ([str(u.firstName), str(u.lastName)].filter(Boolean).join(' ') || null);
    if (username && name) out.set(username, name);
  }
  return out;
}

export interface WireRerouteStatus {
  incidentNumber: string;
  success: boolean;
  message: string;
  /** Per target: whether the service took it, and why not. */
  targets: { slug: string; success: boolean; message: string }[];
}

/** `POST /api-public/v1/incidents/reroute` → `{statuses: [{incidentNumber, success, message, targetStatus}]}`. */
export function readRerouteStatuses(body: unknown): WireRerouteStatus[] | null {
  if (!isObj(body) || !Array.isArray(body.statuses)) return null;
  return list(body.statuses).map((s) => ({
    incidentNumber: str(s.incidentNumber) ?? '',
    success: s.success === true,
    message: typeof s.message === 'string' ? s.message : '',
    targets: list(s.targetStatus).map((t) => ({
      slug: str(t.slug) ?? '',
      success: t.success === true,
      message: typeof t.message === 'string' ? t.message : '',
    })),
  }));
}

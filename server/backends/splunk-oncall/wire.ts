import type { IncidentPhase, TeamRef } from '#common/index.js';
import { TimeSlicer } from '../../runtime/time-slice.js';

/**
 * Tolerant readers for Splunk On-Call's JSON. On-Call's API documents every field as optional,
 * timestamps come with and without fractional seconds, key spelling differs between sources
 * (`oncallNow`/`onCallNow`, `onCalluser`/`onCallUser`) and phases may be lower-case or use the
 * reporting vocabulary. Readers never throw on a field; a body that is not the expected shape at
 * all returns `null` so the client can raise one typed error.
 */

export interface WireTransition {
  name: string;
  at: string | null;
  by: string | null;
  message: string | null;
}

/** One incident as read from the incident list or a single-incident answer, every field made safe to use. */
export interface WireIncident {
  incidentNumber: string;
  currentPhase: IncidentPhase;
  startTime: string | null;
  entityId: string | null;
  entityDisplayName: string | null;
  service: string | null;
  monitorName: string | null;
  routingKey: string | null;
  alertCount: number;
  lastAlertTime: string | null;
  pagedTeams: string[];
  pagedUsers: string[];
  /** Team names learnt from `pagedPolicies[].team`, so most incidents need no team lookup. */
  policyTeams: TeamRef[];
  transitions: WireTransition[];
  incidentLink: string | null;
}

export interface WireAckResult {
  incidentNumber: string;
  cmdAccepted: boolean;
  message: string;
}

export interface WireOnCallTeam {
  team: TeamRef;
  policies: { policy: { slug: string; name: string }; usernames: string[] }[];
}

export interface WireTeamMember {
  username: string;
  firstName: string | null;
  lastName: string | null;
}

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A non-empty string, or a number as a string (On-Call sends some ids either way); else null. */
export const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
const pick = (o: Obj, ...keys: string[]): unknown => {
  for (const k of keys) if (o[k] !== undefined) return o[k];
  return undefined;
};

/**
 * Short, human-readable gist of an error body: JSON `error`/`message`, or the text itself when it is
 * not JSON (proxies answer in plain text, e.g. "no healthy upstream"). JSON without a message, or an
 * empty body, gives '' so callers can say "On-Call gave no reason" instead of showing raw JSON.
 */
export function errorGist(text: string): string {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return text.trim().replace(/\s+/g, ' ').slice(0, 200);
  }
  if (isObj(j)) {
    const m = j.error ?? j.message;
    if (typeof m === 'string') return m.trim().slice(0, 200);
  }
  return '';
}

/** What a person reads when On-Call refused something without saying why. */
export const NO_REASON = 'On-Call gave no reason';

/**
 * ISO-8601 with or without fractional seconds or offset; numbers are epoch seconds or
 * milliseconds (older fields). Returns a canonical `toISOString()` or null.
 */
export function readTime(v: unknown): string | null {
  let d: Date | null = null;
  if (typeof v === 'string' && v.trim() !== '') {
    const s = v.trim();
    // `2020-03-24T19:30:34+0000`: On-Call's API documents Java's pattern `Z`, an offset without a colon; add it.
    const fixed = s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
    d = new Date(fixed);
  } else if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
    d = new Date(v < 1e11 ? v * 1000 : v);
  }
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : null;
}

/** `UNACKED`/`ACKED`/`RESOLVED` in any case, plus `triggered`/`acknowledged`. Unknown → null. */
export function readPhase(v: unknown): IncidentPhase | null {
  if (typeof v !== 'string') return null;
  switch (v.trim().toUpperCase()) {
    case 'UNACKED':
    case 'TRIGGERED':
      return 'UNACKED';
    case 'ACKED':
    case 'ACKNOWLEDGED':
      return 'ACKED';
    case 'RESOLVED':
      return 'RESOLVED';
    default:
      return null;
  }
}

const strings = (v: unknown): string[] =>
  Array.isArray(v)
    ? v
        .map((x) => (isObj(x) ? str(pick(x, 'username', 'userName', 'slug')) : str(x)))
        .filter((x): x is string => x !== null)
    : [];

const teamRef = (v: unknown): TeamRef | null => {
  if (!isObj(v)) return null;
  const slug = str(v.slug);
  if (!slug) return null;
  return { slug, name: str(v.name) ?? slug };
};

function readTransitions(v: unknown): WireTransition[] {
  if (!Array.isArray(v)) return [];
  const out: WireTransition[] = [];
  for (const t of v) {
    if (!isObj(t)) continue;
    const name = str(t.name);
    if (!name) continue;
    out.push({ name: name.toUpperCase(), at: readTime(t.at), by: str(t.by), message: str(t.message) });
  }
  return out;
}

/**
 * One incident, or a reason it cannot be used. An unknown phase is inferred from the transitions
 * (an incident we cannot classify is shown as open rather than hidden: a badge that under-counts is
 * the failure users must never see).
 */
export function readIncident(
  v: unknown,
): { ok: true; incident: WireIncident; warning: string | null } | { ok: false; reason: string } {
  if (!isObj(v)) return { ok: false, reason: 'incident is not an object' };
  const incidentNumber = str(v.incidentNumber);
  if (!incidentNumber || !/^\d+$/.test(incidentNumber))
    return { ok: false, reason: `incidentNumber ${JSON.stringify(v.incidentNumber)} is not a number` };
  const transitions = readTransitions(v.transitions);
  let warning: string | null = null;
  let phase = readPhase(v.currentPhase);
  if (!phase) {
    warning = `unknown currentPhase ${JSON.stringify(v.currentPhase)}`;
    const last = [...transitions].reverse().find((t) => t.name === 'RESOLVED' || t.name === 'ACKED');
    phase = last ? (last.name as IncidentPhase) : 'UNACKED';
  }
  const policyTeams: TeamRef[] = [];
  if (Array.isArray(v.pagedPolicies)) {
    for (const p of v.pagedPolicies) {
      const t = isObj(p) ? teamRef(p.team) : null;
      if (t && !policyTeams.some((x) => x.slug === t.slug)) policyTeams.push(t);
    }
  }
  const count =
    typeof v.alertCount === 'number' && Number.isFinite(v.alertCount) ? Math.max(0, Math.floor(v.alertCount)) : 0;
  return {
    ok: true,
    warning,
    incident: {
      incidentNumber,
      currentPhase: phase,
      startTime: readTime(v.startTime),
      entityId: str(v.entityId),
      entityDisplayName: str(pick(v, 'entityDisplayName', 'entityDispName')),
      service: str(v.service),
      monitorName: str(v.monitorName),
      routingKey: str(v.routingKey),
      alertCount: count,
      lastAlertTime: readTime(v.lastAlertTime),
      pagedTeams: strings(v.pagedTeams),
      pagedUsers: strings(v.pagedUsers),
      policyTeams,
      transitions,
      incidentLink: str(v.incidentLink),
    },
  };
}

/**
 * The incident list's body → incidents plus per-item problems; null when it is not `{incidents: [...]}`.
 * Yields to the event loop between slices: a list of a thousand incidents takes milliseconds.
 */
export async function readIncidentList(
  body: unknown,
  slicer = new TimeSlicer(),
): Promise<{ incidents: WireIncident[]; problems: string[] } | null> {
  if (!isObj(body) || !Array.isArray(body.incidents)) return null;
  const incidents: WireIncident[] = [];
  const problems: string[] = [];
  for (const item of body.incidents as unknown[]) {
    if (slicer.due()) await slicer.yieldNow();
    const r = readIncident(item);
    if (r.ok) {
      incidents.push(r.incident);
      if (r.warning) problems.push(`incident ${r.incident.incidentNumber}: ${r.warning}`);
    } else problems.push(r.reason);
  }
  return { incidents, problems };
}

export function readAckResults(body: unknown): WireAckResult[] | null {
  if (!isObj(body) || !Array.isArray(body.results)) return null;
  return body.results.filter(isObj).map((r) => ({
    incidentNumber: str(r.incidentNumber) ?? '',
    cmdAccepted: r.cmdAccepted === true,
    message: typeof r.message === 'string' ? r.message : '',
  }));
}

/** Who is on call now: accepts both `oncallNow` and `onCallNow`, `onCalluser` and `onCallUser` (both are seen). */
export function readOnCallCurrent(body: unknown): WireOnCallTeam[] | null {
  if (!isObj(body) || !Array.isArray(body.teamsOnCall)) return null;
  const out: WireOnCallTeam[] = [];
  for (const t of body.teamsOnCall) {
    if (!isObj(t)) continue;
    const team = teamRef(t.team);
    if (!team) continue;
    const now = pick(t, 'oncallNow', 'onCallNow', 'oncallnow');
    const policies: WireOnCallTeam['policies'] = [];
    if (Array.isArray(now)) {
      for (const p of now) {
        if (!isObj(p)) continue;
        const pol = teamRef(pick(p, 'escalationPolicy', 'policy'));
        if (!pol) continue;
        const usernames: string[] = [];
        if (Array.isArray(p.users)) {
          for (const u of p.users) {
            if (!isObj(u)) continue;
            const inner = pick(u, 'onCalluser', 'onCallUser', 'oncallUser', 'oncalluser');
            const name = isObj(inner) ? str(pick(inner, 'username', 'userName')) : str(u.username);
            if (name && !usernames.includes(name)) usernames.push(name);
          }
        }
        policies.push({ policy: pol, usernames });
      }
    }
    out.push({ team, policies });
  }
  return out;
}

/** The team list: a bare array (some proxies wrap it as `{teams: [...]}`; accept both). */
export function readTeams(body: unknown): TeamRef[] | null {
  const list = Array.isArray(body) ? body : isObj(body) && Array.isArray(body.teams) ? body.teams : null;
  if (!list) return null;
  return list.map(teamRef).filter((t): t is TeamRef => t !== null);
}

export function readTeamMembers(body: unknown): WireTeamMember[] | null {
  if (!isObj(body) || !Array.isArray(body.members)) return null;
  const out: WireTeamMember[] = [];
  for (const m of body.members) {
    if (!isObj(m)) continue;
    const username = str(pick(m, 'username', 'userName'));
    if (username) out.push({ username, firstName: str(m.firstName), lastName: str(m.lastName) });
  }
  return out;
}

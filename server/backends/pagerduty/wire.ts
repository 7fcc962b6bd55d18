/**
 * Tolerant readers for PagerDuty's JSON (REST API v2). The official schema requires almost no field
 * in answers (docs/pagerduty.md#what-the-official-openapi-documents-get-wrong), so readers never
 * throw on a field: a missing one becomes null or empty. An item without the fields Klaxon cannot do
 * without (an incident's id and number) is left out and counted as a problem.
 */

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The gist of an error body: REST `{"error":{"message","errors"}}` or Events `{"message","errors"}`. */
export function errorGist(text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return text.trim().slice(0, 200);
  }
  const o = isObj(json) && isObj(json.error) ? json.error : json;
  if (!isObj(o)) return '';
  const errors = list(o.errors).filter((e): e is string => typeof e === 'string');
  const message = str(o.message) ?? '';
  return [message, ...errors].filter(Boolean).join(': ').slice(0, 300);
}

/** `{id, type, summary}`: how PagerDuty refers to a user, service, team, policy or schedule. */
export interface WireRef {
  id: string;
  type: string;
  summary: string | null;
}

export function readRef(v: unknown): WireRef | null {
  if (!isObj(v) || !str(v.id)) return null;
  return { id: v.id as string, type: str(v.type) ?? '', summary: str(v.summary) ?? str(v.name) };
}
const refs = (v: unknown): WireRef[] => list(v).flatMap((x) => readRef(x) ?? []);

export type WireStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface WireIncident {
  id: string;
  number: string;
  title: string;
  status: WireStatus;
  createdAt: string | null;
  incidentKey: string | null;
  service: WireRef | null;
  escalationPolicy: WireRef | null;
  teams: WireRef[];
  /** Who is being paged now (`assignments[].assignee`). */
  assignees: WireRef[];
  acknowledgements: { at: string | null; by: WireRef | null }[];
  lastStatusChangeBy: WireRef | null;
  resolvedAt: string | null;
  htmlUrl: string | null;
  alertCount: number | null;
}

const STATUSES: readonly string[] = ['triggered', 'acknowledged', 'resolved'];

export function readIncident(v: unknown): WireIncident | null {
  if (!isObj(v) || !str(v.id)) return null;
  const n = v.incident_number;
  const number =
    typeof n === 'number' && Number.isInteger(n) ? String(n) : typeof n === 'string' && /^\d+$/.test(n) ? n : null;
  if (!number || typeof v.status !== 'string' || !STATUSES.includes(v.status)) return null;
  return {
    id: v.id as string,
    number,
    title: str(v.title) ?? str(v.summary) ?? `Incident #${number}`,
    status: v.status as WireStatus,
    createdAt: str(v.created_at),
    incidentKey: str(v.incident_key),
    service: readRef(v.service),
    escalationPolicy: readRef(v.escalation_policy),
    teams: refs(v.teams),
    assignees: list(v.assignments).flatMap((a) => (isObj(a) ? (readRef(a.assignee) ?? []) : [])),
    acknowledgements: list(v.acknowledgements).flatMap((a) =>
      isObj(a) ? [{ at: str(a.at), by: readRef(a.acknowledger) }] : [],
    ),
    lastStatusChangeBy: readRef(v.last_status_change_by),
    resolvedAt: str(v.resolved_at),
    htmlUrl: str(v.html_url),
    alertCount: isObj(v.alert_counts) && typeof v.alert_counts.all === 'number' ? v.alert_counts.all : null,
  };
}

export interface WireUser {
  id: string;
  name: string;
  email: string | null;
  timeZone: string | null;
}

export function readUser(v: unknown): WireUser | null {
  if (!isObj(v) || !str(v.id)) return null;
  return {
    id: v.id as string,
    name: str(v.name) ?? str(v.summary) ?? (v.id as string),
    email: str(v.email),
    timeZone: str(v.time_zone),
  };
}

export interface WireRule {
  delayMinutes: number;
  targets: WireRef[];
}

export interface WirePolicy {
  id: string;
  name: string;
  numLoops: number;
  rules: WireRule[];
  teams: WireRef[];
}

export function readPolicy(v: unknown): WirePolicy | null {
  if (!isObj(v) || !str(v.id) || !Array.isArray(v.escalation_rules)) return null;
  return {
    id: v.id as string,
    name: str(v.name) ?? str(v.summary) ?? (v.id as string),
    numLoops: typeof v.num_loops === 'number' ? v.num_loops : 0,
    rules: v.escalation_rules.flatMap((r) =>
      isObj(r)
        ? [
            {
              delayMinutes: typeof r.escalation_delay_in_minutes === 'number' ? r.escalation_delay_in_minutes : 0,
              targets: refs(r.targets),
            },
          ]
        : [],
    ),
    teams: refs(v.teams),
  };
}

export interface WireService {
  id: string;
  name: string;
  status: string | null;
  escalationPolicy: WireRef | null;
}

export function readService(v: unknown): WireService | null {
  if (!isObj(v) || !str(v.id)) return null;
  return {
    id: v.id as string,
    name: str(v.name) ?? str(v.summary) ?? (v.id as string),
    status: str(v.status),
    escalationPolicy: readRef(v.escalation_policy),
  };
}

export interface WireOncall {
  policyId: string;
  level: number;
  user: WireRef;
  schedule: WireRef | null;
}

export function readOncall(v: unknown): WireOncall | null {
  if (!isObj(v)) return null;
  const policy = readRef(v.escalation_policy);
  const user = readRef(v.user);
  if (!policy || !user || typeof v.escalation_level !== 'number') return null;
  return { policyId: policy.id, level: v.escalation_level, user, schedule: readRef(v.schedule) };
}

export interface WireMaintenanceWindow {
  id: string;
  start: string | null;
  description: string | null;
  createdBy: WireRef | null;
  serviceIds: string[];
}

export function readMaintenanceWindow(v: unknown): WireMaintenanceWindow | null {
  if (!isObj(v) || !str(v.id)) return null;
  return {
    id: v.id as string,
    start: str(v.start_time),
    description: str(v.description),
    createdBy: readRef(v.created_by),
    serviceIds: refs(v.services).map((s) => s.id),
  };
}

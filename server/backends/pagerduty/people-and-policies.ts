import type { IncidentPhase } from '#common/index.js';
import type { IncidentUpdate, PolicyRef } from '../paging-backend.js';
import type { PagerDutyOrg } from './org.js';
import { isObj, readRef, type WireRef } from './wire.js';

// What the escalate-unpaged job, "Escalate now" and webhook updates ask of a paging service
// (server/backends/paging-backend.ts), for PagerDuty.

/** The escalation policy with this id; null when PagerDuty has none. UpstreamError when it cannot tell. */
export async function findPolicy(org: PagerDutyOrg, id: string): Promise<PolicyRef | null> {
  const policy = await org.policy(id);
  return policy ? { id: policy.id, name: policy.name } : null;
}

/** Whether a PagerDuty user has this e-mail (Klaxon knows PagerDuty users by e-mail); null when PagerDuty cannot tell now. */
export async function userExists(org: PagerDutyOrg, email: string): Promise<boolean | null> {
  try {
    return (await org.users()).byEmail.has(email.trim().toLowerCase());
  } catch {
    return null;
  }
}

const PHASES: Record<string, IncidentPhase> = { triggered: 'UNACKED', acknowledged: 'ACKED', resolved: 'RESOLVED' };

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const name = (r: WireRef | null): string | null => r?.summary ?? r?.id ?? null;

/**
 * The incident state of a v3 webhook delivery (`{event: {event_type, occurred_at, agent, data}}`,
 * docs/pagerduty.md#webhooks-v3), already authenticated by its signature. Null for anything that is
 * not an incident event Klaxon can read (then the delivery is only a reason to poll at once).
 */
export function readWebhook(body: unknown, routingKeyOf: (serviceId: string) => string | null): IncidentUpdate | null {
  const event = isObj(body) && isObj(body.event) ? body.event : null;
  const data = event && isObj(event.data) ? event.data : null;
  if (!event || !data || event.resource_type !== 'incident') return null;
  const number = typeof data.number === 'number' ? String(data.number) : null;
  const phase = PHASES[text(data.status) ?? ''];
  if (!number || !phase) return null;
  const occurred = Date.parse(text(event.occurred_at) ?? '');
  const at = Number.isNaN(occurred) ? null : occurred;
  const agent = readRef(event.agent);
  const service = readRef(data.service);
  const assignees = Array.isArray(data.assignees) ? data.assignees.flatMap((a) => readRef(a) ?? []) : [];
  const teams = Array.isArray(data.teams) ? data.teams.flatMap((t) => readRef(t) ?? []) : [];
  const link = text(data.html_url);
  const when = at === null ? null : new Date(at).toISOString();
  // Who acted is the event's agent: the acknowledger of `incident.acknowledged`, the resolver of `incident.resolved`.
  const acked = phase === 'ACKED' && event.event_type === 'incident.acknowledged';
  const resolved = phase === 'RESOLVED';
  return {
    number,
    phase,
    at,
    sequence: null,
    incident: {
      number,
      title: text(data.title) ?? `Incident #${number}`,
      phase,
      startedAt: text(data.created_at) ?? when ?? new Date(0).toISOString(),
      teams: teams.map((t) => ({ slug: t.id, name: t.summary ?? t.id })),
      pagedUsers: phase === 'UNACKED' ? assignees.flatMap((a) => name(a) ?? []) : [],
      link: link && /^https?:\/\//i.test(link) && URL.canParse(link) ? link : null,
      ackedBy: acked ? name(agent) : null,
      backend: 'pagerduty',
      routingKey: service ? routingKeyOf(service.id) : null,
      entityId: text(data.incident_key),
      ackedAt: acked ? when : null,
      resolvedBy: resolved ? name(agent) : null,
      resolvedAt: resolved ? when : null,
    },
  };
}

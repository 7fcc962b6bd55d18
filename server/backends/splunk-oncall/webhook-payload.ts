import type { Incident } from '#common/index.js';
import type { IncidentUpdate } from '../paging-backend.js';
import { portalLink } from './normalise.js';
import { isObj, readPhase, readTime } from './wire.js';

/**
 * The body of On-Call's "Any-Incident" outgoing webhook, filled from the payload template in
 * docs/server-config.md#webhook-payload. On-Call substitutes `${{…}}` variables as text, so every
 * value arrives as a string; a variable it could not fill may arrive empty or still as `${{…}}`.
 * Such a value counts as absent. Without a number and a phase the call is only a reason to poll.
 */
export interface WebhookFields {
  /** `${{STATE.INCIDENT_NAME}}`: the incident number. */
  incident?: unknown;
  /** `${{INCIDENT.CURRENT_PHASE}}`; `alert_phase` (`${{STATE.CURRENT_ALERT_PHASE}}`) when it is absent. */
  phase?: unknown;
  alert_phase?: unknown;
  entity_id?: unknown;
  title?: unknown;
  /** `${{STATE.ACK_USER}}`: who acknowledged (ACKED) or resolved (RESOLVED). */
  ack_user?: unknown;
  alert_count?: unknown;
  routing_key?: unknown;
  /** `${{STATE.TEAMS_PAGED.0}}`: the first team paged (a template cannot list them all). */
  team?: unknown;
  /** `${{STATE.INCIDENT_TIMESTAMP}}`: when the incident started, epoch ms. */
  started_at?: unknown;
  /** `${{INCIDENT.SEQUENCING.SEQUENCE}}`: increases with every change. */
  sequence?: unknown;
  /** `${{STATE.LAST_TIMESTAMP}}`: when this change happened, epoch ms. */
  ts?: unknown;
}

/** A filled-in value, or null for a missing, empty or unfilled (`${{…}}`) one. */
function text(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  const s = v.trim();
  return s === '' || s.includes('${{') || s.toLowerCase() === 'null' ? null : s;
}

const count = (v: unknown): number | null => {
  const s = text(v);
  return s !== null && /^\d+$/.test(s) ? Number(s) : null;
};

/** Epoch ms (or seconds) or an ISO time → epoch ms. */
const time = (v: unknown): number | null => {
  const s = text(v);
  if (s === null) return null;
  const iso = readTime(/^\d+$/.test(s) ? Number(s) : s);
  return iso === null ? null : Date.parse(iso);
};

/**
 * The webhook body → the incident update it reports, or null. The incident is provisional: a
 * template carries neither who is being paged nor every team, so those wait for the next poll.
 */
export function readWebhookPayload(
  body: unknown,
  ctx: { orgSlug: string | null; now: () => number },
): IncidentUpdate | null {
  if (!isObj(body)) return null;
  const f = body as WebhookFields;
  const number = text(f.incident)?.replace(/^#/, '') ?? null;
  const phase = readPhase(text(f.phase)) ?? readPhase(text(f.alert_phase));
  if (!number || !/^\d{1,12}$/.test(number) || !phase) return null;
  const at = time(f.ts);
  const atIso = new Date(at ?? ctx.now()).toISOString();
  const who = text(f.ack_user);
  const started = time(f.started_at);
  const team = text(f.team);
  const incident: Incident = {
    number,
    title: text(f.title) ?? `Incident #${number}`,
    phase,
    startedAt: new Date(started ?? at ?? ctx.now()).toISOString(),
    lastAlertAt: null,
    teams: team ? [{ slug: team, name: team }] : [],
    pagedUsers: [],
    routingKey: text(f.routing_key),
    entityId: text(f.entity_id),
    alertCount: count(f.alert_count) ?? 1,
    link: ctx.orgSlug ? portalLink(ctx.orgSlug, number) : null,
    ackedBy: phase === 'ACKED' ? who : null,
    ackedAt: phase === 'ACKED' ? atIso : null,
    resolvedBy: phase === 'RESOLVED' ? who : null,
    resolvedAt: phase === 'RESOLVED' ? atIso : null,
    provisional: true,
  };
  return { number, phase, at, sequence: count(f.sequence), incident };
}

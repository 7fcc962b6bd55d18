/**
 * An incident as the simulator holds it, and its wire form (docs/splunk-oncall.md#the-incident-object).
 * The state machine that changes it is state.ts.
 */
import { isoSeconds } from '../simulator-kit/clock.js';
import { directUserSlug, type PolicyRun, type Targets } from './paging.js';
import type { Phase, PolicyRef, WireIncident, WireTransition } from './types.js';

export interface SimTransition {
  name: Phase;
  at: number;
  by?: string;
  message?: string;
  manually: boolean;
  alertId?: string;
}

/** A multi-responder incident's target and who acknowledged for it. */
export interface Responder {
  /** A policy slug, or `directUserPolicySlug-<user>` for a user targeted directly. */
  slug: string;
  ackedBy: string | null;
}

export interface SimIncident {
  number: number;
  startTime: number;
  phase: Phase;
  entityId: string;
  entityDisplayName: string;
  entityState: string;
  routingKey: string;
  alertCount: number;
  lastAlertTime: number;
  lastAlertId: string;
  firstAlertUuid: string;
  host: string;
  service: string;
  pagedTeams: string[];
  pagedUsers: string[];
  pagedPolicies: PolicyRef[];
  transitions: SimTransition[];
  monitorName: string;
  monitorType: string;
  resolvedAt: number | null;
  ackUser: string | null;
  /** Where it was sent; paging starts over from these after maintenance mode or a re-trigger. */
  targets: Targets;
  runs: PolicyRun[];
  /** Opened while maintenance mode muted its routing key: listed, but paging nobody. */
  muted: boolean;
  /** Multi-responder: every target must acknowledge before the incident is ACKED. Null: one ack is enough. */
  responders: Responder[] | null;
  /** Everyone ever paged for it: `ack-resolve-by-user` still finds incidents after paging stopped. */
  everPaged: string[];
}

/** An alert as stored (docs/splunk-oncall.md#rest-endpoint-alert): every field the sender gave, plus receipt data. */
export interface SimAlert {
  uuid: string;
  receivedAt: number;
  routingKey: string;
  messageType: string;
  fields: Record<string, unknown>;
}

export type IncidentChange = 'triggered' | 'acked' | 'resolved' | 'retriggered';

export interface ActionResult {
  incidentNumber: string;
  entityId: string;
  cmdAccepted: boolean;
  message: string;
}

export function toWire(i: SimIncident, orgSlug: string): WireIncident {
  return {
    incidentNumber: String(i.number),
    startTime: isoSeconds(i.startTime),
    currentPhase: i.phase,
    entityId: i.entityId,
    entityDisplayName: i.entityDisplayName,
    entityType: 'SERVICE',
    entityState: i.entityState,
    routingKey: i.routingKey,
    alertCount: i.alertCount,
    lastAlertTime: isoSeconds(i.lastAlertTime),
    lastAlertId: i.lastAlertId,
    firstAlertUuid: i.firstAlertUuid,
    host: i.host,
    service: i.service,
    pagedTeams: [...i.pagedTeams],
    pagedUsers: [...i.pagedUsers],
    pagedPolicies: structuredClone(i.pagedPolicies),
    transitions: i.transitions.map(wireTransition),
    monitorName: i.monitorName,
    monitorType: i.monitorType,
    incidentLink: `https://portal.victorops.com/client/${orgSlug}/popoutIncident?incidentName=${i.number}`,
  };
}

export function respondersFor(t: Targets): Responder[] {
  return [...t.policies, ...t.users.map(directUserSlug)].map((slug) => ({ slug, ackedBy: null }));
}

function wireTransition(t: SimTransition): WireTransition {
  return {
    name: t.name,
    at: isoSeconds(t.at),
    manually: t.manually,
    ...(t.by !== undefined ? { by: t.by } : {}),
    ...(t.message !== undefined ? { message: t.message } : {}),
    ...(t.alertId !== undefined ? { alertId: t.alertId } : {}),
  };
}

/**
 * A page sent straight to a user shows this generated policy, with no team
 * (docs/splunk-oncall.md#the-incident-object).
 */
export function directUserPolicy(username: string): PolicyRef {
  return { policy: { name: `Generated Direct User Policy for ${username}`, slug: directUserSlug(username) } };
}

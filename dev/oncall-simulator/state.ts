/**
 * The incident state machine (docs/splunk-oncall.md#phases): incidents, the alerts rolled into them,
 * and the UNACKED → ACKED → RESOLVED transitions. Nothing here knows about HTTP.
 */
import { randomUUID } from 'node:crypto';
import { isoSeconds, type SimClock } from './clock.js';
import { DEFAULT_ROUTING_KEY, type OrgDirectory, type OrgPolicy } from './org.js';
import type { Phase, PolicyRef, WireIncident, WireTransition } from './types.js';

export interface SimTransition {
  name: Phase;
  at: number;
  by?: string;
  message?: string;
  manually: boolean;
  alertId?: string;
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
  /** Everyone ever paged for it: `ack-resolve-by-user` still finds incidents after paging stopped. */
  everPaged?: string[];
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

export class IncidentStore {
  private incidents = new Map<number, SimIncident>();
  private alerts = new Map<string, SimAlert>();
  private nextNumber = 1;
  private readonly listeners = new Set<(i: SimIncident, change: IncidentChange) => void>();

  constructor(
    private readonly clock: SimClock,
    private readonly org: OrgDirectory,
    private readonly opts: { warningOpensIncident: boolean },
  ) {}

  onChange(l: (i: SimIncident, change: IncidentChange) => void): void {
    this.listeners.add(l);
  }

  clear(firstNumber: number): void {
    this.incidents.clear();
    this.alerts.clear();
    this.nextNumber = firstNumber;
  }

  /** Reserved up front so a manual incident can report its number before it becomes visible. */
  allocateNumber(): number {
    return this.nextNumber++;
  }

  get(n: number): SimIncident | undefined {
    return this.incidents.get(n);
  }

  alert(uuid: string): SimAlert | undefined {
    return this.alerts.get(uuid);
  }

  all(): SimIncident[] {
    return [...this.incidents.values()].sort((a, b) => b.number - a.number);
  }

  /** What `GET /incidents` lists: open incidents and those resolved within the retention window. */
  listed(retentionMs: number): SimIncident[] {
    const now = this.clock.now();
    return this.all().filter(
      (i) => i.phase !== 'RESOLVED' || (i.resolvedAt !== null && now - i.resolvedAt <= retentionMs),
    );
  }

  private openFor(entityId: string): SimIncident | undefined {
    for (const i of this.incidents.values()) if (i.entityId === entityId && i.phase !== 'RESOLVED') return i;
    return undefined;
  }

  private emit(i: SimIncident, change: IncidentChange): void {
    for (const l of this.listeners) l(i, change);
  }

  private storeAlert(routingKey: string, messageType: string, fields: Record<string, unknown>, at: number): SimAlert {
    const a: SimAlert = { uuid: randomUUID(), receivedAt: at, routingKey, messageType, fields };
    this.alerts.set(a.uuid, a);
    return a;
  }

  /**
   * One REST endpoint alert (docs/splunk-oncall.md#rest-endpoint-alert). `messageType` is already normalised
   * (upper case, OK → RECOVERY, unknown → INFO); `receivedAt` is when the endpoint accepted it.
   */
  applyRestAlert(
    routingKey: string,
    messageType: string,
    entityId: string,
    fields: Record<string, unknown>,
    receivedAt: number,
  ): void {
    const alert = this.storeAlert(
      routingKey,
      messageType,
      { ...fields, entity_id: entityId, message_type: messageType },
      receivedAt,
    );
    const open = this.openFor(entityId);
    const str = (k: string): string | undefined => (typeof fields[k] === 'string' ? (fields[k] as string) : undefined);
    const opens = messageType === 'CRITICAL' || (messageType === 'WARNING' && this.opts.warningOpensIncident);

    if (messageType === 'INFO' || (messageType === 'WARNING' && !open && !opens)) return; // timeline only
    if (!open) {
      if (!opens) return; // ACK/RECOVERY for nothing open: accepted, no visible effect
      const title = str('entity_display_name') ?? entityId;
      const route = this.org.route(routingKey);
      const policies = route.policySlugs.map((s) => this.org.policy(s)).filter((p): p is OrgPolicy => !!p);
      this.insert({
        number: this.allocateNumber(),
        startTime: receivedAt,
        phase: 'UNACKED',
        entityId,
        entityDisplayName: title,
        entityState: messageType,
        routingKey: routingKey || DEFAULT_ROUTING_KEY,
        alertCount: 1,
        lastAlertTime: receivedAt,
        lastAlertId: alert.uuid,
        firstAlertUuid: alert.uuid,
        host: str('host_name') ?? str('hostname') ?? '',
        service: title,
        pagedTeams: [...new Set(policies.map((p) => p.teamSlug))],
        pagedUsers: this.org.pagedUsersFor(policies),
        pagedPolicies: policies.map((p) => this.org.policyRef(p)),
        transitions: [],
        monitorName: str('monitoring_tool') ?? 'REST',
        monitorType: 'REST',
        resolvedAt: null,
        ackUser: null,
      });
      return;
    }

    // Roll-up into the open incident with the same entity_id.
    open.alertCount++;
    open.lastAlertTime = receivedAt;
    open.lastAlertId = alert.uuid;
    if (messageType === 'ACKNOWLEDGEMENT') {
      if (open.phase === 'UNACKED')
        this.transition(open, 'ACKED', {
          by: str('ack_author') ?? 'SYSTEM',
          message: str('ack_msg'),
          manually: false,
          alertId: alert.uuid,
        });
    } else if (messageType === 'RECOVERY') {
      open.entityState = 'OK';
      this.transition(open, 'RESOLVED', {
        by: str('ack_author') ?? 'SYSTEM',
        message: str('state_message'),
        manually: false,
        alertId: alert.uuid,
      });
    } else {
      const escalates = open.phase === 'ACKED' && open.entityState === 'WARNING' && messageType === 'CRITICAL';
      open.entityState = messageType;
      if (escalates) this.transition(open, 'UNACKED', { by: 'SYSTEM', manually: false, alertId: alert.uuid });
    }
  }

  /** A manual incident (`create-incident` or the control API); the number was allocated when it was requested. */
  applyManual(m: {
    number: number;
    title: string;
    details: string;
    userName: string | null;
    entityId: string;
    routingKey: string;
    policies: PolicyRef[];
    pagedTeams: string[];
    pagedUsers: string[];
    receivedAt: number;
  }): void {
    const alert = this.storeAlert(
      m.routingKey,
      'CRITICAL',
      {
        message_type: 'CRITICAL',
        entity_id: m.entityId,
        entity_display_name: m.title,
        state_message: m.details,
        ...(m.userName ? { created_by: m.userName } : {}),
      },
      m.receivedAt,
    );
    this.insert({
      number: m.number,
      startTime: m.receivedAt,
      phase: 'UNACKED',
      entityId: m.entityId,
      entityDisplayName: m.title,
      entityState: 'CRITICAL',
      routingKey: m.routingKey,
      alertCount: 1,
      lastAlertTime: m.receivedAt,
      lastAlertId: alert.uuid,
      firstAlertUuid: alert.uuid,
      host: '',
      service: m.title,
      pagedTeams: m.pagedTeams,
      pagedUsers: m.pagedUsers,
      pagedPolicies: m.policies,
      transitions: [],
      monitorName: m.userName ? `vouser-${m.userName}` : 'vouser-system',
      monitorType: 'Manual',
      resolvedAt: null,
      ackUser: null,
    });
  }

  /** Inserts a prepared incident (seed data) without the alert bookkeeping of the other paths. */
  insert(i: SimIncident): void {
    i.everPaged = [...new Set([...(i.everPaged ?? []), ...i.pagedUsers])];
    this.incidents.set(i.number, i);
    if (i.number >= this.nextNumber) this.nextNumber = i.number + 1;
    if (i.phase === 'UNACKED') this.emit(i, 'triggered');
  }

  /** `ack-resolve` per-incident outcome; `manually` is true for people (API, control), false for REST alerts. */
  act(kind: 'ack' | 'resolve', incidentName: string, userName: string, message: string | undefined): ActionResult {
    const n = /^\d+$/.test(incidentName) ? Number(incidentName) : NaN;
    const i = this.incidents.get(n);
    if (!i) return { incidentNumber: incidentName, entityId: '', cmdAccepted: false, message: 'Incident not found' };
    const result = { incidentNumber: String(i.number), entityId: i.entityId };
    if (i.phase === 'RESOLVED') return { ...result, cmdAccepted: false, message: 'Incident is not open' };
    if (kind === 'ack' && i.phase === 'ACKED')
      return { ...result, cmdAccepted: false, message: 'Incident is already acknowledged' };
    this.transition(i, kind === 'ack' ? 'ACKED' : 'RESOLVED', { by: userName, message, manually: true });
    return { ...result, cmdAccepted: true, message: '' };
  }

  /** Open incidents on which `userName` was paged (`ack-resolve-by-user`), looked up before paging stops. */
  pagedTo(userName: string): SimIncident[] {
    return this.all().filter((i) => i.phase !== 'RESOLVED' && (i.everPaged ?? []).includes(userName));
  }

  private transition(
    i: SimIncident,
    name: Phase,
    t: { by?: string; message?: string | undefined; manually: boolean; alertId?: string },
  ): void {
    const at = this.clock.now();
    i.transitions.push({
      name,
      at,
      manually: t.manually,
      ...(t.by ? { by: t.by } : {}),
      ...(t.message ? { message: t.message } : {}),
      ...(t.alertId ? { alertId: t.alertId } : {}),
    });
    i.phase = name;
    if (name === 'ACKED') {
      i.ackUser = t.by ?? null;
      // Paging stops once someone acknowledges. That is Wikimedia's reading; real answers may differ
      // (docs/splunk-oncall.md#what-real-organisations-add).
      i.pagedUsers = [];
      this.emit(i, 'acked');
    } else if (name === 'RESOLVED') {
      i.resolvedAt = at;
      i.pagedUsers = [];
      this.emit(i, 'resolved');
    } else {
      // Popped off ack by an escalating alert: page the on-call users of its policies again.
      i.ackUser = null;
      const policies = i.pagedPolicies.map((p) => this.org.policy(p.policy.slug)).filter((p): p is OrgPolicy => !!p);
      i.pagedUsers = this.org.pagedUsersFor(policies);
      i.everPaged = [...new Set([...(i.everPaged ?? []), ...i.pagedUsers])];
      this.emit(i, 'retriggered');
    }
  }

  /** Replaces or adds the policies/users paged for an open incident (`reroute`). */
  reroute(i: SimIncident, policies: OrgPolicy[], users: string[], add: boolean): void {
    const refs = policies.map((p) => this.org.policyRef(p));
    const userRefs = users.map((u) => directUserPolicy(u));
    const paged = [...this.org.pagedUsersFor(policies), ...users];
    const teams = [...policies.map((p) => p.teamSlug), ...users.flatMap((u) => this.org.teamsOf(u).map((t) => t.slug))];
    i.pagedPolicies = add ? [...i.pagedPolicies, ...refs, ...userRefs] : [...refs, ...userRefs];
    i.pagedUsers = [...new Set(add ? [...i.pagedUsers, ...paged] : paged)];
    i.pagedTeams = [...new Set(add ? [...i.pagedTeams, ...teams] : teams)];
    i.everPaged = [...new Set([...(i.everPaged ?? []), ...i.pagedUsers])];
  }

  toWire(i: SimIncident, orgSlug: string): WireIncident {
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
  return { policy: { name: `Generated Direct User Policy for ${username}`, slug: `directUserPolicySlug-${username}` } };
}

/**
 * The incident state machine (docs/splunk-oncall.md#phases): incidents, the alerts rolled into them,
 * the UNACKED → ACKED → RESOLVED transitions, and who each one pages while it is UNACKED (paging.ts).
 * Nothing here knows about HTTP.
 */
import { randomUUID } from 'node:crypto';
import type { SimClock } from '../simulator-kit/clock.js';
import {
  directUserPolicy,
  respondersFor,
  type ActionResult,
  type IncidentChange,
  type SimAlert,
  type SimIncident,
} from './incident.js';
import { DEFAULT_ROUTING_KEY, type OrgDirectory, type OrgPolicy } from './org.js';
import { advanceRuns, beingPaged, directUserSlug, startRuns, type Targets } from './paging.js';
import type { Phase, Switches } from './types.js';

export type { ActionResult, IncidentChange, SimAlert, SimIncident } from './incident.js';

export interface StoreContext {
  clock: SimClock;
  org: OrgDirectory;
  /** The simulator's switches, read at each use so a change applies at once. */
  switches: Switches;
  /** Whether maintenance mode mutes paging on this routing key now. */
  muted(routingKey: string): boolean;
}

/** Everything that opens an incident, whichever way it arrives (REST alert, create-incident, control, seed). */
interface Opening {
  number?: number;
  at: number;
  entityId: string;
  title: string;
  entityState: string;
  routingKey: string;
  host: string;
  monitorName: string;
  monitorType: string;
  targets: Targets;
  multiResponder: boolean;
  alertId: string;
}

export class IncidentStore {
  private incidents = new Map<number, SimIncident>();
  private alerts = new Map<string, SimAlert>();
  private nextNumber = 1;
  private readonly listeners = new Set<(i: SimIncident, change: IncidentChange) => void>();

  constructor(private readonly ctx: StoreContext) {}

  private get org(): OrgDirectory {
    return this.ctx.org;
  }

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
    const now = this.ctx.clock.now();
    return this.all().filter(
      (i) => i.phase !== 'RESOLVED' || (i.resolvedAt !== null && now - i.resolvedAt <= retentionMs),
    );
  }

  /** Runs every escalation step that has come due (simulated clock) on every paging incident. */
  escalate(): void {
    const now = this.ctx.clock.now();
    for (const i of this.incidents.values()) this.repage(i, now);
  }

  private openFor(entityId: string): SimIncident | undefined {
    for (const i of this.incidents.values()) if (i.entityId === entityId && i.phase !== 'RESOLVED') return i;
    return undefined;
  }

  private emit(i: SimIncident, change: IncidentChange): void {
    for (const l of this.listeners) l(i, change);
  }

  storeAlert(routingKey: string, messageType: string, fields: Record<string, unknown>, at: number): SimAlert {
    const a: SimAlert = { uuid: randomUUID(), receivedAt: at, routingKey, messageType, fields };
    this.alerts.set(a.uuid, a);
    return a;
  }

  /**
   * One REST endpoint alert (docs/splunk-oncall.md#rest-endpoint-alert), after the Rules Engine.
   * `messageType` is already normalised (upper case, OK → RECOVERY, unknown → INFO); `routingKey` is
   * as the incident records it; `receivedAt` is when the endpoint accepted it.
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
    const opens = messageType === 'CRITICAL' || (messageType === 'WARNING' && this.ctx.switches.warningOpensIncident);

    if (messageType === 'INFO' || (messageType === 'WARNING' && !open && !opens)) return; // timeline only
    if (!open) {
      if (!opens) return; // ACK/RECOVERY for nothing open: accepted, no visible effect
      this.open({
        ...this.routed(routingKey),
        at: receivedAt,
        entityId,
        title: str('entity_display_name') ?? entityId,
        entityState: messageType,
        routingKey: routingKey || DEFAULT_ROUTING_KEY,
        host: str('host_name') ?? str('hostname') ?? '',
        monitorName: str('monitoring_tool') ?? 'REST',
        monitorType: 'REST',
        alertId: alert.uuid,
      });
      return;
    }

    // Roll-up into the open incident with the same entity_id.
    open.alertCount++;
    open.lastAlertTime = receivedAt;
    open.lastAlertId = alert.uuid;
    if (messageType === 'ACKNOWLEDGEMENT') {
      if (open.phase === 'UNACKED')
        this.acknowledge(open, str('ack_author') ?? 'SYSTEM', str('ack_msg'), false, alert.uuid);
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

  /** A manual incident (`create-incident` or the control API); the number may have been allocated when it was requested. */
  applyManual(m: {
    number?: number;
    title: string;
    details: string;
    userName: string | null;
    entityId: string;
    routingKey: string;
    targets: Targets;
    multiResponder: boolean;
    receivedAt: number;
  }): SimIncident {
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
    return this.open({
      ...(m.number !== undefined ? { number: m.number } : {}),
      at: m.receivedAt,
      entityId: m.entityId,
      title: m.title,
      entityState: 'CRITICAL',
      routingKey: m.routingKey,
      host: '',
      monitorName: m.userName ? `vouser-${m.userName}` : 'vouser-system',
      monitorType: 'Manual',
      targets: m.targets,
      multiResponder: m.multiResponder,
      alertId: alert.uuid,
    });
  }

  /** Where an incident on this routing key goes: its route's policies (the default route's for an unknown key). */
  routed(routingKey: string): { targets: Targets; multiResponder: boolean } {
    const route = this.org.route(routingKey, this.ctx.switches.routingKeyCase);
    return { targets: { policies: [...route.policySlugs], users: [] }, multiResponder: route.multiResponder === true };
  }

  /** A new UNACKED incident that starts paging its targets at `o.at` (unless maintenance mode mutes its key). */
  open(o: Opening): SimIncident {
    const i: SimIncident = {
      number: o.number ?? this.allocateNumber(),
      startTime: o.at,
      phase: 'UNACKED',
      entityId: o.entityId,
      entityDisplayName: o.title,
      entityState: o.entityState,
      routingKey: o.routingKey,
      alertCount: 1,
      lastAlertTime: o.at,
      lastAlertId: o.alertId,
      firstAlertUuid: o.alertId,
      host: o.host,
      service: o.title,
      pagedTeams: [],
      pagedUsers: [],
      pagedPolicies: [],
      transitions: [],
      monitorName: o.monitorName,
      monitorType: o.monitorType,
      resolvedAt: null,
      ackUser: null,
      targets: { policies: [...new Set(o.targets.policies)], users: [...new Set(o.targets.users)] },
      runs: [],
      muted: this.ctx.muted(o.routingKey),
      responders: null,
      everPaged: [],
    };
    if (o.multiResponder) i.responders = respondersFor(i.targets);
    this.describeTargets(i);
    if (!i.muted) i.runs = startRuns(i.targets, o.at);
    this.repage(i, o.at);
    this.incidents.set(i.number, i);
    if (i.number >= this.nextNumber) this.nextNumber = i.number + 1;
    this.emit(i, 'triggered');
    return i;
  }

  /** pagedPolicies and pagedTeams from the targets; empty while muted (nobody is paged). */
  private describeTargets(i: SimIncident): void {
    const policies = i.targets.policies.map((s) => this.org.policy(s)).filter((p): p is OrgPolicy => !!p);
    const teams = [
      ...new Set([
        ...policies.map((p) => p.teamSlug),
        ...i.targets.users.flatMap((u) => this.org.teamsOf(u).map((t) => t.slug)),
      ]),
    ];
    i.pagedPolicies = i.muted
      ? []
      : [...policies.map((p) => this.org.policyRef(p)), ...i.targets.users.map(directUserPolicy)];
    i.pagedTeams = i.muted && this.ctx.switches.mutedPagedTeams === 'empty' ? [] : teams;
  }

  /** Runs due escalation steps and recomputes who is being paged, while the incident is UNACKED and not muted. */
  private repage(i: SimIncident, now: number): void {
    if (i.phase !== 'UNACKED' || i.muted) return;
    advanceRuns(this.org, i.runs, now);
    i.pagedUsers = beingPaged(i.runs);
    for (const u of i.pagedUsers) if (!i.everPaged.includes(u)) i.everPaged.push(u);
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
    if (kind === 'ack') this.acknowledge(i, userName, message, true);
    else this.transition(i, 'RESOLVED', { by: userName, message, manually: true });
    return { ...result, cmdAccepted: true, message: '' };
  }

  /**
   * An acknowledgement. On a multi-responder incident it counts for each target whose paging reached
   * `by` (that target stops paging); the incident becomes ACKED once every target has one.
   */
  private acknowledge(
    i: SimIncident,
    by: string,
    message: string | undefined,
    manually: boolean,
    alertId?: string,
  ): void {
    if (i.responders) {
      this.repage(i, this.ctx.clock.now());
      const reached = i.responders.filter(
        (r) =>
          r.slug === directUserSlug(by) || i.runs.some((run) => run.responder === r.slug && run.paged.includes(by)),
      );
      const counts =
        reached.length > 0 ? reached : this.ctx.switches.multiResponderOutsiderAck === 'acks-all' ? i.responders : [];
      for (const r of counts) {
        r.ackedBy ??= by;
        for (const run of i.runs) if (run.responder === r.slug) run.stopped = true;
      }
      if (i.responders.some((r) => r.ackedBy === null)) {
        i.pagedUsers = i.muted ? [] : beingPaged(i.runs);
        return;
      }
    }
    this.transition(i, 'ACKED', { by, message, manually, ...(alertId ? { alertId } : {}) });
  }

  /** Open incidents on which `userName` was paged (`ack-resolve-by-user`), looked up before paging stops. */
  pagedTo(userName: string): SimIncident[] {
    return this.all().filter((i) => i.phase !== 'RESOLVED' && i.everPaged.includes(userName));
  }

  private transition(
    i: SimIncident,
    name: Phase,
    t: { by?: string; message?: string | undefined; manually: boolean; alertId?: string },
  ): void {
    const at = this.ctx.clock.now();
    i.transitions.push({
      name,
      at,
      manually: t.manually,
      ...(t.by ? { by: t.by } : {}),
      ...(t.message ? { message: t.message } : {}),
      ...(t.alertId ? { alertId: t.alertId } : {}),
    });
    i.phase = name;
    if (name === 'UNACKED') {
      // Popped off ack by an escalating alert: paging starts over from every target's first step.
      i.ackUser = null;
      i.muted = this.ctx.muted(i.routingKey);
      for (const r of i.responders ?? []) r.ackedBy = null;
      this.describeTargets(i);
      i.runs = i.muted ? [] : startRuns(i.targets, at);
      i.pagedUsers = [];
      this.repage(i, at);
      this.emit(i, 'retriggered');
      return;
    }
    // Paging stops once someone acknowledges. Whether pagedUsers then empties is not known
    // (docs/splunk-oncall.md#what-real-organisations-add): a switch says which.
    for (const run of i.runs) run.stopped = true;
    if (this.ctx.switches.pagedUsersAfterAck === 'empty') i.pagedUsers = [];
    if (name === 'ACKED') {
      i.ackUser = t.by ?? null;
      this.emit(i, 'acked');
    } else {
      i.resolvedAt = at;
      this.emit(i, 'resolved');
    }
  }

  /**
   * `reroute`: replace who an open incident pages, or (`add`) page these too and require an
   * acknowledgement from each (docs/splunk-oncall.md#reroute). An explicit reroute pages even under
   * maintenance mode.
   */
  reroute(i: SimIncident, targets: Targets, add: boolean): void {
    const now = this.ctx.clock.now();
    const fresh: Targets = {
      policies: targets.policies.filter((p) => !add || !i.targets.policies.includes(p)),
      users: targets.users.filter((u) => !add || !i.targets.users.includes(u)),
    };
    if (add) {
      i.responders ??= respondersFor(i.targets);
      i.responders.push(...respondersFor(fresh));
      i.targets = { policies: [...i.targets.policies, ...fresh.policies], users: [...i.targets.users, ...fresh.users] };
    } else {
      i.targets = { policies: [...new Set(targets.policies)], users: [...new Set(targets.users)] };
      if (i.responders) i.responders = respondersFor(i.targets);
    }
    const wasMuted = i.muted;
    i.muted = false;
    this.describeTargets(i);
    i.runs = add && !wasMuted ? [...i.runs, ...startRuns(fresh, now)] : startRuns(i.targets, now);
    if (i.phase === 'UNACKED') this.repage(i, now);
  }

  /** After maintenance mode ended: incidents no longer muted get their targets back, and triggered ones start paging. */
  unmute(): void {
    const now = this.ctx.clock.now();
    for (const i of this.incidents.values()) {
      if (!i.muted || this.ctx.muted(i.routingKey)) continue;
      i.muted = false;
      this.describeTargets(i);
      if (i.phase !== 'UNACKED') continue;
      i.runs = startRuns(i.targets, now);
      this.repage(i, now);
    }
  }
}

/**
 * Incidents and their life cycle: open by dedup key, acknowledge, resolve, reopen, escalate along
 * the escalation policy on the simulated clock, reassign to another policy. Every change appends a
 * log entry and is announced to listeners (the v3 webhook sender). Wire shapes live in wire.ts.
 */
import type { SimClock } from '../simulator-kit/clock.js';
import type { OrgDirectory, OrgService } from './org.js';

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

/** Who did something: a user (REST, with `From`) or a service (Events API). */
export interface Agent {
  type: 'user_reference' | 'service_reference';
  id: string;
}

export type LogEntryType =
  | 'trigger_log_entry'
  | 'acknowledge_log_entry'
  | 'resolve_log_entry'
  | 'escalate_log_entry'
  | 'assign_log_entry'
  | 'unacknowledge_log_entry';

export interface LogEntry {
  id: string;
  type: LogEntryType;
  atMs: number;
  agent: Agent | null;
  /** `api` for Events API and REST calls, `timeout` for an escalation the clock caused. */
  channel: Record<string, unknown> & { type: string };
  summary: string;
  assigneeIds?: string[];
}

export type IncidentEventType =
  | 'incident.triggered'
  | 'incident.acknowledged'
  | 'incident.unacknowledged'
  | 'incident.resolved'
  | 'incident.reopened'
  | 'incident.escalated'
  | 'incident.delegated';

export interface TriggerDetails {
  title: string;
  dedupKey: string;
  source?: string;
  severity?: string;
  customDetails?: unknown;
  client?: string;
  clientUrl?: string;
  links?: unknown[];
}

export interface SimIncident {
  id: string;
  number: number;
  title: string;
  serviceId: string;
  policyId: string;
  incidentKey: string;
  status: IncidentStatus;
  urgency: 'high' | 'low';
  createdAtMs: number;
  updatedAtMs: number;
  lastStatusChangeAtMs: number;
  lastStatusChangeBy: Agent;
  resolvedAtMs: number | null;
  /** 1-based escalation rule now paged, when this level began, and how many loops are done. */
  level: number;
  levelSinceMs: number;
  loopsDone: number;
  assignments: { atMs: number; userId: string }[];
  acknowledgements: { atMs: number; by: Agent }[];
  /** Trigger events folded into this incident (1 for a fresh one). */
  triggerCount: number;
  details: TriggerDetails;
  log: LogEntry[];
}

export type IncidentListener = (type: IncidentEventType, i: SimIncident, agent: Agent | null, atMs: number) => void;

export class IncidentStore {
  private readonly incidents: SimIncident[] = [];
  private readonly listeners: IncidentListener[] = [];
  private nextNumber: number;

  constructor(
    private readonly clock: SimClock,
    private readonly dir: OrgDirectory,
    firstNumber = 1,
  ) {
    this.nextNumber = firstNumber;
  }

  onChange(l: IncidentListener): void {
    this.listeners.push(l);
  }

  all(): SimIncident[] {
    return [...this.incidents];
  }

  get(id: string): SimIncident | undefined {
    return this.incidents.find((i) => i.id === id);
  }

  /** The open incident an event with this dedup key applies to: same service (routing key), not resolved. */
  findOpen(serviceId: string, dedupKey: string): SimIncident | undefined {
    return this.incidents.find(
      (i) => i.serviceId === serviceId && i.incidentKey === dedupKey && i.status !== 'resolved',
    );
  }

  /** Opens an incident on the service's policy, first rule, assigned to whoever that rule pages now. */
  open(service: OrgService, d: TriggerDetails, agent: Agent, atMs = this.clock.now()): SimIncident {
    const policy = this.dir.policy(service.policyId)!;
    const i: SimIncident = {
      id: this.dir.newId('Q'),
      number: this.nextNumber++,
      title: d.title,
      serviceId: service.id,
      policyId: policy.id,
      incidentKey: d.dedupKey,
      status: 'triggered',
      urgency: service.urgency,
      createdAtMs: atMs,
      updatedAtMs: atMs,
      lastStatusChangeAtMs: atMs,
      lastStatusChangeBy: agent,
      resolvedAtMs: null,
      level: 1,
      levelSinceMs: atMs,
      loopsDone: 0,
      assignments: [],
      acknowledgements: [],
      triggerCount: 1,
      details: d,
      log: [],
    };
    this.incidents.push(i);
    this.addLog(i, 'trigger_log_entry', agent, atMs, triggerChannel(d), 'Triggered through the API');
    this.assignLevel(i, 1, atMs);
    this.emit('incident.triggered', i, agent, atMs);
    return i;
  }

  /** A trigger on an open dedup key: one more trigger log entry, no new incident, no notification. */
  retrigger(i: SimIncident, d: TriggerDetails, agent: Agent, atMs = this.clock.now()): void {
    i.triggerCount += 1;
    i.updatedAtMs = atMs;
    this.addLog(i, 'trigger_log_entry', agent, atMs, triggerChannel(d), 'Triggered through the API');
  }

  /** False when nothing changed (already acknowledged by this agent). Reopens a resolved incident. */
  acknowledge(i: SimIncident, agent: Agent, atMs = this.clock.now()): boolean {
    if (i.status === 'acknowledged' && i.acknowledgements.some((a) => sameAgent(a.by, agent))) return false;
    const reopened = i.status === 'resolved';
    if (reopened) i.resolvedAtMs = null;
    i.status = 'acknowledged';
    i.acknowledgements.push({ atMs, by: agent });
    // A user who acknowledges through the REST API becomes the assignee (docs/pagerduty.md#acknowledging-with-from).
    if (agent.type === 'user_reference') i.assignments = [{ atMs, userId: agent.id }];
    this.changed(i, agent, atMs);
    this.addLog(
      i,
      'acknowledge_log_entry',
      agent,
      atMs,
      { type: agent.type === 'user_reference' ? 'web_trigger' : 'api' },
      'Acknowledged',
    );
    if (reopened) this.emit('incident.reopened', i, agent, atMs);
    this.emit('incident.acknowledged', i, agent, atMs);
    return true;
  }

  resolve(i: SimIncident, agent: Agent, atMs = this.clock.now()): boolean {
    if (i.status === 'resolved') return false;
    i.status = 'resolved';
    i.resolvedAtMs = atMs;
    i.assignments = [];
    this.changed(i, agent, atMs);
    this.addLog(i, 'resolve_log_entry', agent, atMs, { type: 'api' }, 'Resolved');
    this.emit('incident.resolved', i, agent, atMs);
    return true;
  }

  /** Back to triggered: from acknowledged (unacknowledge) or from resolved (reopen), paging level 1 again. */
  retriggerStatus(i: SimIncident, agent: Agent, atMs = this.clock.now()): boolean {
    if (i.status === 'triggered') return false;
    const was = i.status;
    i.status = 'triggered';
    i.resolvedAtMs = null;
    i.acknowledgements = [];
    i.loopsDone = 0;
    this.changed(i, agent, atMs);
    this.addLog(i, 'unacknowledge_log_entry', agent, atMs, { type: 'api' }, 'Unacknowledged');
    this.assignLevel(i, was === 'resolved' ? 1 : i.level, atMs);
    this.emit(was === 'resolved' ? 'incident.reopened' : 'incident.unacknowledged', i, agent, atMs);
    return true;
  }

  /** Pages escalation level `level` (1-based) of the incident's policy now. */
  escalateTo(i: SimIncident, level: number, agent: Agent | null, atMs = this.clock.now(), channel = 'api'): void {
    i.updatedAtMs = atMs;
    this.assignLevel(i, level, atMs);
    this.addLog(
      i,
      'escalate_log_entry',
      agent,
      atMs,
      { type: channel },
      `Escalated to level ${level}`,
      this.assignees(i),
    );
    this.emit('incident.escalated', i, agent, atMs);
  }

  /** Hands the incident to another escalation policy, starting at its first rule. */
  delegate(i: SimIncident, policyId: string, agent: Agent, atMs = this.clock.now()): void {
    i.policyId = policyId;
    i.loopsDone = 0;
    i.updatedAtMs = atMs;
    if (i.status === 'acknowledged') {
      i.status = 'triggered';
      i.acknowledgements = [];
      this.changed(i, agent, atMs);
    }
    this.assignLevel(i, 1, atMs);
    this.addLog(i, 'assign_log_entry', agent, atMs, { type: 'api' }, 'Reassigned', this.assignees(i));
    this.emit('incident.delegated', i, agent, atMs);
  }

  /**
   * Escalates every triggered incident whose rule delay has run out on the simulated clock, in
   * time order, as often as the elapsed time allows (a long advance may cross several rules).
   */
  tick(now = this.clock.now()): void {
    for (;;) {
      let next: { i: SimIncident; due: number } | null = null;
      for (const i of this.incidents) {
        const due = this.escalationDue(i);
        if (due !== null && due <= now && (!next || due < next.due)) next = { i, due };
      }
      if (!next) return;
      const { i, due } = next;
      const rules = this.dir.policy(i.policyId)!.rules;
      let level = i.level + 1;
      if (level > rules.length) {
        i.loopsDone += 1;
        level = 1;
      }
      this.escalateTo(i, level, null, due, 'timeout');
    }
  }

  /** When the current rule's delay runs out, or null (not triggered, or the policy's loops are spent). */
  escalationDue(i: SimIncident): number | null {
    if (i.status !== 'triggered') return null;
    const policy = this.dir.policy(i.policyId);
    const rule = policy?.rules[i.level - 1];
    if (!policy || !rule) return null;
    if (i.level === policy.rules.length && i.loopsDone >= policy.numLoops) return null;
    return i.levelSinceMs + rule.delayMinutes * 60_000;
  }

  assignees(i: SimIncident): string[] {
    return i.assignments.map((a) => a.userId);
  }

  clearListeners(): void {
    this.listeners.length = 0;
  }

  /**
   * Pages `level`, or, when nobody is on call there, the first later level with someone on call
   * (PagerDuty: "the incident will immediately escalate to the next level"). With nobody on call at
   * any level from there, the incident stays at `level` with no assignee (docs/pagerduty.md#escalation-and-on-call).
   */
  private assignLevel(i: SimIncident, level: number, atMs: number): void {
    const rules = this.dir.policy(i.policyId)!.rules;
    let chosen = level;
    let users: string[] = [];
    for (let l = level; l <= rules.length; l++) {
      users = this.dir.usersForRule(rules[l - 1]!, atMs);
      if (users.length > 0) {
        chosen = l;
        break;
      }
    }
    i.level = chosen;
    i.levelSinceMs = atMs;
    if (rules[chosen - 1]) i.assignments = users.map((userId) => ({ atMs, userId }));
  }

  private changed(i: SimIncident, agent: Agent, atMs: number): void {
    i.updatedAtMs = atMs;
    i.lastStatusChangeAtMs = atMs;
    i.lastStatusChangeBy = agent;
  }

  private addLog(
    i: SimIncident,
    type: LogEntryType,
    agent: Agent | null,
    atMs: number,
    channel: LogEntry['channel'],
    summary: string,
    assigneeIds?: string[],
  ): void {
    i.log.push({
      id: this.dir.newId('L'),
      type,
      atMs,
      agent,
      channel,
      summary,
      ...(assigneeIds ? { assigneeIds } : {}),
    });
  }

  private emit(type: IncidentEventType, i: SimIncident, agent: Agent | null, atMs: number): void {
    for (const l of this.listeners) l(type, i, agent, atMs);
  }
}

function sameAgent(a: Agent, b: Agent): boolean {
  return a.type === b.type && a.id === b.id;
}

function triggerChannel(d: TriggerDetails): LogEntry['channel'] {
  return {
    type: 'api',
    summary: d.title,
    ...(d.customDetails !== undefined ? { details: d.customDetails } : {}),
    ...(d.client !== undefined ? { client: d.client } : {}),
    ...(d.clientUrl !== undefined ? { client_url: d.clientUrl } : {}),
  };
}

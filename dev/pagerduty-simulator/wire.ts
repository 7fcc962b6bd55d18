/**
 * The JSON the REST API answers with, shaped after the official OpenAPI document's schemas and
 * examples (Incident, User, Service, EscalationPolicy, Oncall, MaintenanceWindow, log entries;
 * see test/fixtures/pagerduty/schemas/README.md). References are `{id, type: "<kind>_reference", summary,
 * self, html_url}` as in PagerDuty's examples.
 */
import { isoSeconds } from '../simulator-kit/clock.js';
import type { Agent, LogEntry, SimIncident } from './incidents.js';
import type { OrgDirectory, OrgMaintenanceWindow, OrgPolicy, OrgService, OrgUser } from './org.js';

type Json = Record<string, unknown>;

const HTML_PATH: Record<string, string> = {
  user: 'users',
  team: 'teams',
  schedule: 'schedules',
  escalation_policy: 'escalation_policies',
  service: 'service-directory',
  incident: 'incidents',
  maintenance_window: 'maintenance_windows',
};
const API_PATH: Record<string, string> = { ...HTML_PATH, service: 'services' };

export class Wire {
  constructor(
    private readonly dir: OrgDirectory,
    /** Where `self` links point: the simulator's own URL, so clients can follow them. */
    private readonly apiBase: () => string,
  ) {}

  private get htmlBase(): string {
    return `https://${this.dir.org.subdomain}.pagerduty.com`;
  }

  private links(kind: string, id: string): { self: string; html_url: string } {
    return { self: `${this.apiBase()}/${API_PATH[kind]}/${id}`, html_url: `${this.htmlBase}/${HTML_PATH[kind]}/${id}` };
  }

  ref(kind: 'user' | 'team' | 'schedule' | 'escalation_policy' | 'service' | 'incident', id: string): Json {
    return { id, type: `${kind}_reference`, summary: this.summaryOf(kind, id), ...this.links(kind, id) };
  }

  agentRef(a: Agent): Json {
    return this.ref(a.type === 'user_reference' ? 'user' : 'service', a.id);
  }

  private summaryOf(kind: string, id: string): string {
    switch (kind) {
      case 'user':
        return this.dir.user(id)?.name ?? id;
      case 'team':
        return this.dir.team(id)?.name ?? id;
      case 'schedule':
        return this.dir.schedule(id)?.name ?? id;
      case 'escalation_policy':
        return this.dir.policy(id)?.name ?? id;
      case 'service':
        return this.dir.service(id)?.name ?? id;
      default:
        return id;
    }
  }

  user(u: OrgUser): Json {
    return {
      id: u.id,
      type: 'user',
      summary: u.name,
      ...this.links('user', u.id),
      name: u.name,
      email: u.email,
      time_zone: u.timeZone,
      color: u.color,
      role: u.role,
      avatar_url: `https://secure.gravatar.com/avatar/${u.id.toLowerCase()}.png?d=mm&r=PG`,
      description: null,
      invitation_sent: false,
      ...(u.jobTitle ? { job_title: u.jobTitle } : {}),
      teams: this.dir.org.teams.filter((t) => this.teamMembers(t.id).includes(u.id)).map((t) => this.ref('team', t.id)),
      contact_methods: [],
      notification_rules: [],
    };
  }

  /** A team's members: everyone an escalation policy of that team can page. */
  private teamMembers(teamId: string): string[] {
    const ids = new Set<string>();
    for (const p of this.dir.org.policies.filter((x) => x.teamIds.includes(teamId)))
      for (const r of p.rules)
        for (const t of r.targets)
          if (t.type === 'user_reference') ids.add(t.id);
          else for (const id of this.dir.schedule(t.id)?.userIds ?? []) ids.add(id);
    return [...ids];
  }

  policy(p: OrgPolicy): Json {
    return {
      id: p.id,
      type: 'escalation_policy',
      summary: p.name,
      ...this.links('escalation_policy', p.id),
      name: p.name,
      description: p.description,
      num_loops: p.numLoops,
      on_call_handoff_notifications: 'if_has_services',
      escalation_rules: p.rules.map((r) => ({
        id: r.id,
        escalation_delay_in_minutes: r.delayMinutes,
        targets: r.targets.map((t) => this.ref(t.type === 'user_reference' ? 'user' : 'schedule', t.id)),
      })),
      services: this.dir.org.services.filter((s) => s.policyId === p.id).map((s) => this.ref('service', s.id)),
      teams: p.teamIds.map((id) => this.ref('team', id)),
    };
  }

  service(s: OrgService, status: string, lastIncidentMs: number | null): Json {
    return {
      id: s.id,
      type: 'service',
      summary: s.name,
      ...this.links('service', s.id),
      name: s.name,
      description: s.description,
      auto_resolve_timeout: null,
      acknowledgement_timeout: null,
      created_at: isoSeconds(s.createdAtMs),
      status,
      ...(lastIncidentMs === null ? {} : { last_incident_timestamp: isoSeconds(lastIncidentMs) }),
      escalation_policy: this.ref('escalation_policy', s.policyId),
      teams: s.teamIds.map((id) => this.ref('team', id)),
      integrations: [
        {
          id: s.integrationId,
          type: 'events_api_v2_inbound_integration_reference',
          summary: 'Events API v2',
          self: `${this.apiBase()}/services/${s.id}/integrations/${s.integrationId}`,
          html_url: `${this.htmlBase}/services/${s.id}/integrations/${s.integrationId}`,
        },
      ],
      incident_urgency_rule: { type: 'constant', urgency: s.urgency },
      scheduled_actions: [],
      addons: [],
      alert_creation: 'create_alerts_and_incidents',
    };
  }

  maintenanceWindow(w: OrgMaintenanceWindow): Json {
    return {
      id: w.id,
      type: 'maintenance_window',
      summary: w.description,
      ...this.links('maintenance_window', w.id),
      sequence_number: w.sequenceNumber,
      start_time: isoSeconds(w.startMs),
      end_time: isoSeconds(w.endMs),
      description: w.description,
      ...(w.createdByUserId ? { created_by: this.ref('user', w.createdByUserId) } : {}),
      services: w.serviceIds.map((id) => this.ref('service', id)),
      teams: [],
    };
  }

  incident(i: SimIncident): Json {
    const first = i.log.find((e) => e.type === 'trigger_log_entry')!;
    const service = this.dir.service(i.serviceId);
    return {
      id: i.id,
      type: 'incident',
      summary: `[#${i.number}] ${i.title}`,
      ...this.links('incident', i.id),
      incident_number: i.number,
      title: i.title,
      description: i.title,
      created_at: isoSeconds(i.createdAtMs),
      updated_at: isoSeconds(i.updatedAtMs),
      status: i.status,
      incident_key: i.incidentKey,
      service: this.ref('service', i.serviceId),
      assignments: i.assignments.map((a) => ({ at: isoSeconds(a.atMs), assignee: this.ref('user', a.userId) })),
      assigned_via: 'escalation_policy',
      last_status_change_at: isoSeconds(i.lastStatusChangeAtMs),
      last_status_change_by: this.agentRef(i.lastStatusChangeBy),
      resolved_at: i.resolvedAtMs === null ? null : isoSeconds(i.resolvedAtMs),
      first_trigger_log_entry: {
        ...this.logEntryLinks(i, first),
        type: 'trigger_log_entry_reference',
        summary: first.summary,
      },
      alert_counts: {
        all: 1,
        triggered: i.status === 'resolved' ? 0 : 1,
        resolved: i.status === 'resolved' ? 1 : 0,
      },
      is_mergeable: true,
      incident_type: { name: 'incident_default' },
      escalation_policy: this.ref('escalation_policy', i.policyId),
      teams: (service?.teamIds ?? []).map((id) => this.ref('team', id)),
      pending_actions: [],
      acknowledgements: i.acknowledgements.map((a) => ({ at: isoSeconds(a.atMs), acknowledger: this.agentRef(a.by) })),
      alert_grouping: null,
      resolve_reason: null,
      incidents_responders: [],
      responder_requests: [],
      urgency: i.urgency,
    };
  }

  private logEntryLinks(i: SimIncident, e: LogEntry): { id: string; self: string; html_url: string } {
    return {
      id: e.id,
      self: `${this.apiBase()}/log_entries/${e.id}?incident_id=${i.id}`,
      html_url: `${this.htmlBase}/incidents/${i.id}/log_entries/${e.id}`,
    };
  }

  logEntry(i: SimIncident, e: LogEntry): Json {
    return {
      ...this.logEntryLinks(i, e),
      type: e.type,
      summary: e.summary,
      created_at: isoSeconds(e.atMs),
      ...(e.agent ? { agent: this.agentRef(e.agent) } : {}),
      channel: e.channel,
      service: this.ref('service', i.serviceId),
      incident: this.ref('incident', i.id),
      teams: (this.dir.service(i.serviceId)?.teamIds ?? []).map((id) => this.ref('team', id)),
      contexts: [],
      event_details: {},
      ...(e.assigneeIds ? { assignees: e.assigneeIds.map((id) => this.ref('user', id)) } : {}),
    };
  }

  /** One `GET /oncalls` entry; `start`/`end` null for a user named directly in a rule (a permanent on-call). */
  oncall(
    policyId: string,
    level: number,
    userId: string,
    scheduleId: string | null,
    startMs: number | null,
    endMs: number | null,
  ): Json {
    return {
      escalation_policy: this.ref('escalation_policy', policyId),
      escalation_level: level,
      schedule: scheduleId ? this.ref('schedule', scheduleId) : null,
      user: this.ref('user', userId),
      start: startMs === null ? null : isoSeconds(startMs),
      end: endMs === null ? null : isoSeconds(endMs),
    };
  }

  /** The `event.data` of a v3 incident webhook (the documented incident payload). */
  webhookIncident(i: SimIncident): Json {
    return {
      id: i.id,
      type: 'incident',
      ...this.links('incident', i.id),
      number: i.number,
      status: i.status,
      incident_key: i.incidentKey,
      created_at: isoSeconds(i.createdAtMs),
      title: i.title,
      service: this.ref('service', i.serviceId),
      assignees: i.assignments.map((a) => this.ref('user', a.userId)),
      escalation_policy: this.ref('escalation_policy', i.policyId),
      teams: (this.dir.service(i.serviceId)?.teamIds ?? []).map((id) => this.ref('team', id)),
      priority: null,
      urgency: i.urgency,
      conference_bridge: null,
      resolve_reason: null,
    };
  }
}
